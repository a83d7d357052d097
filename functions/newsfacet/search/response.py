"""Raw OpenSearch responses to API models. Pure: no client, no I/O."""

from __future__ import annotations

import html
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from newsfacet.ingest.clusters import MAX_COPIES
from newsfacet.models.api import UNKNOWN_OUTLET, BucketInterval, SearchParams
from newsfacet.models.responses import (
    Copy,
    EntityRef,
    EntitySuggestion,
    EntryResponse,
    Facet,
    FacetValue,
    Hit,
    OutletStats,
)
from newsfacet.search.curation import fold_entity_facet, fold_facet
from newsfacet.search.lookup import ENTITY_FIELDS
from newsfacet.search.query import MULTI_SELECT

UNKNOWN_OUTLET_LABEL = "Unknown outlet"


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
        published_source=source.get("published_source"),
        ingested_at=source.get("ingested_at"),
        warnings=source.get("warnings") or [],
        language=source.get("language"),
        authors=source.get("authors") or [],
        entities=source.get("entities") or [],
        cited_outlets=source.get("cited_outlets") or [],
        cluster=cluster,
        also_reported_by=[m for m in members if m.id != hit["_id"]][:MAX_COPIES],
        copies=total,
        score=hit.get("_score"),
    )


def _value(
    bucket: dict[str, Any], value: str, label: str | None, selected: bool, excluded: bool = False
) -> FacetValue:
    return FacetValue(
        value=value,
        label=label,
        count=bucket["doc_count"],
        stories=bucket["stories"]["value"] if "stories" in bucket else None,
        selected=selected,
        excluded=excluded,
    )


def _with_selected(
    top: list[FacetValue],
    chosen: list[FacetValue],
    wanted: list[str],
    stories: bool,
    excluded: list[str],
) -> list[FacetValue]:
    """The top values, then every selected or excluded value not among them (zero hits too)."""
    by_value = {v.value: v for v in top}
    values = list(top)
    counted = {v.value: v for v in chosen}
    for value in [*wanted, *excluded]:
        if value in by_value:
            continue
        by_value[value] = counted.get(value) or FacetValue(
            value=value,
            count=0,
            stories=0 if stories else None,
            selected=value in wanted,
            excluded=value in excluded,
        )
        values.append(by_value[value])
    return values


def _label(bucket: dict[str, Any]) -> str | None:
    names = bucket.get("name", {}).get("buckets", [])
    return str(names[0]["key"]) if names else None


def bucket_label(start: datetime, interval: BucketInterval) -> str:
    """A bucket's name for people: "2023-05-24", "May 2023", "Q2 2023"..."""
    if interval == "hour":
        return start.strftime("%Y-%m-%d %H:00")
    if interval == "day":
        return start.strftime("%Y-%m-%d")
    if interval == "week":
        return f"week of {start:%Y-%m-%d}"
    if interval == "month":
        return start.strftime("%B %Y")
    if interval == "quarter":
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    return str(start.year)


