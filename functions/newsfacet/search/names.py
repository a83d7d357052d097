"""Every name the search side knows for an entity or an outlet, as one table. Pure.

Built from the operator's alias file (``data/aliases.json``, so curated
aliases apply as soon as they are deployed), the alias table ingest learns
(``<prefix>-entities``: acronyms defined in texts) and the outlet data files
(display names and the names texts use for outlets). The service keeps one
table per container and rebuilds it when the learned part is older than its
TTL (:class:`NameCache`).

A name of five letters or fewer written in capitals ("RDK", "FT", "US") is an
acronym: it matches only when typed in capitals, so the word "us" never
becomes the United States.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from newsfacet.errors import NewsfacetError
from newsfacet.ingest.canonical import AliasBook, AliasEntry, fold_key, load_alias_book
from newsfacet.ingest.outlets import outlet_aliases, outlet_names

# Learned aliases are acronyms of up to eight letters (ingest/canonical.py).
_ACRONYM_MAX = 8


def is_acronym(name: str) -> bool:
    letters = [c for c in name if c.isalpha()]
    return 0 < len(letters) <= _ACRONYM_MAX and name.isupper() and " " not in name.strip()


@dataclass(frozen=True)
class NameTable:
    """Entity and outlet names, folded for lookup.

    Attributes:
        entities: folded name -> entity key (``LOC:Kyiv``), for names typed in any case.
        acronyms: acronym as written (``RDK``) -> entity key; matched case-sensitively.
        names_of: entity key -> every written name, the canonical one first.
        outlets: folded domain, display name or alias -> domain.
        longest: the most words any entity name has (bounds phrase detection).
    """

    entities: Mapping[str, str] = field(default_factory=dict)
    acronyms: Mapping[str, str] = field(default_factory=dict)
    names_of: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    outlets: Mapping[str, str] = field(default_factory=dict)
    longest: int = 1

    def entity_key(self, text: str) -> str | None:
        """The entity a written name stands for, if any."""
        stripped = " ".join(text.split())
        if stripped in self.acronyms:
            return self.acronyms[stripped]
        return self.entities.get(fold_key(stripped))

    def other_names(self, text: str) -> tuple[str, ...]:
        """Every other written name of the entity ``text`` names (empty if it names none)."""
        key = self.entity_key(text)
        if key is None:
            return ()
        typed = fold_key(text)
        return tuple(n for n in self.names_of.get(key, ()) if fold_key(n) != typed)

    def outlet_domain(self, value: str) -> str | None:
        """The domain an outlet value names: a domain, a display name or an alias."""
        return self.outlets.get(fold_key(value)) or self.outlets.get(value.strip().lower())


def build_name_table(
    book: AliasBook,
    learned: Mapping[str, AliasEntry],
    outlet_display: Mapping[str, str],
    outlet_alias: Mapping[str, str],
) -> NameTable:
    """One table from the alias file, the learned aliases and the outlet data."""
    entities: dict[str, str] = {}
    acronyms: dict[str, str] = {}
    names_of: dict[str, list[str]] = {}

    def add(name: str, key: str) -> None:
        written = names_of.setdefault(key, [])
        if name not in written:
            written.append(name)
        if is_acronym(name) and len(name) <= 5:
            acronyms.setdefault(name, key)
        else:
            entities.setdefault(fold_key(name), key)

    # The file wins: its names go in first, setdefault keeps them.
    for name, _type in book.patterns:
        entry = book.names[fold_key(name)]
        key = f"{entry.type}:{entry.canonical}"
        if not names_of.get(key):
            add(entry.canonical, key)
        add(name, key)
    for alias, entry in sorted(learned.items()):
        key = f"{entry.type}:{entry.canonical}"
        if not names_of.get(key):
            add(entry.canonical, key)
        add(alias.upper() if len(alias) <= _ACRONYM_MAX else alias, key)
    outlets: dict[str, str] = {}
    for domain, name in outlet_display.items():
        outlets.setdefault(domain.lower(), domain)
        outlets.setdefault(fold_key(name), domain)
    for name, domain in outlet_alias.items():
        outlets.setdefault(fold_key(name), domain)
    longest = max((len(n.split()) for names in names_of.values() for n in names), default=1)
    return NameTable(
        entities=entities,
        acronyms=acronyms,
        names_of={k: tuple(v) for k, v in names_of.items()},
        outlets=outlets,
        longest=longest,
    )


class NameCache:
    """One :class:`NameTable` per container, its learned part reloaded after ``ttl_s``.

    ``load_learned`` reads the ``<prefix>-entities`` table (the same reader
    ingest uses, ``index/learned.py``). When it fails, the table goes on with
    the alias file alone and tries again at the next request: a search never
    fails because the learned aliases are out of reach.
    """

    def __init__(
        self,
        load_learned: Callable[[], Mapping[str, AliasEntry]],
        *,
        ttl_s: float,
        clock: Callable[[], float] = time.monotonic,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        self.load_learned = load_learned
        self.ttl_s = ttl_s
        self.clock = clock
        self.on_error = on_error
        self._table: NameTable | None = None
        self._loaded_at = 0.0

    def table(self) -> NameTable:
        if self._table is None or self.clock() - self._loaded_at > self.ttl_s:
            learned: Mapping[str, AliasEntry]
            fresh = True
            try:
                learned = self.load_learned()
            except NewsfacetError as exc:
                if self.on_error is not None:
                    self.on_error(exc)
                learned, fresh = {}, False
            table = build_name_table(load_alias_book(), learned, outlet_names(), outlet_aliases())
            if fresh or self._table is None:
                self._table = table
                self._loaded_at = self.clock() if fresh else 0.0
        return self._table
