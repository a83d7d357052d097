"""The query syntax: what people type becomes the tree they meant, and never an error."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsfacet.ingest.canonical import AliasEntry, load_alias_book
from newsfacet.ingest.outlets import outlet_aliases, outlet_names
from newsfacet.search.names import NameTable, build_name_table
from newsfacet.search.syntax import (
    LEAF_FLAGS,
    AllOf,
    AnyOf,
    Leaf,
    Node,
    Not,
    expand_names,
    leaves,
    parse_query,
    text_query,
)

pytestmark = pytest.mark.unit


def W(text: str, **kw: Any) -> Leaf:  # noqa: N802 - reads like the grammar
    return Leaf(text, **kw)


@pytest.mark.parametrize(
    ("q", "tree"),
    [
        ("Belgorod", W("Belgorod")),
        ("Belgorod OR Kyiv", AnyOf((W("Belgorod"), W("Kyiv")))),
        ("Belgorod | Kyiv", AnyOf((W("Belgorod"), W("Kyiv")))),
        # OR binds tighter than AND, as in web search engines.
        ("Belgorod OR Kyiv raid", AllOf((AnyOf((W("Belgorod"), W("Kyiv"))), W("raid")))),
        ("raid AND Belgorod", AllOf((W("raid"), W("Belgorod")))),
        ("Belgorod -Zelensky", AllOf((W("Belgorod"), Not(W("Zelensky"))))),
        ("Belgorod NOT Zelensky", AllOf((W("Belgorod"), Not(W("Zelensky"))))),
        ("+Reuters +Belgorod", AllOf((W("Reuters"), W("Belgorod")))),
        ('"armoured vehicles"', W("armoured vehicles", phrase=True)),
        ("Glad*", W("Glad", prefix=True)),
        (
            "(Kyiv OR Kiev) -(Putin OR Zelensky)",
            AllOf((AnyOf((W("Kyiv"), W("Kiev"))), Not(AnyOf((W("Putin"), W("Zelensky")))))),
        ),
        ('title:"border raid"', W("border raid", phrase=True, field="title")),
        ("author:Sharma", W("Sharma", field="author")),
        ("outlet:(bbc OR ft)", AnyOf((W("bbc", field="outlet"), W("ft", field="outlet")))),
        # lower-case operators are words; unknown fields are text
        ("rock and roll", AllOf((W("rock"), W("and"), W("roll")))),
        ("site:example.com", W("site:example.com")),
        ("Kyiv-based", W("Kyiv-based")),
    ],
)
def test_what_people_type(q: str, tree: Node) -> None:
    assert parse_query(q) == tree


@pytest.mark.parametrize(
    ("q", "tree"),
    [
        ('"unclosed phrase', W("unclosed phrase", phrase=True)),
        ("((Belgorod", W("Belgorod")),
        ("Belgorod))", W("Belgorod")),
        ("OR Belgorod", W("Belgorod")),
        ("Belgorod OR", W("Belgorod")),
        ("Belgorod AND AND Kyiv", AllOf((W("Belgorod"), W("Kyiv")))),
        ("NOT NOT Belgorod", W("Belgorod")),
        ("a*", W("a")),  # a one-letter prefix would expand to most of the index
        ("OR", W("OR")),  # only operators: read as words
        ("", None),
        ('""', None),
        ("- + |", None),
        ("*", None),  # a bare star is nothing to search for, never "everything"
        ("* OR", W("OR")),
    ],
)
def test_nothing_typed_is_an_error(q: str, tree: Node | None) -> None:
    assert parse_query(q) == tree


def _depth(node: Any) -> int:
    if isinstance(node, dict):
        return 1 + max((_depth(v) for v in node.values()), default=0)
    if isinstance(node, list):
        return 1 + max((_depth(v) for v in node), default=0)
    return 0


@given(st.text(max_size=500))
@settings(max_examples=500)
def test_any_text_gives_a_bounded_safe_query(q: str) -> None:
    node = parse_query(q)
    body = text_query(expand_names(node, NAMES), NAMES)
    json.dumps(body)
    assert _depth(body) < 80
    for leaf in leaves(node):
        assert leaf.text.strip()
        # A star is an operator, never a term: no "match everything" leaf.
        assert "*" not in leaf.text
        assert not leaf.prefix or len(leaf.text) >= 2
        assert leaf.text.replace(" ", "") in q.replace(" ", "").replace("*", "") or leaf.phrase


@given(
    st.lists(
        st.sampled_from(
            ["Belgorod", "Kyiv", "OR", "AND", "NOT", "-", "+", "(", ")", '"', "|", "x*", "title:"]
        ),
        max_size=30,
    )
)
@settings(max_examples=500)
def test_operator_soup_never_fails(parts: list[str]) -> None:
    q = " ".join(parts)
    text_query(parse_query(q), NAMES)
    text_query(parse_query("".join(parts)), NAMES)


NAMES = build_name_table(
    load_alias_book(),
    {"sln": AliasEntry("Some Long Name", "ORG")},
    outlet_names(),
    outlet_aliases(),
)


def test_known_names_find_each_other() -> None:
    expanded = expand_names(parse_query("Kiev"), NAMES)
    assert expanded == AnyOf((W("Kiev"), W("Kyiv", phrase=True)))
    # Acronyms expand only as written in capitals: "us" is a word.
    rdk = expand_names(parse_query("RDK"), NAMES)
    assert isinstance(rdk, AnyOf)
    assert W("Russian Volunteer Corps", phrase=True) in rdk.nodes
    assert expand_names(parse_query("rdk"), NAMES) == W("rdk")
    # A learned alias (the index's table) counts too.
    sln = expand_names(parse_query("SLN"), NAMES)
    assert isinstance(sln, AnyOf)
    assert W("Some Long Name", phrase=True) in sln.nodes


def test_a_run_of_words_that_is_a_name_finds_its_aliases() -> None:
    tree = expand_names(parse_query("Russian Volunteer Corps raid"), NAMES)
    assert isinstance(tree, AllOf)
    group, rest = tree.nodes
    assert rest == W("raid")
    assert isinstance(group, AnyOf)
    assert group.nodes[0] == AllOf((W("Russian"), W("Volunteer"), W("Corps")))
    assert W("RDK", phrase=True) in group.nodes
    assert W("RVC", phrase=True) in group.nodes


def test_fields_and_prefixes_are_not_expanded() -> None:
    assert expand_names(parse_query("Kie*"), NAMES) == W("Kie", prefix=True)
    assert expand_names(parse_query("author:Kiev"), NAMES) == W("Kiev", field="author")


def test_outlet_names_resolve_to_domains() -> None:
    assert NAMES.outlet_domain("The Independent") == "independent.co.uk"
    assert NAMES.outlet_domain("independent.co.uk") == "independent.co.uk"
    assert NAMES.outlet_domain("FT") == "ft.com"
    assert NAMES.outlet_domain("No Such Paper") is None


def test_leaves_become_restricted_simple_query_strings() -> None:
    body = text_query(parse_query('Belgorod OR "Kyiv raid" -glad* title:x'), NameTable())
    found = json.dumps(body)
    assert found.count(f'"flags": "{LEAF_FLAGS}"') == 4
    assert '"must_not"' in found
    assert '"should"' in found
    author = text_query(parse_query("author:sharma"), NameTable())
    assert "regexp" in author
    assert author["regexp"]["authors"]["flags"] == "NONE"
