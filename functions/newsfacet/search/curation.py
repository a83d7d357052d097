"""Curation at query time: filters, facets and hits as the curation table says, at once. Pure.

Stored entries follow a change only after the background pass
(:mod:`newsfacet.curation.rewrite`); until then search reads them through the
table itself:

* a filter on a value matches every entry whose tagged keys count as it
  (a merged-away key still stored on an entry counts as its target; a hidden
  value matches nothing);
* entity facets leave out names that were merged away or hidden, and count a
  value a pending change touched with one ``filters`` bucket over its tagged
  keys (exact: an entry carrying two merged keys counts once, never the sum
  of two buckets);
* hits and entries show their keys read through the table.

Once a change's pass is done, stored fields are right and these values cost
nothing extra: only pending values get a ``filters`` bucket.
"""

from __future__ import annotations

from typing import Any

from newsfacet.models.api import SearchParams
from newsfacet.models.curation_table import CurationTable, carrying_query
from newsfacet.models.responses import EntitySuggestion, FacetValue

MATCH_NONE: dict[str, Any] = {"bool": {"must_not": [{"match_all": {}}]}}


def resolve_keys(keys: list[str | None], table: CurationTable) -> list[str | None]:
    """Filter keys as the values they count as now (a hidden key stays, and matches nothing)."""
    return [key and (table.resolve(key) or key) for key in keys]


def drop_moved(found: list[EntitySuggestion], table: CurationTable) -> list[EntitySuggestion]:
    """Suggestions without names that were merged away or hidden."""
    return [s for s in found if s.key not in table.moved]


def entity_filter(key: str, table: CurationTable) -> dict[str, Any]:
    """The filter clause for one selected entity value."""
    value = table.resolve(key)
    if value is None:
        return MATCH_NONE
    group = table.group(value)
    if len(group) == 1 and value not in table.pending:
        return {"term": {"entities": value}}
    return carrying_query(group)


def curate_facet(
    aggs: dict[str, Any], facet: str, entity_type: str, table: CurationTable, stories: bool
) -> None:
    """Leave merged-away and hidden names out of ``aggs[facet]``; count pending values exactly."""
    moved = table.moved_names(entity_type)
    if moved:
        aggs[facet]["terms"]["exclude"] = moved
    prefix = f"{entity_type}:"
    pending = sorted(v for v in table.pending if v.startswith(prefix))
    if pending:
        aggs[f"{facet}_curated"] = {
            "filters": {"filters": {v: carrying_query(table.group(v)) for v in pending}},
            "aggs": dict(aggs[facet].get("aggs", {})) if stories else {},
        }


def fold_facet(
    values: list[FacetValue],
    curated: dict[str, Any] | None,
    *,
    size: int | None,
    selected: list[str],
    excluded: list[str] | None = None,
) -> list[FacetValue]:
    """Counts of pending values from their ``filters`` buckets; with ``size``, the top again.

    Args:
        values: facet values built from the terms buckets.
        curated: the raw ``<facet>_curated`` aggregation, or None.
        size: the facet's size: pending values missing from ``values`` join
            them and the list is ordered and cut again. None: replace counts only.
        selected: the selected keys, to mark added values.
    """
    if not curated:
        return values
    exact: dict[str, FacetValue] = {}
    for value, bucket in curated.get("buckets", {}).items():
        _, _, name = value.partition(":")
        stories = bucket.get("stories", {}).get("value")
        exact[value] = FacetValue(
            value=value,
            label=name,
            count=bucket["doc_count"],
            stories=stories,
            selected=value in selected,
            excluded=value in (excluded or []),
        )
    folded = [
        v.model_copy(update={"count": exact[v.value].count, "stories": exact[v.value].stories})
        if v.value in exact
        else v
        for v in values
    ]
    if size is None:
        return folded
    shown = {v.value for v in folded}
    folded += [v for key, v in exact.items() if key not in shown and v.count > 0]
    folded.sort(key=lambda v: (-v.count, v.label or v.value))
    return folded[:size]


def fold_entity_facet(
    top: list[FacetValue],
    chosen: list[FacetValue],
    aggs: dict[str, Any],
    facet: str,
    params: SearchParams,
) -> tuple[list[FacetValue], list[FacetValue]]:
    """One entity facet's top and selected values, with pending values counted exactly."""
    curated = aggs.get(f"{facet}_curated")
    size = params.facets.get(facet)  # type: ignore[call-overload]
    return (
        fold_facet(top, curated, size=size, selected=params.entity, excluded=params.exclude_entity),
        fold_facet(
            chosen, curated, size=None, selected=params.entity, excluded=params.exclude_entity
        ),
    )


def curate_source(source: dict[str, Any], table: CurationTable) -> None:
    """Set a stored entry's ``entities`` to its tagged keys read through the table, in place."""
    if not table.moved and not table.pending:
        return  # the stored keys are the curated ones
    tagged = source.get("tagged_entities")
    if tagged is None:
        tagged = source.get("entities") or []
    source["entities"] = table.curate(tagged)
