"""Across documents: a surname alone is the one full name with that surname already known.

"Ponomarev" in one article and "Ilya Ponomarev" in another are one person
when exactly one full name ending in "Ponomarev" is known for that outlet
within :data:`WINDOW` of the article's date: among the entries already
indexed (one batched lookup per ingest batch, :class:`SurnameLookup`, made
only when a lone name is left) and the batch's own entries. An entry without
a date is placed at its upload time (``ingested_at``), as the lookup places
stored ones; one without an outlet is left alone. This module only plans and
decides, so it is tested without a server.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from newsfacet.ingest.canonical import fold_key
from newsfacet.models.entry import Entity, Entry

# A month either side: a person named by surname alone is in that outlet's news
# of the moment; over years, one surname names several people and the match
# becomes ambiguous (and is then left alone).
WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class SurnameLookup:
    """Full PERSON names wanted from the index: one outlet, one time window, these surnames."""

    outlet: str
    start: datetime
    end: datetime
    surnames: frozenset[str]  # folded (fold_key)

    def covers(self, outlet: str | None, moment: datetime) -> bool:
        return outlet == self.outlet and self.start <= moment <= self.end


def entry_moment(entry: Entry) -> datetime | None:
    """Where an entry sits in time: its date, else when it was uploaded."""
    return entry.published or entry.ingested_at


def lone_surnames(entities: Iterable[Entity]) -> set[str]:
    """Folded one-word PERSON names (what in-document folding left unresolved)."""
    return {
        fold_key(e.canonical) for e in entities if e.type == "PERSON" and " " not in e.canonical
    }


def plan_lookups(entries: Iterable[Entry]) -> list[SurnameLookup]:
    """One lookup per outlet and stretch of time that the entries' lone names need.

    Windows of one outlet that overlap become one, so a normal batch makes one
    lookup per outlet; all of them go to the index in one request.
    """
    wanted: dict[str, list[tuple[datetime, set[str]]]] = {}
    for entry in entries:
        moment = entry_moment(entry)
        names = lone_surnames(entry.entities)
        if entry.outlet and moment is not None and names:
            wanted.setdefault(entry.outlet, []).append((moment, names))
    lookups: list[SurnameLookup] = []
    for outlet, items in sorted(wanted.items()):
        items.sort(key=lambda item: item[0])
        start, end, names = items[0][0] - WINDOW, items[0][0] + WINDOW, set(items[0][1])
        for moment, more in items[1:]:
            if moment - WINDOW > end:
                lookups.append(SurnameLookup(outlet, start, end, frozenset(names)))
                start, names = moment - WINDOW, set()
            end = moment + WINDOW
            names |= more
        lookups.append(SurnameLookup(outlet, start, end, frozenset(names)))
    return lookups


def known_names(
    entry: Entry,
    lookups: Sequence[SurnameLookup],
    found: Sequence[Sequence[str]],
    batch: Iterable[Entry],
) -> list[str]:
    """Full PERSON names known for an entry: from its lookup, and from the batch's other entries."""
    moment = entry_moment(entry)
    if moment is None or not entry.outlet:
        return []
    names = [
        n
        for lookup, got in zip(lookups, found, strict=True)
        if lookup.covers(entry.outlet, moment)
        for n in got
    ]
    for other in batch:
        when = entry_moment(other)
        if other.id == entry.id or other.outlet != entry.outlet or when is None:
            continue
        if abs(when - moment) <= WINDOW:
            names += [
                e.canonical for e in other.entities if e.type == "PERSON" and " " in e.canonical
            ]
    return names


def surname_table(full_names: Iterable[str]) -> dict[str, str | None]:
    """Folded surname -> the one full name ending with it, or None when two share it."""
    table: dict[str, str | None] = {}
    for name in full_names:
        words = name.split()
        if len(words) < 2:
            continue
        key = fold_key(words[-1])
        if key in table and table[key] != name:
            table[key] = None  # "Biden" with Joe and Hunter Biden known: leave it
        else:
            table[key] = name
    return table


def resolve_known_surnames(
    entities: Sequence[Entity], known_full_names: Iterable[str]
) -> list[Entity]:
    """Give a one-word PERSON the full name it unambiguously stands for.

    Args:
        entities: one entry's entities, after in-document folding (a surname
            whose full name appears in the same document is already resolved).
        known_full_names: canonical PERSON names already indexed for the same
            outlet and time window.

    Returns:
        The entities, with ``canonical`` replaced where exactly one known full
        name ends with a one-word person's name; offsets and text unchanged.
    """
    table = surname_table(known_full_names)
    out = []
    for entity in entities:
        if entity.type == "PERSON" and " " not in entity.canonical.strip():
            full = table.get(fold_key(entity.canonical))
            if full is not None:
                entity = entity.model_copy(update={"canonical": full})
        out.append(entity)
    return out
