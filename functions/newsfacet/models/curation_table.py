"""The curation table: what recorded merges, renames and hides make of entity keys. Pure.

The changes are replayed in their recorded order, undone ones left out. Each
step moves one key that still stands: to another key that stands (merge,
rename) or out of sight (hide). Keys that pointed at a moved key follow it, so
no chain or cycle can form and every key resolves in one lookup. The same
replay decides whether a new change would do anything (:func:`check_change`),
so a change the admin API accepts always has an effect when recorded.

Entries keep the tagger's own keys (``tagged_entities``) beside the curated
ones (``entities``, ``entities_<type>``): the curated keys are always the
tagged keys read through the table of the moment (:meth:`CurationTable.curate`),
which is what ingest writes, what the background pass rewrites, and what an
undo restores without tagging anything again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from newsfacet.errors import CurationConflictError, InvalidRequestError
from newsfacet.models.curation import Change
from newsfacet.models.entry import ENTITY_TYPES, EntityType, entity_field


def split_key(key: str) -> tuple[EntityType, str]:
    """``"ORG:Russian Volunteer Corps"`` -> ``("ORG", "Russian Volunteer Corps")``."""
    kind, _, name = key.partition(":")
    for entity_type in ENTITY_TYPES:
        if kind == entity_type and name.strip():
            return entity_type, name
    raise InvalidRequestError(f"{key!r} is not an entity key such as ORG:Name", parameter="key")


@dataclass(frozen=True)
class CurationTable:
    """Every key a change moved, resolved to the value it counts as now.

    Attributes:
        version: sequence number of the latest change the table includes.
        moved: key -> the key it counts as, or None when hidden.
        moved_by: key -> the id of the change that moved it.
        pending: values whose counts stored entries may still get wrong (a
            background pass has not finished): search counts them exactly.
    """

    version: int = 0
    moved: Mapping[str, str | None] = field(default_factory=dict)
    moved_by: Mapping[str, str] = field(default_factory=dict)
    pending: frozenset[str] = frozenset()
    # value -> every key that counts as it, the value first (only values with moved keys)
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def resolve(self, key: str) -> str | None:
        """The key an entity counts as now; None when hidden."""
        return self.moved.get(key, key)

    def group(self, value: str) -> tuple[str, ...]:
        """Every key that counts as ``value`` (itself included)."""
        return self.groups.get(value, (value,))

    def curate(self, tagged: Iterable[str]) -> list[str]:
        """The keys an entry with these tagged keys is filed under, sorted, hidden ones left out."""
        return sorted({value for key in tagged if (value := self.resolve(key)) is not None})

    def moved_names(self, entity_type: str) -> list[str]:
        """Names of one type that no longer show as themselves (merged away or hidden)."""
        prefix = f"{entity_type}:"
        return sorted(k[len(prefix) :] for k in self.moved if k.startswith(prefix))


EMPTY = CurationTable()


def build_table(changes: Sequence[Change], version: int | None = None) -> CurationTable:
    """Replay the changes in order, undone ones and undo records left out.

    Args:
        changes: every recorded change, in any order.
        version: the head's sequence number, when known (a change may be
            claimed and not yet written); else the highest one given.
    """
    undone = {c.undoes for c in changes if c.op == "undo"}
    direct: dict[str, str | None] = {}
    moved_by: dict[str, str] = {}
    for change in sorted(changes, key=lambda c: c.seq):
        if change.op == "undo" or change.id in undone:
            continue
        step = _effect(change, direct)
        if step is not None:
            direct[step[0]] = step[1]
            moved_by[step[0]] = change.id
    moved = {key: _final(key, direct) for key in direct}
    groups: dict[str, list[str]] = {}
    for key, value in sorted(moved.items()):
        if value is not None:
            groups.setdefault(value, [value]).append(key)
    pending = {
        value
        for change in changes
        if change.status == "pending"
        for touched in change.values
        if (value := moved.get(touched, touched)) is not None
    }
    return CurationTable(
        version=version if version is not None else max((c.seq for c in changes), default=0),
        moved=moved,
        moved_by=moved_by,
        pending=frozenset(pending),
        groups={value: tuple(keys) for value, keys in groups.items()},
    )


def _final(key: str | None, direct: Mapping[str, str | None]) -> str | None:
    # Every step points at a key that stood when it was made, so this ends.
    while key is not None and key in direct:
        key = direct[key]
    return key


def _effect(change: Change, direct: Mapping[str, str | None]) -> tuple[str, str | None] | None:
    """What a change does to the table so far: (key, its new value), or None (nothing)."""
    key = change.key
    if key is None or key in direct:
        return None
    if change.op == "hide":
        return key, None
    if change.op in ("merge", "rename") and change.target is not None:
        target = _final(change.target, direct)
        if target is None or target == key:
            return None
        return key, target
    return None


def check_change(table: CurationTable, op: str, key: str, target: str | None = None) -> None:
    """Refuse a merge, rename or hide that would do nothing to this table, saying why.

    Raises:
        CurationConflictError: the key is merged away or hidden already; the
            target is hidden, or already the same value as the key.
    """
    if key in table.moved:
        raise CurationConflictError(_moved_message(table, key), key=key)
    if target is None:
        return
    if op == "rename" and target in table.moved:
        raise CurationConflictError(
            f"cannot rename {key} to {target}: {_moved_message(table, target)}", key=target
        )
    value = table.resolve(target)
    if value is None:
        raise CurationConflictError(_moved_message(table, target), key=target)
    if value == key:
        raise CurationConflictError(f"{key} and {target} are one value already", key=key)


def _moved_message(table: CurationTable, key: str) -> str:
    value = table.resolve(key)
    by = table.moved_by.get(key, "?")
    if value is None:
        return f"{key} is hidden (change {by}); undo that change first"
    return f"{key} is merged into {value} (change {by}); undo that change or use {value}"


def changed_keys(before: CurationTable, after: CurationTable) -> list[str]:
    """Keys whose value differs between two tables (only moved keys can differ)."""
    candidates = set(before.moved) | set(after.moved)
    return sorted(k for k in candidates if before.resolve(k) != after.resolve(k))


def touched_values(before: CurationTable, after: CurationTable, keys: Iterable[str]) -> list[str]:
    """The values whose counts moved: each changed key's value before and after."""
    values = {v for k in keys for v in (before.resolve(k), after.resolve(k)) if v is not None}
    return sorted(values)


def stored_entity_fields(tagged: Iterable[str], curated: Iterable[str]) -> dict[str, list[str]]:
    """An entry's stored entity fields: curated keys, their names per type, the tagged keys."""
    keys = sorted(set(curated))
    fields: dict[str, list[str]] = {"entities": keys, "tagged_entities": sorted(set(tagged))}
    for entity_type in ENTITY_TYPES:
        prefix = f"{entity_type}:"
        fields[entity_field(entity_type)] = [k[len(prefix) :] for k in keys if k.startswith(prefix)]
    return fields


def carrying_query(keys: Sequence[str]) -> dict[str, Any]:
    """Entries with one of ``keys`` among their tagged keys (older entries: their filed keys)."""
    return {
        "bool": {
            "should": [
                {"terms": {"tagged_entities": list(keys)}},
                {
                    "bool": {
                        "filter": [{"terms": {"entities": list(keys)}}],
                        "must_not": [{"exists": {"field": "tagged_entities"}}],
                    }
                },
            ],
            "minimum_should_match": 1,
        }
    }
