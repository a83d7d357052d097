"""Raw OpenSearch responses to API models. Pure: no client, no I/O."""

from __future__ import annotations

import html
from typing import Any

from newsfacet.models.api import FacetValue, Hit, SearchParams, SearchResponse
from newsfacet.search.query import ENTITY_TYPES


def _snippet(hit: dict[str, Any]) -> str:
    fragments = hit.get("highlight", {}).get("body")
    if fragments:
        return " … ".join(fragments)
    source = hit.get("_source", {})
    return html.escape((source.get("body") or "")[:200])


def map_hit(hit: dict[str, Any]) -> Hit:
    source = hit["_source"]
    return Hit(
        id=hit["_id"],
        title=source.get("title"),
        snippet=_snippet(hit),
        outlet=source.get("outlet"),
        outlet_name=source.get("outlet_name"),
        url=source.get("url"),
        published=source.get("published"),
        authors=source.get("authors", []),
        entities=source.get("entities", []),
        cited_outlets=source.get("cited_outlets", []),
        cluster=source.get("cluster", hit["_id"]),
        score=hit.get("_score"),
    )


def _outlet_facet(aggs: dict[str, Any], selected: list[str]) -> list[FacetValue]:
    values: dict[str, FacetValue] = {}
    for bucket in aggs["outlet"]["buckets"]:
        names = bucket.get("name", {}).get("buckets", [])
        values[bucket["key"]] = FacetValue(
            value=bucket["key"],
            label=names[0]["key"] if names else None,
            count=bucket["doc_count"],
            selected=bucket["key"] in selected,
        )
    for value in selected:
        if value not in values:
            values[value] = FacetValue(value=value, count=0, selected=True)
    return list(values.values())


def map_response(
    raw: dict[str, Any], params: SearchParams, next_cursor: str | None
) -> SearchResponse:
    aggs = raw.get("aggregations", {})
    scoped = aggs.get("scoped", {})
    entity_facets = {
        type_name: [
            FacetValue(
                value=f"{type_name}:{bucket['key']}",
                label=bucket["key"],
                count=bucket["doc_count"],
                selected=f"{type_name}:{bucket['key']}" in params.entity,
            )
            for bucket in scoped.get(f"entity_{type_name}", {}).get("buckets", [])
        ]
        for type_name in ENTITY_TYPES
    }
    date_facet = [
        FacetValue(value=bucket["key_as_string"][:10], count=bucket["doc_count"])
        for bucket in scoped.get("date", {}).get("buckets", [])
    ]
    return SearchResponse(
        total=raw["hits"]["total"]["value"],
        hits=[map_hit(hit) for hit in raw["hits"]["hits"]],
        facets={
            "outlet": _outlet_facet(aggs, params.outlet) if aggs else [],
            "entity": entity_facets,
            "date": date_facet,
        },
        next_cursor=next_cursor,
    )
