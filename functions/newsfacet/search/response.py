"""Raw OpenSearch responses to API models. Pure: no client, no I/O."""

from __future__ import annotations

import html
from typing import Any

from newsfacet.ingest.clusters import MAX_COPIES
from newsfacet.models.api import (
    Copy,
    EntityRef,
    EntitySuggestion,
    EntryResponse,
    Facet,
    FacetValue,
    Hit,
    OutletStats,
    SearchParams,
)
from newsfacet.search.facets import choose_interval
from newsfacet.search.query import ENTITY_FIELDS, MULTI_SELECT


def snippet(hit: dict[str, Any]) -> str:
    """Highlighted fragments (OpenSearch already HTML-escaped them), or the escaped opening."""
    fragments = hit.get("highlight", {}).get("body")
    if fragments:
        return " … ".join(fragments)
    return html.escape((hit.get("_source", {}).get("body") or "")[:200])


def map_copy(source: dict[str, Any], entry_id: str) -> Copy:
    return Copy(
        id=entry_id,
        title=source.get("title"),
        outlet=source.get("outlet"),
        outlet_name=source.get("outlet_name"),
        url=source.get("url"),
        published=source.get("published"),
    )


def map_hit(hit: dict[str, Any]) -> Hit:
    """One hit; its cluster's size and first copies come with it (a singleton has none)."""
    source = hit["_source"]
    cluster = source.get("cluster") or hit["_id"]
    total = source.get("cluster_size") or 1
    members = [
        map_copy(c, str(c["id"]))
        for c in source.get("cluster_copies") or ()
        if isinstance(c, dict) and c.get("id")
    ]
    return Hit(
        id=hit["_id"],
        title=source.get("title"),
        snippet=snippet(hit),
        outlet=source.get("outlet"),
        outlet_name=source.get("outlet_name"),
        url=source.get("url"),
        published=source.get("published"),
        authors=source.get("authors") or [],
        entities=source.get("entities") or [],
        cited_outlets=source.get("cited_outlets") or [],
        cluster=cluster,
        also_reported_by=[m for m in members if m.id != hit["_id"]][:MAX_COPIES],
        copies=total,
        score=hit.get("_score"),
    )


def _value(bucket: dict[str, Any], value: str, label: str | None, selected: bool) -> FacetValue:
    return FacetValue(
        value=value,
        label=label,
        count=bucket["doc_count"],
        stories=bucket["stories"]["value"] if "stories" in bucket else None,
        selected=selected,
    )


def _with_selected(
    top: list[FacetValue], chosen: list[FacetValue], wanted: list[str], stories: bool
) -> Facet:
    """The top values, then every selected value not among them (zero hits included)."""
    by_value = {v.value: v for v in top}
    values = list(top)
    counted = {v.value: v for v in chosen}
    for value in wanted:
        if value in by_value:
            continue
        values.append(
            counted.get(value)
            or FacetValue(value=value, count=0, stories=0 if stories else None, selected=True)
        )
    return Facet(values=values)


def _label(bucket: dict[str, Any]) -> str | None:
    names = bucket.get("name", {}).get("buckets", [])
    return str(names[0]["key"]) if names else None


def map_facets(aggs: dict[str, Any], params: SearchParams) -> dict[str, Facet]:
    facets: dict[str, Facet] = {}
    inner = aggs.get("all", {})
    for type_name in ENTITY_FIELDS:
        facet = type_name.lower()
        if facet not in inner:
            continue
        wanted = [k for k in params.entity if k.startswith(f"{type_name}:")]

        def entity_value(bucket: dict[str, Any], type_name: str = type_name) -> FacetValue:
            key = f"{type_name}:{bucket['key']}"
            return _value(bucket, key, str(bucket["key"]), key in params.entity)

        top = [entity_value(b) for b in inner[facet]["buckets"]]
        chosen = [entity_value(b) for b in inner.get(f"{facet}_selected", {}).get("buckets", [])]
        facets[facet] = _with_selected(top, chosen, wanted, params.facet_stories)
    if "date" in inner:
        date = inner["date"]
        facets["date"] = Facet(
            values=[_value(b, b["key_as_string"], None, False) for b in date["buckets"]],
            # auto_date_histogram reports its interval ("7d"); otherwise it is ours.
            interval=date.get("interval") or choose_interval(params),
        )
    for facet, (_field, param) in MULTI_SELECT.items():
        agg = aggs.get(f"ms_{facet}")
        if agg is None:
            continue
        wanted = list(getattr(params, param))
        top = [
            _value(b, str(b["key"]), _label(b), b["key"] in wanted)
            for b in agg["values"]["buckets"]
        ]
        chosen = [
            _value(b, str(b["key"]), _label(b), True)
            for b in agg.get("selected", {}).get("buckets", [])
        ]
        facets[facet] = _with_selected(top, chosen, wanted, params.facet_stories)
    return facets


def map_entry(source: dict[str, Any], entry_id: str, members: list[Copy]) -> EntryResponse:
    return EntryResponse(
        id=entry_id,
        kind=source.get("kind"),
        title=source.get("title"),
        body=source.get("body") or "",
        published=source.get("published"),
        outlet=source.get("outlet"),
        outlet_name=source.get("outlet_name"),
        url=source.get("url"),
        language=source.get("language"),
        authors=source.get("authors") or [],
        entities=source.get("entities") or [],
        mentions=source.get("mentions") or [],
        cited_outlets=source.get("cited_outlets") or [],
        cluster=source.get("cluster") or entry_id,
        cluster_members=members,
        sources=source.get("sources") or [],
    )


def map_suggestions(aggs: dict[str, Any], size: int) -> list[EntitySuggestion]:
    found: list[EntitySuggestion] = []
    for type_name in ENTITY_FIELDS:
        if type_name not in aggs:
            continue
        for bucket in aggs[type_name]["names"]["buckets"]:
            name = str(bucket["key"])
            found.append(
                EntitySuggestion(
                    key=f"{type_name}:{name}",
                    type=type_name,
                    name=name,
                    count=bucket["doc_count"],
                )
            )
    found.sort(key=lambda s: (-s.count, s.name.casefold(), s.type))
    return found[:size]


def map_outlets(aggs: dict[str, Any]) -> list[OutletStats]:
    return [
        OutletStats(
            outlet=str(b["key"]),
            name=_label(b),
            entries=b["doc_count"],
            first_published=b["first"].get("value_as_string"),
            last_published=b["last"].get("value_as_string"),
        )
        for b in aggs["outlets"]["buckets"]
    ]


def entity_refs(inputs: list[str], keys: list[str | None]) -> list[EntityRef]:
    return [EntityRef(input=i, key=k) for i, k in zip(inputs, keys, strict=True)]
