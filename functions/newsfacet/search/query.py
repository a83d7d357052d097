"""Search parameters to OpenSearch DSL. Pure: no client, no I/O.

Facet semantics: outlets are multi-select (OR inside the facet, and the
outlet facet's counts ignore the outlet filter so a user can tick a second
one); entities drill down (AND: each selected entity narrows the result and
the entity counts honour the selection). Filters that facets must ignore go
into ``post_filter`` and into every other facet's aggregation filter.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from newsfacet.models.api import SearchParams

TEXT_FIELDS = ["title^3", "body"]
ENTITY_TYPES = {"PERSON": "entities_person", "ORG": "entities_org", "LOC": "entities_loc"}


def query_key(params: SearchParams) -> str:
    """A digest of everything that defines the result order, for binding cursors."""
    data = params.model_dump(mode="json", exclude={"search_after", "size", "facet_size"})
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def _text_query(q: str | None) -> dict[str, Any]:
    if not q or not q.strip():
        return {"match_all": {}}
    # simple_query_string never raises on user syntax and cannot run scripts or regexps.
    return {
        "simple_query_string": {
            "query": q,
            "fields": TEXT_FIELDS,
            "default_operator": "and",
            "flags": "AND|OR|NOT|PHRASE|PREFIX|PRECEDENCE|WHITESPACE|ESCAPE",
        }
    }


def _date_filter(params: SearchParams) -> list[dict[str, Any]]:
    if params.date_from is None and params.date_to is None:
        return []
    bounds: dict[str, str] = {}
    if params.date_from is not None:
        bounds["gte"] = params.date_from.isoformat()
    if params.date_to is not None:
        bounds["lte"] = params.date_to.isoformat()
    return [{"range": {"published": bounds}}]


def _sort(params: SearchParams) -> list[Any]:
    # The id is the tie-breaker that makes search_after pages stable.
    if params.sort == "newest":
        return [{"published": {"order": "desc", "missing": "_last"}}, {"id": "asc"}]
    if params.sort == "oldest":
        return [{"published": {"order": "asc", "missing": "_last"}}, {"id": "asc"}]
    return ["_score", {"published": {"order": "desc", "missing": "_last"}}, {"id": "asc"}]


def build_query(params: SearchParams) -> dict[str, Any]:
    """Build the whole search request body for one page of results with facets."""
    outlet_filter = [{"terms": {"outlet": params.outlet}}] if params.outlet else []
    entity_filters = [{"term": {"entities": key}} for key in params.entity]
    base_filters = _date_filter(params) + entity_filters

    body: dict[str, Any] = {
        "size": params.size,
        "track_total_hits": True,
        "query": {"bool": {"must": [_text_query(params.q)], "filter": base_filters}},
        "sort": _sort(params),
        "_source": {"excludes": ["body", "minhash", "mentions", "lsh_bands"]},
        "highlight": {
            "encoder": "html",
            "pre_tags": ["<mark>"],
            "post_tags": ["</mark>"],
            "fields": {
                "body": {"fragment_size": 180, "number_of_fragments": 2, "no_match_size": 200},
                "title": {"number_of_fragments": 0},
            },
        },
        "aggs": _aggregations(params, outlet_filter),
    }
    if outlet_filter:
        body["post_filter"] = {"bool": {"filter": outlet_filter}}
    if params.search_after is not None:
        body["search_after"] = params.search_after
    return body


def _aggregations(params: SearchParams, outlet_filter: list[dict[str, Any]]) -> dict[str, Any]:
    size = params.facet_size
    outlet_name = {"name": {"terms": {"field": "outlet_name", "size": 1}}}
    return {
        # The outlet facet ignores the outlet filter (multi-select) ...
        "outlet": {"terms": {"field": "outlet", "size": size}, "aggs": outlet_name},
        # ... and a selected outlet with no hits still shows, with its zero count.
        "outlet_selected": {
            "filter": {"terms": {"outlet": params.outlet}} if params.outlet else {"match_none": {}},
            "aggs": {"values": {"terms": {"field": "outlet", "size": max(len(params.outlet), 1)}}},
        },
        # Every other facet honours the outlet filter.
        "scoped": {
            "filter": {"bool": {"filter": outlet_filter}},
            "aggs": {
                **{
                    f"entity_{type_name}": {"terms": {"field": field, "size": size}}
                    for type_name, field in ENTITY_TYPES.items()
                },
                "date": {
                    "date_histogram": {
                        "field": "published",
                        "calendar_interval": "day",
                        "min_doc_count": 0,
                    }
                },
            },
        },
    }
