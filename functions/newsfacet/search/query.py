"""Search parameters to OpenSearch DSL. Pure: no client, no I/O.

User text only ever reaches OpenSearch through :mod:`newsfacet.search.syntax`
(leaves inside ``simple_query_string`` with a restricted set of operators,
which never raises on bad syntax and cannot run scripts or regular
expressions), as exact ``term`` values, or inside regular expressions built
one escaped character at a time.

Facet semantics (documented in docs/search-api.md):

* ``outlet``, ``cited_outlet``, ``lang`` and ``author`` are multi-select:
  values of one parameter are OR-ed; each of these facets counts with every
  other filter but not its own (nor its own ``exclude_*``), so a reader can
  tick a second outlet and still sees an excluded one with its count. They are
  applied as a ``post_filter`` so that the aggregations can leave them out one
  at a time.
* ``entity`` values are AND-ed (drill down: "Gladkov AND Belgorod");
  ``exclude_entity`` removes entries mentioning any of its values. The entity
  facets count entries that match everything selected so far.
* ``from``/``to``, ``undated`` and ``q`` narrow everything, the date facet
  included.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from newsfacet.models.api import UNKNOWN_OUTLET, SearchParams
from newsfacet.search.curation import entity_filter
from newsfacet.search.names import NameTable
from newsfacet.search.syntax import check_query, expand_names, parse_query, text_query

# Facet name -> (field, the parameter that filters it) for the multi-select facets.
MULTI_SELECT = {
    "outlet": ("outlet", "outlet"),
    "cited_outlet": ("cited_outlets", "cited_outlet"),
    "language": ("language", "lang"),
    "author": ("authors", "author"),
}
# Hits carry their cluster's size and first copies (``cluster_size``,
# ``cluster_copies``, kept by ingest on every member), not the member list.
SOURCE_EXCLUDES = [
    "body",
    "minhash",
    "mentions",
    "lsh_bands",
    "sources",
    "fingerprint",
    "cluster_members",
    "cluster_hash",
]


def check_query_text(q: str | None) -> None:
    """Refuse query text that would be expensive (too many words), before OpenSearch sees it.

    Raises:
        InvalidRequestError: naming ``q``.
    """
    check_query(parse_query(q))


def query_key(params: SearchParams) -> str:
    """A digest of everything that defines the result set and order, for binding cursors."""
    data = params.model_dump(
        mode="json",
        exclude={"size", "facets", "interval", "snapshot_ms", "facet_stories"},
    )
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def scored_text(params: SearchParams, names: NameTable | None = None) -> dict[str, Any]:
    """The text part of the query: ``q`` parsed, known names given their aliases."""
    node = parse_query(params.q)
    if names is not None:
        node = expand_names(node, names)
    return text_query(node, names)


DATED = {"exists": {"field": "published"}}


def date_filter(params: SearchParams) -> list[dict[str, Any]]:
    """``from``/``to`` (which only dated entries can meet) and ``undated``."""
    bounds: dict[str, str] = {}
    if params.date_from is not None:
        bounds["gte"] = params.date_from.isoformat()
    if params.date_to is not None:
        bounds["lt" if params.date_to_exclusive else "lte"] = params.date_to.isoformat()
    filters: list[dict[str, Any]] = [{"range": {"published": bounds}}] if bounds else []
    if params.undated == "exclude":
        filters.append(DATED)
    elif params.undated == "only":
        filters.append({"bool": {"must_not": [DATED]}})
    return filters


def entity_filters(params: SearchParams) -> list[dict[str, Any]]:
    """One clause per entity (every selected entity present: AND), none of the excluded.

    Each value is read through the curation table (``search/curation.py``): a merged
    value also matches entries still stored under the names merged into it.
    """
    filters = [entity_filter(key, params.curation) for key in params.entity]
    if params.exclude_entity:
        excluded = [entity_filter(key, params.curation) for key in params.exclude_entity]
        plain = [clause["term"]["entities"] for clause in excluded if "term" in clause]
        must_not = [clause for clause in excluded if "term" not in clause]
        if plain:
            must_not.insert(0, {"terms": {"entities": plain}})
        filters.append({"bool": {"must_not": must_not}})
    return filters


def snapshot_filter(params: SearchParams) -> list[dict[str, Any]]:
    """Entries indexed by the time of the first page (or without a record of it)."""
    if params.snapshot_ms is None:
        return []
    return [
        {
            "bool": {
                "should": [
                    {
                        "range": {
                            "indexed_at": {"lte": params.snapshot_ms, "format": "epoch_millis"}
                        }
                    },
                    {"bool": {"must_not": [{"exists": {"field": "indexed_at"}}]}},
                ],
                "minimum_should_match": 1,
            }
        }
    ]


def _values_clause(field: str, values: list[str]) -> dict[str, Any]:
    """Entries having any of ``values`` in ``field``; ``unknown`` outlet: no outlet at all."""
    known = [v for v in values if not (field == "outlet" and v == UNKNOWN_OUTLET)]
    clauses: list[dict[str, Any]] = [{"terms": {field: known}}] if known else []
    if len(known) < len(values):
        clauses.append({"bool": {"must_not": [{"exists": {"field": "outlet"}}]}})
    return (
        clauses[0]
        if len(clauses) == 1
        else {"bool": {"should": clauses, "minimum_should_match": 1}}
    )


def multi_select_filters(params: SearchParams) -> dict[str, dict[str, Any]]:
    """The filter of each multi-select facet that has a selection or exclusion, by facet name."""
    filters: dict[str, dict[str, Any]] = {}
    for facet, (field, param) in MULTI_SELECT.items():
        chosen: list[str] = getattr(params, param)
        excluded: list[str] = getattr(params, f"exclude_{param}")
        clause: dict[str, Any] = {}
        if chosen:
            clause["filter"] = [_values_clause(field, chosen)]
        if excluded:
            clause["must_not"] = [_values_clause(field, excluded)]
        if clause:
            filters[facet] = {"bool": clause}
    return filters


def scored_query(params: SearchParams, names: NameTable | None = None) -> dict[str, Any]:
    """Text plus the filters every facet honours (dates, entities)."""
    return {
        "bool": {
            "must": [scored_text(params, names)],
            "filter": date_filter(params) + entity_filters(params) + snapshot_filter(params),
        }
    }


def sort_clause(params: SearchParams) -> list[Any]:
    # The id is the tie-breaker that makes search_after pages stable.
    if params.sort == "newest":
        return [{"published": {"order": "desc", "missing": "_last"}}, {"id": "asc"}]
    if params.sort == "oldest":
        return [{"published": {"order": "asc", "missing": "_last"}}, {"id": "asc"}]
    return ["_score", {"published": {"order": "desc", "missing": "_last"}}, {"id": "asc"}]


def highlight_clause() -> dict[str, Any]:
    return {
        "encoder": "html",
        "pre_tags": ["<mark>"],
        "post_tags": ["</mark>"],
        "fields": {
            "body": {"fragment_size": 180, "number_of_fragments": 2, "no_match_size": 200},
        },
    }


def build_page_query(
    params: SearchParams,
    *,
    fetch_size: int,
    search_after: list[Any] | None,
    aggregations: dict[str, Any] | None,
    names: NameTable | None = None,
) -> dict[str, Any]:
    """One slice of the ordered result stream, with highlights and (optionally) facets."""
    body: dict[str, Any] = {
        "size": fetch_size,
        "track_total_hits": True,
        "query": scored_query(params, names),
        "sort": sort_clause(params),
        "_source": {"excludes": SOURCE_EXCLUDES},
        "highlight": highlight_clause(),
    }
    post = list(multi_select_filters(params).values())
    if post:
        body["post_filter"] = {"bool": {"filter": post}}
    if search_after is not None:
        body["search_after"] = search_after
    if aggregations:
        body["aggs"] = aggregations
    if search_after is None:
        # The newest entry visible now: later pages are pinned to it.
        body.setdefault("aggs", {})["snapshot"] = {
            "global": {},
            "aggs": {"newest": {"max": {"field": "indexed_at"}}},
        }
    return body


def build_cluster_leaders_query(
    params: SearchParams, clusters: list[str], names: NameTable | None = None
) -> dict[str, Any]:
    """The first entry of each given cluster in this query's order (field collapsing).

    A cluster is shown once, at the position of its best-ranked matching
    entry. Collapsing is allowed here because this request uses no
    ``search_after``; filters run in filter context, so scores equal the page
    query's and the collapsed order is the same order.
    """
    filters = [
        *date_filter(params),
        *entity_filters(params),
        *snapshot_filter(params),
        *multi_select_filters(params).values(),
        {"terms": {"cluster": clusters}},
    ]
    return {
        "size": len(clusters),
        "track_total_hits": False,
        "query": {"bool": {"must": [scored_text(params, names)], "filter": filters}},
        "sort": sort_clause(params),
        "collapse": {"field": "cluster"},
        "_source": False,
    }
