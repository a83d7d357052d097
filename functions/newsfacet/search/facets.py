"""Facet aggregations for one search. Pure: no client, no I/O.

Layout of the ``aggs`` object (the response mapper reads the same names):

* ``all``: filtered by every multi-select selection; holds the story and
  undated counts, the entity facets (drill-down) and the date histogram (over
  dated entries; ``undated`` counts the others).
* ``ms_<facet>``: one per multi-select facet, filtered by every selection
  except its own, with ``values`` (the top N) and ``selected`` (the selected
  and excluded values, counted even when they fall outside the top N or have
  no hits) and, for outlets, ``unknown`` (entries with no outlet).
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta
from typing import Any

from newsfacet.errors import InvalidRequestError
from newsfacet.lucene import literal
from newsfacet.models.api import MAX_DATE_BUCKETS, UNKNOWN_OUTLET, BucketInterval, SearchParams
from newsfacet.search.curation import curate_facet
from newsfacet.search.lookup import ENTITY_FIELDS, name_regexp, prefix_match
from newsfacet.search.names import NameTable
from newsfacet.search.query import MULTI_SELECT, multi_select_filters, scored_query

# Stories per facet value: exact below this many distinct clusters per bucket.
STORY_PRECISION = 3000
TOTAL_STORY_PRECISION = 40000
# `auto` picks the finest interval with at most this many buckets over the range.
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


def choose_interval(
    params: SearchParams, held: tuple[datetime, datetime] | None = None
) -> BucketInterval:
    """The calendar interval of the date histogram, in the one interval vocabulary.

    ``auto`` picks the finest interval with at most ``AUTO_BUCKETS`` buckets over
    the range asked for; an open end of the range is taken from the dates the
    index holds (``held``: its first and last publication time), so the
    reported interval is always a word the request could have sent.

    Raises:
        InvalidRequestError: the range and interval would make too many buckets.
    """
    span = _span_seconds(params, held)
    if params.interval == "auto":
        if span is None:
            return "month"
        for name in ("hour", "day", "week", "month", "quarter"):
            if span / _APPROX_SECONDS[name] <= AUTO_BUCKETS:
                return name
        return "year"
    if span is not None and span / _APPROX_SECONDS[params.interval] > MAX_DATE_BUCKETS:
        raise InvalidRequestError(
            f"interval={params.interval} over this range makes more than {MAX_DATE_BUCKETS} "
            "buckets; pick a wider interval or a shorter range",
            parameter="interval",
        )
    return params.interval


def _span_seconds(params: SearchParams, held: tuple[datetime, datetime] | None) -> float | None:
    start = params.date_from or (held[0] if held else None)
    end = params.date_to or (held[1] if held else None)
    if start is None or end is None:
        return None
    return max((end - start).total_seconds(), 0.0)


def _millis(value: datetime) -> int:
    return int(value.timestamp() * 1000)


def date_histogram(params: SearchParams, interval: BucketInterval) -> dict[str, Any]:
    """Buckets over dated entries only: undated ones are counted apart (``undated``)."""
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


UNDATED = {"filter": {"bool": {"must_not": [{"exists": {"field": "published"}}]}}}


def build_aggregations(
    params: SearchParams, held: tuple[datetime, datetime] | None = None
) -> dict[str, Any]:
    """Counts and every requested facet, with multi-select and drill-down semantics."""
    selections = multi_select_filters(params)
    inner: dict[str, Any] = {
        **_stories(precision=TOTAL_STORY_PRECISION),
        "undated": UNDATED,
    }
    for type_name, field in ENTITY_FIELDS.items():
        facet = type_name.lower()
        size = params.facets.get(facet)  # type: ignore[call-overload]
        if size is None or (params.entity_type and params.entity_type != type_name):
            continue
        inner[facet] = _terms(field, size, params.facet_stories)
        curate_facet(inner, facet, type_name, params.curation, params.facet_stories)
        chosen = [
            k.split(":", 1)[1]
            for k in [*params.entity, *params.exclude_entity]
            if k.startswith(f"{type_name}:")
        ]
        if chosen:
            inner[f"{facet}_selected"] = _selected(field, chosen, params.facet_stories)
    if "date" in params.facets:
        inner["date"] = date_histogram(params, choose_interval(params, held))
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
        if facet == "outlet":
            # Entries whose outlet is not known: the explicit "unknown" value.
            sub["unknown"] = {"missing": {"field": field}, "aggs": _stories(params.facet_stories)}
        named: list[str] = [
            v
            for v in [*getattr(params, param), *getattr(params, f"exclude_{param}")]
            if not (facet == "outlet" and v == UNKNOWN_OUTLET)
        ]
        if named:
            sub["selected"] = _selected(field, named, params.facet_stories, name_agg)
        aggs[f"ms_{facet}"] = {"filter": _all_of(others), "aggs": sub}
    return aggs


def _all_of(filters: list[dict[str, Any]]) -> dict[str, Any]:
    return {"bool": {"filter": filters}} if filters else {"match_all": {}}


# Facets whose values can be searched by /facets/{name}: field of each.
SEARCHABLE_FACETS: dict[str, str] = {
    **{t.lower(): f for t, f in ENTITY_FIELDS.items()},
    **{facet: field for facet, (field, _param) in MULTI_SELECT.items()},
}


def build_facet_values_query(
    params: SearchParams,
    facet: str,
    prefix: str | None,
    size: int,
    names: NameTable | None = None,
) -> dict[str, Any]:
    """One facet's values starting with ``prefix`` (or a word of them), under the search's filters.

    Counts mean what the search's facet counts mean: a multi-select facet
    counts without its own selection, an entity facet with every filter.
    Outlets match their domain or their display name.
    """
    field = SEARCHABLE_FACETS[facet]
    selections = multi_select_filters(params)
    others = [f for name, f in selections.items() if name != facet]
    query = scored_query(params, names)
    query["bool"]["filter"] = query["bool"]["filter"] + others
    aggs: dict[str, Any] = {}
    if facet in MULTI_SELECT and facet != "outlet":
        terms: dict[str, Any] = {"field": field, "size": size}
        if prefix:
            terms["include"] = name_regexp(prefix, prefix=True)
        aggs["values"] = {"terms": terms, "aggs": _stories(params.facet_stories)}
    elif facet == "outlet":
        name_agg = {"name": {"terms": {"field": "outlet_name", "size": 1}}}
        terms = {"field": "outlet", "size": size}
        by_name: dict[str, Any] = {"field": "outlet_name", "size": size}
        if prefix:
            terms["include"] = name_regexp(prefix, prefix=True).replace("( |\\-)", "( |\\-|\\.)")
            by_name["include"] = name_regexp(prefix, prefix=True)
        aggs["values"] = {"terms": terms, "aggs": name_agg}
        aggs["by_name"] = {
            "terms": by_name,
            "aggs": {"domain": {"terms": {"field": "outlet", "size": 1}}},
        }
    else:
        terms = {"field": field, "size": size, "shard_size": max(size * 5, 100)}
        aggs["values"] = {"terms": terms}
        # As the search's entity facets: merged-away and hidden names left out, values a
        # pending change touched counted exactly (search/curation.py).
        curate_facet(aggs, "values", facet.upper(), params.curation, params.facet_stories)
        if prefix:
            terms["include"] = name_regexp(prefix, prefix=True)
            if "exclude" in terms:  # a regexp include takes a regexp exclude
                terms["exclude"] = "|".join(literal(name) for name in terms["exclude"])
            query["bool"]["filter"].append(_prefix_scope(aggs, field, prefix))
    return {"size": 0, "track_total_hits": False, "query": query, "aggs": aggs}


def _prefix_scope(aggs: dict[str, Any], field: str, prefix: str) -> dict[str, Any]:
    """Entries with a name starting with ``prefix``, and those carrying a pending value that
    does (they count towards it, whatever key they are filed under yet)."""
    match = prefix_match(field, prefix)
    curated = aggs.get("values_curated", {}).get("filters", {})
    if not curated:
        return match
    kept = {k: q for k, q in curated["filters"].items() if name_starts(k, prefix)}
    if not kept:
        del aggs["values_curated"]
        return match
    curated["filters"] = kept
    return {"bool": {"should": [match, *kept.values()], "minimum_should_match": 1}}


def name_starts(key: str, prefix: str) -> bool:
    """Whether an entity key's name, or a word of it, starts with ``prefix`` (case and accents
    ignored), as the facet-values query's regular expression matches stored names."""
    name = _fold(key.partition(":")[2])
    wanted = _fold(prefix)
    words = name.replace("-", " ").split()
    return name.startswith(wanted) or any(w.startswith(wanted) for w in words)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
