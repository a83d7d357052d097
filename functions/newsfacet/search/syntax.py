"""The query syntax people type, parsed leniently and turned into safe DSL. Pure.

Grammar (operators in capitals; ``OR`` binds tighter than ``AND``, as in web
search engines, so ``Belgorod OR Kyiv raid`` is ``(Belgorod OR Kyiv) AND raid``)::

    query  := all
    all    := any ( ["AND"] any )*
    any    := unary ( ("OR" | "|") unary )*
    unary  := ("NOT" | "-") unary  |  "+" unary  |  atom
    atom   := "(" all ")"  |  field ":" atom  |  '"' phrase '"'  |  word ["*"]
    field  := "title" | "author" | "outlet"

Nothing typed is an error: a missing closing quote or parenthesis is
supplied, a stray ``)`` is dropped, an operator with nothing to act on is
ignored (a query made only of operators is read as words), ``other:word`` is
the word ``other:word``, a one-letter prefix (``a*``) is the word ``a``.

Every leaf becomes a ``simple_query_string`` with only the PHRASE, PREFIX and
WHITESPACE operators on and the leaf's own text (no other operator can
appear: the tokenizer keeps quotes and parentheses out of words), or, for
``author:`` and ``outlet:``, a ``term`` / ``regexp`` built here from escaped
characters. A word or phrase that names a known entity also matches the
entity's other names (:class:`~newsfacet.search.names.NameTable`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from newsfacet.errors import InvalidRequestError
from newsfacet.models.api import MAX_QUERY_TERMS
from newsfacet.search.lookup import name_regexp
from newsfacet.search.names import NameTable

TEXT_FIELDS = ["title^3", "body"]
FIELDS = {"title", "author", "outlet"}
LEAF_FLAGS = "PHRASE|PREFIX|WHITESPACE"
# Parentheses deeper than this are read as if flat (no recursion without bound).
MAX_NESTING = 8
MIN_PREFIX = 2
# Other names added per matched entity (a table may list many spellings).
MAX_EXPANSIONS = 12

_OPERATORS = {"AND", "OR", "NOT"}


# ------------------------------------------------------------------ the tree


@dataclass(frozen=True)
class Leaf:
    text: str
    phrase: bool = False
    prefix: bool = False
    field: str | None = None


@dataclass(frozen=True)
class Not:
    node: Node


@dataclass(frozen=True)
class AllOf:
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    nodes: tuple[Node, ...]


Node = Leaf | Not | AllOf | AnyOf


# ------------------------------------------------------------------ tokens


@dataclass(frozen=True)
class _Tok:
    kind: str  # word, phrase, op, open, close, minus, plus, field
    text: str = ""


_SPACE = re.compile(r"\s+")
_WORD = re.compile(r'[^\s"()|]+')


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i = _SPACE.match(text, i).end()  # type: ignore[union-attr]
        elif char == '"':
            end = text.find('"', i + 1)
            end = n if end < 0 else end
            out.append(_Tok("phrase", text[i + 1 : end]))
            i = end + 1
        elif char == "(":
            out.append(_Tok("open"))
            i += 1
        elif char == ")":
            out.append(_Tok("close"))
            i += 1
        elif char == "|":
            out.append(_Tok("op", "|"))
            i += 1
        elif char in "-+" and i + 1 < n and not text[i + 1].isspace():
            out.append(_Tok("minus" if char == "-" else "plus"))
            i += 1
        elif char in "-+":
            i += 1  # a lone sign
        else:
            word = _WORD.match(text, i).group()  # type: ignore[union-attr]
            i += len(word)
            name, colon, rest = word.partition(":")
            if word in _OPERATORS:
                out.append(_Tok("op", word))
            elif colon and name.lower() in FIELDS:
                out.append(_Tok("field", name.lower()))
                if rest:
                    out.append(_Tok("word", rest))
            else:
                out.append(_Tok("word", word))
    return out


# ------------------------------------------------------------------ parser


class _Parser:
    def __init__(self, tokens: list[_Tok]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    def peek(self) -> _Tok | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> _Tok:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def parse_all(self) -> Node | None:
        nodes: list[Node] = []
        while (tok := self.peek()) is not None:
            if tok.kind == "close":
                if self.depth > 0:
                    break
                self.take()  # a stray ')'
                continue
            if tok.kind == "op" and tok.text in {"AND", "OR", "|"}:
                self.take()  # AND is the default; an OR with nothing before it is ignored
                continue
            node = self.parse_any()
            if node is not None:
                nodes.append(node)
        return _combine(AllOf, nodes)

    def parse_any(self) -> Node | None:
        first = self.parse_unary()
        nodes = [first] if first is not None else []
        while (tok := self.peek()) is not None and tok.kind == "op" and tok.text in {"OR", "|"}:
            self.take()
            nxt = self.parse_unary()
            if nxt is not None:
                nodes.append(nxt)
        return _combine(AnyOf, nodes)

    def parse_unary(self) -> Node | None:
        tok = self.peek()
        if tok is None:
            return None
        if tok.kind == "minus" or (tok.kind == "op" and tok.text == "NOT"):
            self.take()
            inner = self.parse_unary()
            if isinstance(inner, Not):
                return inner.node  # NOT NOT x is x: negations never nest
            return Not(inner) if inner is not None else None
        if tok.kind == "plus":
            self.take()
            return self.parse_unary()
        return self.parse_atom(None)

    def parse_atom(self, field: str | None) -> Node | None:
        tok = self.peek()
        if tok is None:
            return None
        if tok.kind == "open":
            self.take()
            if self.depth >= MAX_NESTING:
                return None  # the group's content is read at this level
            self.depth += 1
            inner = self.parse_all()
            self.depth -= 1
            if (close := self.peek()) is not None and close.kind == "close":
                self.take()
            return _with_field(inner, field) if field else inner
        if tok.kind == "field":
            self.take()
            return self.parse_atom(tok.text)
        if tok.kind == "phrase":
            self.take()
            words = " ".join(tok.text.replace("*", " ").split())
            return Leaf(words, phrase=True, field=field) if words else None
        if tok.kind == "word":
            self.take()
            return _word(tok.text, field)
        # An operator or ')' where an operand was expected: left to the callers,
        # which skip it (parse_all) or end the group.
        return None


def _word(text: str, field: str | None) -> Leaf | None:
    prefix = text.endswith("*")
    core = text.replace("*", "")
    if not core:
        return None
    if prefix and len(core) < MIN_PREFIX:
        prefix = False
    return Leaf(core, prefix=prefix, field=field)


def _with_field(node: Node | None, field: str) -> Node | None:
    if node is None:
        return None
    if isinstance(node, Leaf):
        return Leaf(node.text, node.phrase, node.prefix, node.field or field)
    if isinstance(node, Not):
        inner = _with_field(node.node, field)
        return Not(inner) if inner is not None else None
    kind = type(node)
    return kind(tuple(n for c in node.nodes if (n := _with_field(c, field)) is not None))


def _combine(kind: type[AllOf] | type[AnyOf], nodes: list[Node]) -> Node | None:
    if not nodes:
        return None
    if len(nodes) == 1:
        return nodes[0]
    return kind(tuple(nodes))


def parse_query(text: str | None) -> Node | None:
    """The tree of a query as typed; None when it holds nothing to search for."""
    if not text or not text.strip():
        return None
    tokens = _tokens(text)
    node = _Parser(tokens).parse_all()
    if node is None:
        # Only operators and punctuation: search the words as words.
        words = [t.text for t in tokens if t.kind == "word" or t.text in _OPERATORS]
        node = _combine(AllOf, [leaf for w in words if (leaf := _word(w, None)) is not None])
    return node


def leaves(node: Node | None) -> list[Leaf]:
    if node is None:
        return []
    if isinstance(node, Leaf):
        return [node]
    if isinstance(node, Not):
        return leaves(node.node)
    return [leaf for child in node.nodes for leaf in leaves(child)]


def check_query(node: Node | None) -> None:
    """Refuse a query with more than ``MAX_QUERY_TERMS`` words and phrases (a bound on work).

    Raises:
        InvalidRequestError: naming ``q``.
    """
    count = len(leaves(node))
    if count > MAX_QUERY_TERMS:
        raise InvalidRequestError(
            f"q has {count} words and phrases; at most {MAX_QUERY_TERMS} are allowed",
            parameter="q",
        )


# ------------------------------------------------------------------ names


def expand_names(node: Node | None, names: NameTable) -> Node | None:
    """Give every word run or phrase that names a known entity its other names (OR).

    Inside an AND group, the longest run of adjacent plain words that is a
    known name ("Russian Volunteer Corps") is taken as one: it still matches
    the words anywhere, or any other name of the entity as a phrase.
    """
    if node is None:
        return None
    if isinstance(node, Leaf):
        return _expand_leaf(node, names)
    if isinstance(node, Not):
        inner = expand_names(node.node, names)
        return Not(inner) if inner is not None else None
    if isinstance(node, AnyOf):
        return AnyOf(tuple(expand_names(n, names) or n for n in node.nodes))
    return AllOf(tuple(_expand_runs(list(node.nodes), names)))


def _plain(node: Node) -> bool:
    return isinstance(node, Leaf) and not (node.phrase or node.prefix or node.field)


def _expand_runs(nodes: list[Node], names: NameTable) -> list[Node]:
    out: list[Node] = []
    i = 0
    while i < len(nodes):
        if _plain(nodes[i]) and names.longest > 1:
            for length in range(min(names.longest, len(nodes) - i), 1, -1):
                run = nodes[i : i + length]
                if not all(_plain(n) for n in run):
                    continue
                text = " ".join(n.text for n in run if isinstance(n, Leaf))
                others = names.other_names(text)
                if others:
                    out.append(AnyOf((AllOf(tuple(run)), *_phrases(others))))
                    i += length
                    break
            else:
                out.append(expand_names(nodes[i], names) or nodes[i])
                i += 1
            continue
        out.append(expand_names(nodes[i], names) or nodes[i])
        i += 1
    return out


def _expand_leaf(leaf: Leaf, names: NameTable) -> Node:
    if leaf.prefix or leaf.field not in {None, "title"}:
        return leaf
    others = names.other_names(leaf.text)
    if not others:
        return leaf
    return AnyOf((leaf, *_phrases(others, leaf.field)))


def _phrases(others: tuple[str, ...], field: str | None = None) -> tuple[Leaf, ...]:
    return tuple(Leaf(name, phrase=True, field=field) for name in others[:MAX_EXPANSIONS])


# ------------------------------------------------------------------ DSL


def text_query(node: Node | None, names: NameTable | None = None) -> dict[str, Any]:
    """The scored query for a parsed ``q`` (``match_all`` when there is none)."""
    if node is None:
        return {"match_all": {}}
    return _dsl(node, names or NameTable())


def _dsl(node: Node, names: NameTable) -> dict[str, Any]:
    if isinstance(node, Leaf):
        return _leaf(node, names)
    if isinstance(node, Not):
        return {"bool": {"must": [{"match_all": {}}], "must_not": [_dsl(node.node, names)]}}
    if isinstance(node, AnyOf):
        return {"bool": {"should": [_dsl(n, names) for n in node.nodes], "minimum_should_match": 1}}
    must = [_dsl(n, names) for n in node.nodes if not isinstance(n, Not)]
    must_not = [_dsl(n.node, names) for n in node.nodes if isinstance(n, Not)]
    clause: dict[str, Any] = {"must": must or [{"match_all": {}}]}
    if must_not:
        clause["must_not"] = must_not
    return {"bool": clause}


def _leaf(leaf: Leaf, names: NameTable) -> dict[str, Any]:
    if leaf.field == "author":
        return _keyword_words("authors", leaf)
    if leaf.field == "outlet":
        domain = names.outlet_domain(leaf.text) if not leaf.prefix else None
        # Display names match by words; domains by their start ("independent" ->
        # independent.co.uk).
        clauses = [
            _keyword_words("outlet_name", leaf),
            _keyword_words("outlet", Leaf(leaf.text, prefix=True)),
        ]
        if domain:
            clauses.insert(0, {"term": {"outlet": domain}})
        return {"bool": {"should": clauses, "minimum_should_match": 1}}
    text = f'"{leaf.text}"' if leaf.phrase else leaf.text + ("*" if leaf.prefix else "")
    return {
        "simple_query_string": {
            "query": text,
            "fields": ["title"] if leaf.field == "title" else TEXT_FIELDS,
            "default_operator": "and",
            "flags": LEAF_FLAGS,
            "analyze_wildcard": False,
        }
    }


def _keyword_words(field: str, leaf: Leaf) -> dict[str, Any]:
    """Keyword values having the leaf's words at a word start, any case (escaped regexp)."""
    return {
        "regexp": {
            field: {
                "value": name_regexp(leaf.text, prefix=leaf.prefix),
                "flags": "NONE",
                "max_determinized_states": 10000,
            }
        }
    }
