"""Canonical entities: fold the mentions of one document, then apply aliases.

Pure functions over mentions the model found. Inside one document a lone
surname after a full name is that person ("Gladkov" after "Vyacheslav
Gladkov"), an acronym in brackets after a name is that name ("Russian
Volunteer Corps (RVC)"), and possessives, a leading "the", case and spacing
fold. The operator's alias file (``data/aliases.json``) wins over all of it;
across documents, acronyms learned here are kept in the index's alias table
(:mod:`newsfacet.index.aliases`) and applied to later documents.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from newsfacet.ingest.mentions import Mention
from newsfacet.ingest.places import load_gazetteer
from newsfacet.models.entry import ENTITY_TYPES, Entity, EntityType

_LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})
_POSSESSIVE = re.compile(r"(?:'s|s')$|'$")
_TITLES = re.compile(
    r"^(?:mr|mrs|ms|dr|sir|president|governor|gov|prime minister|pm|general|gen)\.?\s+",
    re.IGNORECASE,
)
_SMALL_WORDS = {"of", "the", "and", "for", "in", "on", "at", "to", "de", "la", "du", "von", "van"}
# Capitalised words that open a sentence or clause and are never part of a name.
# fmt: off
FUNCTION_WORDS = frozenset({
    "The", "A", "An", "In", "On", "At", "And", "But", "For", "Of", "By", "To", "From", "With",
    "Both", "Then", "When",
})
# fmt: on
_ACRONYM = re.compile(r"\s*\(\s*([A-Z][A-Z0-9]{1,7})\s*\)")


@dataclass(frozen=True)
class AliasEntry:
    canonical: str
    type: EntityType


@dataclass
class AliasBook:
    """The operator's alias file: folded name -> canonical entity, plus non-place words."""

    names: dict[str, AliasEntry] = field(default_factory=dict)
    not_places: frozenset[str] = frozenset()
    # every written form, for the alias matcher (ingest/entities.py)
    patterns: list[tuple[str, EntityType]] = field(default_factory=list)


def fold_key(text: str) -> str:
    """The lookup form of a name: no leading 'the', no possessive, no dots, one case, one space."""
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).strip()
    text = _POSSESSIVE.sub("", _LEADING_THE.sub("", text))
    text = text.replace(".", "")
    return " ".join(text.casefold().split())


def display_name(text: str, entity_type: EntityType | None = None) -> str:
    """A stable written form: trimmed, single-spaced, lowercase words capitalised.

    ALL-CAPS text from a dateline or headline is set in title case, so "GAZA"
    and "Gaza" are one value: any multi-word ALL-CAPS name, and a one-word
    person or place of four letters or more ("KYIV"); a one-word ORG stays as
    written, since it is most likely an acronym ("NATO", "UNICEF").
    """
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).strip()
    text = _POSSESSIVE.sub("", _LEADING_THE.sub("", text)).strip()
    words = text.split()
    letters = sum(ch.isalpha() for ch in text)
    if text.isupper() and (len(words) > 1 or (entity_type in {"PERSON", "LOC"} and letters > 3)):
        words = [w.lower() for w in words]
    out = []
    for i, word in enumerate(words):
        if word.islower() and (i == 0 or word not in _SMALL_WORDS):
            word = "-".join(p[:1].upper() + p[1:] for p in word.split("-"))
        out.append(word)
    return " ".join(out)


