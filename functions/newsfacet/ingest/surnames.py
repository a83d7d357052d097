"""Across documents: a surname alone is the one full name with that surname already known.

"Ponomarev" in one article and "Ilya Ponomarev" in another are one person
when the index already holds exactly one full name ending in "Ponomarev"
for that outlet and time window. The caller fetches those names (one
batched lookup per ingest batch) and hands them over as data; this module
only decides, so it is tested without a server.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from newsfacet.ingest.canonical import fold_key
from newsfacet.models.entry import Entity


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