def bucket_end(start: datetime, interval: BucketInterval, zone: ZoneInfo) -> datetime:
    """The first instant of the next bucket, in the same zone (calendar arithmetic)."""
    local = start.astimezone(zone).replace(tzinfo=None)
    if interval == "hour":
        return (start + timedelta(hours=1)).astimezone(zone)
    if interval in {"day", "week"}:
        nxt = local + timedelta(days=1 if interval == "day" else 7)
    else:
        months = {"month": 1, "quarter": 3, "year": 12}[interval]
        total = local.year * 12 + local.month - 1 + months
        nxt = local.replace(year=total // 12, month=total % 12 + 1, day=1)
    return nxt.replace(tzinfo=zone)


def map_date_facet(agg: dict[str, Any], undated: int, interval: BucketInterval, tz: str) -> Facet:
    zone = ZoneInfo(tz)
    values = []
    for bucket in agg["buckets"]:
        start = datetime.fromisoformat(bucket["key_as_string"].replace("Z", "+00:00"))
        value = _value(bucket, bucket["key_as_string"], bucket_label(start, interval), False)
        value.start = start
        value.end = bucket_end(start, interval, zone)
        values.append(value)
    return Facet(values=values, interval=interval, undated=undated)


def map_facets(
    aggs: dict[str, Any], params: SearchParams, interval: BucketInterval | None = None
) -> dict[str, Facet]:
    facets: dict[str, Facet] = {}
    inner = aggs.get("all", {})
    for type_name in ENTITY_FIELDS:
        facet = type_name.lower()
        if facet not in inner:
            continue
        wanted = [k for k in params.entity if k.startswith(f"{type_name}:")]
        excluded = [k for k in params.exclude_entity if k.startswith(f"{type_name}:")]

        def entity_value(bucket: dict[str, Any], type_name: str = type_name) -> FacetValue:
            key = f"{type_name}:{bucket['key']}"
            return _value(
                bucket, key, str(bucket["key"]), key in params.entity, key in params.exclude_entity
            )

        agg = inner[facet]
        top = [entity_value(b) for b in agg["buckets"]]
        chosen = [entity_value(b) for b in inner.get(f"{facet}_selected", {}).get("buckets", [])]
        # Values a pending curation change touched are counted exactly (search/curation.py).
        top, chosen = fold_entity_facet(top, chosen, inner, facet, params)
        values = _with_selected(top, chosen, wanted, params.facet_stories, excluded)
        for v in values:
            if v.label is None:
                v.label = v.value.split(":", 1)[1]
        facets[facet] = Facet(values=values, other=agg.get("sum_other_doc_count"))
    if "date" in inner and interval is not None:
        facets["date"] = map_date_facet(
            inner["date"], int(inner.get("undated", {}).get("doc_count", 0)), interval, params.tz
        )
    for facet, (_field, param) in MULTI_SELECT.items():
        agg = aggs.get(f"ms_{facet}")
        if agg is None:
            continue
        wanted = list(getattr(params, param))
        excluded = list(getattr(params, f"exclude_{param}"))
        top = [
            _value(b, str(b["key"]), _label(b), b["key"] in wanted, b["key"] in excluded)
            for b in agg["values"]["buckets"]
        ]
        if facet == "outlet":
            unknown = agg.get("unknown", {})
            if unknown.get("doc_count") or UNKNOWN_OUTLET in wanted or UNKNOWN_OUTLET in excluded:
                top.append(
                    _value(
                        {"doc_count": unknown.get("doc_count", 0), **unknown},
                        UNKNOWN_OUTLET,
                        UNKNOWN_OUTLET_LABEL,
                        UNKNOWN_OUTLET in wanted,
                        UNKNOWN_OUTLET in excluded,
                    )
                )
        chosen = [
            _value(b, str(b["key"]), _label(b), b["key"] in wanted, b["key"] in excluded)
            for b in agg.get("selected", {}).get("buckets", [])
        ]
        values = _with_selected(top, chosen, wanted, params.facet_stories, excluded)
        facets[facet] = Facet(values=values, other=agg["values"].get("sum_other_doc_count"))
    return facets


def map_entry(source: dict[str, Any], entry_id: str, members: list[Copy]) -> EntryResponse:
    return EntryResponse(
        id=entry_id,
        kind=source.get("kind"),
        title=source.get("title"),
        body=source.get("body") or "",
        published=source.get("published"),
        published_source=source.get("published_source"),
        ingested_at=source.get("ingested_at"),
        warnings=source.get("warnings") or [],
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
            undated=b.get("undated", {}).get("doc_count", 0),
            first_published=b["first"].get("value_as_string"),
            last_published=b["last"].get("value_as_string"),
        )
        for b in aggs["outlets"]["buckets"]
    ]


def entity_refs(inputs: list[str], keys: list[str | None]) -> list[EntityRef]:
    return [EntityRef(input=i, key=k) for i, k in zip(inputs, keys, strict=True)]


def map_facet_values(
    aggs: dict[str, Any], facet: str, params: SearchParams, size: int
) -> list[FacetValue]:
    """The answer of a facet-values query, flagged as the search facet would flag it."""
    if facet in {t.lower() for t in ENTITY_FIELDS}:
        type_name = facet.upper()
        found = []
        for b in aggs.get("values", {}).get("buckets", []):
            key = f"{type_name}:{b['key']}"
            found.append(
                _value(b, key, str(b["key"]), key in params.entity, key in params.exclude_entity)
            )
        # Values a pending curation change touched, counted exactly (search/curation.py).
        return fold_facet(
            found,
            aggs.get("values_curated"),
            size=size,
            selected=params.entity,
            excluded=params.exclude_entity,
        )
    param = MULTI_SELECT[facet][1]
    wanted, excluded = list(getattr(params, param)), list(getattr(params, f"exclude_{param}"))
    values: dict[str, FacetValue] = {}
    for b in aggs.get("values", {}).get("buckets", []):
        key = str(b["key"])
        values[key] = _value(b, key, _label(b), key in wanted, key in excluded)
    # Outlets found by display name: their domain from the sub-aggregation.
    for b in aggs.get("by_name", {}).get("buckets", []):
        domains = b.get("domain", {}).get("buckets", [])
        if not domains or str(domains[0]["key"]) in values:
            continue
        key = str(domains[0]["key"])
        values[key] = _value(domains[0], key, str(b["key"]), key in wanted, key in excluded)
    ordered = sorted(values.values(), key=lambda v: (-v.count, v.value))
    return ordered[:size]