def trim_mention(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Shrink a span to the name: drop a leading 'the', a trailing possessive and whitespace.

    Returns None for spans that cross a paragraph break (the model glued a
    heading to the next line) or that are empty after trimming.
    """
    span = text[start:end]
    if "\n" in span.strip():
        return None
    stripped = span.lstrip()
    start += len(span) - len(stripped)
    span = stripped.rstrip()
    end = start + len(span)
    the = _LEADING_THE.match(span)
    if the and len(span) > the.end():
        start += the.end()
        span = span[the.end() :]
    plain = span.translate(_APOSTROPHES)
    if plain.endswith("'s"):
        end -= 2
    elif plain.endswith("s'"):
        end -= 1
    if end <= start:
        return None
    return start, end


@lru_cache(maxsize=4)
def load_alias_book(path: str | None = None) -> AliasBook:
    """Read the alias file (the packaged ``data/aliases.json`` unless a path is given)."""
    if path is None:
        raw = resources.files("newsfacet.data").joinpath("aliases.json").read_text("utf-8")
    else:
        with open(path, encoding="utf-8") as handle:
            raw = handle.read()
    return build_alias_book(json.loads(raw))


def build_alias_book(data: dict[str, Any]) -> AliasBook:
    book = AliasBook(not_places=frozenset(fold_key(w) for w in data.get("not_places", [])))
    for item in data.get("entities", []):
        entity_type = item["type"]
        if entity_type not in ENTITY_TYPES:
            raise ValueError(f"alias file: unknown type {entity_type!r} for {item['canonical']!r}")
        entry = AliasEntry(canonical=item["canonical"], type=entity_type)
        for name in [item["canonical"], *item.get("aliases", [])]:
            book.names[fold_key(name)] = entry
            book.patterns.append((name, entity_type))
    return book


@dataclass
class FoldResult:
    """Entities per entry of one document, and acronyms defined in it (for the alias table)."""

    entities: list[list[Entity]]
    learned: dict[str, AliasEntry] = field(default_factory=dict)


def fold_document(
    texts: Sequence[str],
    mentions: Sequence[Sequence[Mention]],
    book: AliasBook,
    known: Mapping[str, AliasEntry] | None = None,
) -> FoldResult:
    """Give every mention of one document (its entries' texts) a canonical name.

    Args:
        texts: the text of each entry of the document.
        mentions: the model's mentions for each text, in order.
        book: the operator's alias file.
        known: aliases learned from earlier documents (the index's alias table).

    Returns:
        Entities per entry, each ``canonical`` resolved in this order: alias
        file, acronym defined in this document, full name of a surname in this
        document, learned alias, the mention's own tidied form.
    """
    known = known or {}
    cleaned: list[list[Mention]] = []
    for text, found in zip(texts, mentions, strict=True):
        cleaned.append(_clean(text, found, book))
    defined = _acronyms(texts, cleaned, book)
    for index, text in enumerate(texts):
        cleaned[index] = _add_acronym_mentions(text, cleaned[index], {**known, **defined})
    full_names = _full_names((m for group in cleaned for m in group), book)
    result = FoldResult(entities=[], learned=defined)
    for group in cleaned:
        entities = []
        for mention in group:
            entry = _resolve(mention, book, defined, full_names, known)
            entities.append(
                Entity(
                    start=mention.start,
                    end=mention.end,
                    text=mention.text,
                    type=entry.type,
                    canonical=entry.canonical,
                )
            )
        result.entities.append(entities)
    return result


def _clean(text: str, found: Iterable[Mention], book: AliasBook) -> list[Mention]:
    out = []
    for mention in found:
        span = trim_mention(text, mention.start, mention.end)
        if span is None:
            continue
        start, end = span
        surface = text[start:end]
        key = fold_key(surface)
        if sum(ch.isalpha() for ch in key) < 2 or surface.endswith("-"):
            continue  # "Anti-" and stray letters
        if mention.type == "LOC" and key in book.not_places:
            continue  # a nationality the model took for a place
        out.append(Mention(start=start, end=end, text=surface, type=mention.type))
    return out


def _acronyms(
    texts: Sequence[str], groups: Sequence[Sequence[Mention]], book: AliasBook
) -> dict[str, AliasEntry]:
    """'Russian Volunteer Corps (RVC)' defines RVC, unless the alias file already says otherwise."""
    defined: dict[str, AliasEntry] = {}
    for text, group in zip(texts, groups, strict=True):
        for mention in group:
            match = _ACRONYM.match(text, mention.end)
            if not match or " " not in mention.text.strip():
                continue
            acronym = match.group(1)
            key = fold_key(acronym)
            if key in book.names or key in defined:
                continue
            target = book.names.get(fold_key(mention.text))
            defined[key] = target or AliasEntry(display_name(mention.text), mention.type)
    return defined


def _add_acronym_mentions(
    text: str, group: list[Mention], acronyms: dict[str, AliasEntry]
) -> list[Mention]:
    """Mark acronyms the model missed, wherever they stand as a whole word in the text."""
    if not acronyms:
        return group
    taken = [(m.start, m.end) for m in group]
    added = list(group)
    for match in re.finditer(r"\b[A-Z][A-Z0-9]{1,7}\b", text):
        entry = acronyms.get(fold_key(match.group()))
        if entry is None or any(s < match.end() and match.start() < e for s, e in taken):
            continue
        added.append(Mention(match.start(), match.end(), match.group(), entry.type))
    return sorted(added, key=lambda m: m.start)


def _strip_title(text: str) -> str:
    return _TITLES.sub("", text).strip()


def _full_names(mentions: Iterable[Mention], book: AliasBook) -> dict[str, str]:
    """A lone name word -> the document's one full name that starts or ends with it.

    The last word is the usual surname; the first covers names written
    surname first ("Mr Li" after "Li Qiang"). A word shared by two full names
    stays unresolved, unless exactly one of them is in the alias file.
    """
    last: dict[str, set[str]] = {}
    first: dict[str, set[str]] = {}
    for mention in mentions:
        if mention.type != "PERSON":
            continue
        written = display_name(_strip_title(mention.text))
        entry = book.names.get(fold_key(written))
        name = entry.canonical if entry is not None and entry.type == "PERSON" else written
        # Both the written and the canonical form: "Nikitin" after "Denis Nikitin",
        # whom the alias file calls Denis Kapustin, is Denis Kapustin too.
        for form in {written, name}:
            words = form.split()
            if len(words) >= 2:
                last.setdefault(fold_key(words[-1]), set()).add(name)
                first.setdefault(fold_key(words[0]), set()).add(name)
    resolved: dict[str, str] = {}
    for table in (first, last):  # last words win over first words
        for word, names in table.items():
            choice = _one_name(names, book)
            if choice is not None:
                resolved[word] = choice
    return resolved


def _one_name(names: set[str], book: AliasBook) -> str | None:
    if len(names) == 1:
        return next(iter(names))
    in_book = [n for n in names if fold_key(n) in book.names]
    return in_book[0] if len(in_book) == 1 else None


def _resolve(
    mention: Mention,
    book: AliasBook,
    defined: dict[str, AliasEntry],
    full_names: dict[str, str],
    known: Mapping[str, AliasEntry],
) -> AliasEntry:
    key = fold_key(mention.text)
    if key in book.names:
        return book.names[key]
    if key in defined:
        return defined[key]
    bare = fold_key(_strip_title(mention.text))
    if len(bare.split()) == 1 and bare in full_names:
        # The model often calls a lone surname an ORG ("Lavrov", "Nikitin").
        full = full_names[bare]
        return book.names.get(fold_key(full), AliasEntry(full, "PERSON"))
    if mention.type == "PERSON":
        if bare in book.names:
            return book.names[bare]
        if key in known:
            return known[key]
        return AliasEntry(display_name(_strip_title(mention.text), "PERSON"), "PERSON")
    if key in known:
        return known[key]
    if mention.type == "LOC":
        place = load_gazetteer().canonical(mention.text)
        if place is not None:  # "St. Lucia" -> Saint Lucia, "KHAN YOUNIS" stays its own
            return AliasEntry(place, "LOC")
    return AliasEntry(display_name(mention.text, mention.type), mention.type)
