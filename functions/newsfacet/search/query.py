"""Search parameters to OpenSearch DSL. Pure: no client, no I/O.

User text only ever reaches OpenSearch inside ``simple_query_string`` (which
never raises on bad syntax and cannot run scripts or regular expressions) or
as exact ``term`` values. The regular expressions used for entity names are
built here, one escaped character at a time, never taken from a client.

Facet semantics (documented in docs/search-api.md):

* ``outlet``, ``cited_outlet`` and ``lang`` are multi-select: values of one
  parameter are OR-ed; each of these facets counts with every other filter but
  not its own, so a reader can tick a second outlet. They are applied as a
  ``post_filter`` so that the aggregations can leave them out one at a time.
* ``entity`` values are AND-ed (drill down: "Gladkov AND Belgorod"). The
  entity facets count entries that match everything selected so far, so each
  count is exactly what the result would hold after adding that entity.
* ``from``/``to`` and ``q`` narrow everything, the date facet included (the
  histogram zooms into the selected range and shows its empty buckets).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from newsfacet.errors import InvalidRequestError
from newsfacet.models.api import MAX_QUERY_TERMS, SearchParams

TEXT_FIELDS = ["title^3", "body"]
ENTITY_FIELDS = {"PERSON": "entities_person", "ORG": "entities_org", "LOC": "entities_loc"}
# Facet name -> (field, the parameter that filters it) for the multi-select facets.
MULTI_SELECT = {
    "outlet": ("outlet", "outlet"),
    "cited_outlet": ("cited_outlets", "cited_outlet"),
    "language": ("language", "lang"),
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
# Operators a reader may use: phrases, +/-, OR (|), prefix*, parentheses.
# FUZZY, NEAR and SLOP are left out: they multiply the terms a query expands to.
SIMPLE_QUERY_FLAGS = "AND|OR|NOT|PHRASE|PREFIX|PRECEDENCE|WHITESPACE|ESCAPE"

_TERM = re.compile(r'[^\s"()|+\-]+\*?')


def check_query_text(q: str | None) -> None:
    """Refuse query text that would be expensive, before it reaches OpenSearch.

    Raises:
        InvalidRequestError: more than ``MAX_QUERY_TERMS`` terms, or a prefix
            term (``x*``) shorter than two characters, which would expand to
            most of the index's terms.
    """
    if not q:
        return
    terms = _TERM.findall(q)
    if len(terms) > MAX_QUERY_TERMS:
        raise InvalidRequestError(
            f"q has {len(terms)} terms; at most {MAX_QUERY_TERMS} are allowed", parameter="q"
        )
    for term in terms:
        if term.endswith("*") and len(term.rstrip("*")) < 2:
            raise InvalidRequestError(
                f"prefix term {term!r} is too short: give at least two characters before '*'",
                parameter="q",
            )


def query_key(params: SearchParams) -> str:
    """A digest of everything that defines the result set and order, for binding cursors."""
    data = params.model_dump(
        mode="json",
        exclude={"search_after", "size", "facets", "interval", "snapshot_ms", "facet_stories"},
    )
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def text_query(q: str | None) -> dict[str, Any]:
    if not q or not q.strip():
        return {"match_all": {}}
    return {
        "simple_query_string": {
            "query": q,
            "fields": TEXT_FIELDS,
            "default_operator": "and",
            "flags": SIMPLE_QUERY_FLAGS,
            "analyze_wildcard": False,
        }
    }


def date_filter(params: SearchParams) -> list[dict[str, Any]]:
    bounds: dict[str, str] = {}
    if params.date_from is not None:
        bounds["gte"] = params.date_from.isoformat()
    if params.date_to is not None:
        bounds["lt" if params.date_to_exclusive else "lte"] = params.date_to.isoformat()
    return [{"range": {"published": bounds}}] if bounds else []


def entity_filters(params: SearchParams) -> list[dict[str, Any]]:
    # One term clause per entity: every selected entity must be present (AND).
    return [{"term": {"entities": key}} for key in params.entity]


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


def multi_select_filters(params: SearchParams) -> dict[str, dict[str, Any]]:
    """The OR-filter of each multi-select facet that has a selection, by facet name."""
    filters: dict[str, dict[str, Any]] = {}
    for facet, (field, param) in MULTI_SELECT.items():
        values: list[str] = getattr(params, param)
        if values:
            filters[facet] = {"terms": {field: values}}
    return filters


def scored_query(params: SearchParams) -> dict[str, Any]:
    """Text plus the filters every facet honours (dates, entities)."""
    return {
        "bool": {
            "must": [text_query(params.q)],
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
) -> dict[str, Any]:
    """One slice of the ordered result stream, with highlights and (optionally) facets."""
    body: dict[str, Any] = {
        "size": fetch_size,
        "track_total_hits": True,
        "query": scored_query(params),
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


def build_cluster_leaders_query(params: SearchParams, clusters: list[str]) -> dict[str, Any]:
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
        "query": {"bool": {"must": [text_query(params.q)], "filter": filters}},
        "sort": sort_clause(params),
        "collapse": {"field": "cluster"},
        "_source": False,
    }
