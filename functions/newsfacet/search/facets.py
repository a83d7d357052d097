"""Facet aggregations for one search. Pure: no client, no I/O.

Layout of the ``aggs`` object (the response mapper reads the same names):

* ``all``: filtered by every multi-select selection; holds the entry and
  story counts, the entity facets (drill-down) and the date histogram.
* ``ms_<facet>``: one per multi-select facet, filtered by every selection
  except its own, with ``values`` (the top N) and ``selected`` (the selected
  values, counted even when they fall outside the top N or have no hits).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from newsfacet.errors import InvalidRequestError
from newsfacet.models.api import MAX_DATE_BUCKETS, SearchParams
from newsfacet.search.query import ENTITY_FIELDS, MULTI_SELECT, multi_select_filters

# Stories per facet value: exact below this many distinct clusters per bucket.
STORY_PRECISION = 3000
TOTAL_STORY_PRECISION = 40000
AUTO_BUCKETS = 60

_APPROX_SECONDS = {
    "hour": 3600,
    "day": 86400,
    "week": 7 * 86400,
    "month": 28 * 86400,
    "quarter": 90 * 86400,
    "year": 365 * 86400,
}


def _stories(wanted: bool = True, precision: int = STORY_PRECISION) -> dict[str, Any]:
    # Per-value story counts cost a cardinality per bucket (3-4x the facet time
    # on 100k entries), so they are computed only when asked (facet_stories).
    if not wanted:
        return {}
    # Over the cluster id as a number (ingest/clusters.py: cluster_hash): a cardinality
    # over the keyword looks every document's term up first, 2.5x the time at 300k
    # entries (bench/search_latency.py, "choices").
    return {"stories": {"cardinality": {"field": "cluster_hash", "precision_threshold": precision}}}


def _terms(
    field: str, size: int, stories: bool, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        # shard_size keeps counts exact on multi-shard indexes for all but the long tail.
        "terms": {"field": field, "size": size, "shard_size": max(size * 5, 100)},
        "aggs": {**_stories(stories), **(extra or {})},
    }


def _selected(
    field: str, values: list[str], stories: bool, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    # include= an exact list: counts the selected values whatever their rank;
    # min_doc_count 0 keeps those with no hits.
    return {
        "terms": {"field": field, "include": values, "size": len(values), "min_doc_count": 0},
        "aggs": {**_stories(stories), **(extra or {})},
    }


def choose_interval(params: SearchParams) -> str | None:
    """The calendar interval for the date histogram, or None for ``auto_date_histogram``.

    ``auto`` with both ends of the range picks the finest interval that stays
    around a hundred buckets; ``auto`` with an open range lets OpenSearch pick.

    Raises:
        InvalidRequestError: the range and interval would make too many buckets.
    """
    span = _span_seconds(params)
    if params.interval == "auto":
        if span is None:
            return None
        for name in ("hour", "day", "week", "month", "quarter"):
            if span / _APPROX_SECONDS[name] <= 100:
                return name
        return "year"
    if span is not None and span / _APPROX_SECONDS[params.interval] > MAX_DATE_BUCKETS:
        raise InvalidRequestError(
            f"interval={params.interval} over this range makes more than {MAX_DATE_BUCKETS} "
            "buckets; pick a wider interval or a shorter range",
            parameter="interval",
        )
    return params.interval


def _span_seconds(params: SearchParams) -> float | None:
    if params.date_from is None or params.date_to is None:
        return None
    return max((params.date_to - params.date_from).total_seconds(), 0.0)


def _millis(value: datetime) -> int:
    return int(value.timestamp() * 1000)


def date_histogram(params: SearchParams) -> dict[str, Any]:
    interval = choose_interval(params)
    if interval is None:
        return {
            "auto_date_histogram": {
                "field": "published",
                "buckets": AUTO_BUCKETS,
                "time_zone": params.tz,
                "format": "strict_date_optional_time",
            },
            "aggs": _stories(params.facet_stories),
        }
    histogram: dict[str, Any] = {
        "field": "published",
        "calendar_interval": interval,
        "time_zone": params.tz,
        "min_doc_count": 0,
        "format": "strict_date_optional_time",
    }
    bounds: dict[str, int] = {}
    if params.date_from is not None:
        bounds["min"] = _millis(params.date_from)
    if params.date_to is not None:
        end = (
            params.date_to - timedelta(milliseconds=1)
            if params.date_to_exclusive
            else params.date_to
        )
        bounds["max"] = _millis(end)
    if bounds:
        # Empty buckets across the whole selected range, not only between hits.
        histogram["extended_bounds"] = bounds
    return {"date_histogram": histogram, "aggs": _stories(params.facet_stories)}


def build_aggregations(params: SearchParams) -> dict[str, Any]:
    """Counts and every requested facet, with multi-select and drill-down semantics."""
    selections = multi_select_filters(params)
    inner: dict[str, Any] = {**_stories(precision=TOTAL_STORY_PRECISION)}
    for type_name, field in ENTITY_FIELDS.items():
        facet = type_name.lower()
        size = params.facets.get(facet)  # type: ignore[call-overload]
        if size is None or (params.entity_type and params.entity_type != type_name):
            continue
        inner[facet] = _terms(field, size, params.facet_stories)
        chosen = [k.split(":", 1)[1] for k in params.entity if k.startswith(f"{type_name}:")]
        if chosen:
            inner[f"{facet}_selected"] = _selected(field, chosen, params.facet_stories)
    if "date" in params.facets:
        inner["date"] = date_histogram(params)
    aggs: dict[str, Any] = {"all": {"filter": _all_of(list(selections.values())), "aggs": inner}}

    for facet, (field, param) in MULTI_SELECT.items():
        size = params.facets.get(facet)  # type: ignore[call-overload]
        if size is None:
            continue
        others = [f for name, f in selections.items() if name != facet]
        name_agg = (
            {"name": {"terms": {"field": "outlet_name", "size": 1}}} if facet == "outlet" else None
        )
        sub: dict[str, Any] = {"values": _terms(field, size, params.facet_stories, name_agg)}
        chosen_values: list[str] = getattr(params, param)
        if chosen_values:
            sub["selected"] = _selected(field, chosen_values, params.facet_stories, name_agg)
        aggs[f"ms_{facet}"] = {"filter": _all_of(others), "aggs": sub}
    return aggs


def _all_of(filters: list[dict[str, Any]]) -> dict[str, Any]:
    return {"bool": {"filter": filters}} if filters else {"match_all": {}}
