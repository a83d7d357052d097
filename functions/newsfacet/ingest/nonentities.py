"""Mentions that name no person, organisation or place, dropped before anything else sees them.

The small model tags vehicles ("MRAP", "F-16"), diseases ("COVID-19"),
treaties ("Vienna Act"), time zones ("CST"), handles, contraction fragments
("N't") and page furniture ("Videos") as names. Shapes are caught by
patterns; words that are only recognisable as a class live in
``data/not_entities.json`` (operator-extensible, like the alias file).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from newsfacet.ingest.canonical import AliasBook, fold_key
from newsfacet.ingest.mentions import Mention

_HANDLE = re.compile(r"^[@#]\w")
# "N't", "'s", "’ll": what is left of a contraction the tokenizer split off
_FRAGMENT = re.compile(r"^\w?['’](?:t|s|ll|re|ve|d|m)$", re.IGNORECASE)
# Model designations of vehicles and weapons: F-16, Su-27, MiG-29, B-1, T-72, S-400
_DESIGNATION = re.compile(r"^[A-Z][A-Za-z]{0,3}-\d{1,4}[A-Z]{0,2}s?$")
_NO_LETTERS = re.compile(r"^[^A-Za-zÀ-ÿ]*$")


@dataclass(frozen=True)
class NotEntities:
    """Folded names that are never entities, and last words that mark a non-entity."""

    names: frozenset[str]
    last_words: frozenset[str]
    generic_words: frozenset[str]


@lru_cache(maxsize=1)
def load_not_entities() -> NotEntities:
    raw = json.loads(
        resources.files("newsfacet.data").joinpath("not_entities.json").read_text("utf-8")
    )
    names = {fold_key(n) for group in raw["names"].values() for n in group}
    return NotEntities(
        names=frozenset(names),
        last_words=frozenset(w.casefold() for w in raw["last_words"]),
        generic_words=frozenset(w.casefold() for w in raw["generic_words"]),
    )


def is_non_entity(text: str, surface: str, start: int, data: NotEntities) -> bool:
    """Whether a mention's surface is a thing that is neither person, organisation nor place."""
    key = fold_key(surface)
    if not key or _NO_LETTERS.match(surface):
        return True
    if _HANDLE.match(surface) or _FRAGMENT.match(surface) or _DESIGNATION.match(surface):
        return True
    if key in data.names:
        return True
    if not any(ch.isupper() for ch in surface):
        return True  # "johns", "the ministry": a name has a capital somewhere
    words = key.split()
    if len(words) == 2 and words[0] in data.names and any(ch.isdigit() for ch in words[1]):
        return True  # "Omicron BA.2"
    if len(words) > 1 and words[-1] in data.last_words:
        return True  # "Vienna Act", "G7 summit", "World Cup"
    if len(words) == 1 and key in data.generic_words:
        # "the House" is a chamber; a bare "House" is a page heading or a cut name
        return not (key == "house" and text[max(0, start - 4) : start].lower() == "the ")
    return text[start - 1 : start] in {"@", "#"}


def drop_non_entities(text: str, mentions: list[Mention], book: AliasBook) -> list[Mention]:
    """Mentions that name a person, organisation or place; the alias file always wins."""
    data = load_not_entities()
    return [
        m
        for m in mentions
        if fold_key(m.text) in book.names or not is_non_entity(text, m.text, m.start, data)
    ]
