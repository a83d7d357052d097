"""Brute-force answers computed from the stored entries, to check the API's numbers against."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

Entry = dict[str, Any]


def published(entry: Entry) -> datetime:
    return datetime.fromisoformat(entry["published"].replace("Z", "+00:00"))


def text(entry: Entry) -> str:
    return f"{entry.get('title') or ''}\n{entry.get('body') or ''}"


def matching(
    entries: Iterable[Entry],
    *,
    outlet: list[str] | None = None,
    cited: list[str] | None = None,
    lang: list[str] | None = None,
    entity: list[str] | None = None,
    where: Callable[[Entry], bool] | None = None,
) -> list[Entry]:
    """Entries passing OR within each multi-select filter and AND across entities."""
    found = []
    for e in entries:
        if outlet and e.get("outlet") not in outlet:
            continue
        if cited and not set(cited) & set(e.get("cited_outlets") or []):
            continue
        if lang and e.get("language") not in lang:
            continue
        if entity and not set(entity) <= set(e.get("entities") or []):
            continue
        if where and not where(e):
            continue
        found.append(e)
    return found


def value_counts(
    entries: list[Entry], values_of: Callable[[Entry], Iterable[str]]
) -> dict[str, tuple[int, int]]:
    """value -> (entries, distinct clusters)."""
    count: Counter[str] = Counter()
    clusters: dict[str, set[str]] = {}
    for e in entries:
        for value in set(values_of(e)):
            count[value] += 1
            clusters.setdefault(value, set()).add(e["cluster"])
    return {v: (n, len(clusters[v])) for v, n in count.items()}


def facet_counts(body: dict[str, Any], name: str) -> dict[str, tuple[int, int]]:
    return {v["value"]: (v["count"], v["stories"]) for v in body["facets"][name]["values"]}


def stories(entries: list[Entry]) -> int:
    return len({e["cluster"] for e in entries})
