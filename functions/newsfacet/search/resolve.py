"""What people type, as the index files it: names to keys, outlets to domains, curation.

Entity filters may be canonical keys (``PERSON:Joe Biden``), known names or
aliases (from the name table, no request), or other names, resolved once to
the most frequent matching entity and cached. Outlet filters may be display
names ("The Independent"). Then the curation table of the moment: a filter
on a key merged into another follows it. Every value says how it was
understood (``ValueRef``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime

from newsfacet.models.api import UNKNOWN_OUTLET, SearchParams
from newsfacet.models.curation_table import CurationTable
from newsfacet.models.entry import ENTITY_TYPES
from newsfacet.models.responses import ValueRef
from newsfacet.search import lookup
from newsfacet.search.backend import Backend
from newsfacet.search.curation import resolve_keys
from newsfacet.search.names import NameTable

CANONICAL_KEY = re.compile(rf"^({'|'.join(ENTITY_TYPES)}):\S.*$")
# How long a container trusts its alias table, resolved names and the index's date range.
NAMES_TTL_S = 300.0


def curate_filters(
    params: SearchParams, refs: list[ValueRef], curation: CurationTable
) -> tuple[SearchParams, list[ValueRef]]:
    """Entity filters read through the curation table (a merged-away key follows its target)."""
    curated = {
        key: resolved or key
        for key, resolved in zip(
            [*params.entity, *params.exclude_entity],
            resolve_keys([*params.entity, *params.exclude_entity], curation),
            strict=True,
        )
    }
    params = params.model_copy(
        update={
            "entity": [curated[k] for k in params.entity],
            "exclude_entity": [curated[k] for k in params.exclude_entity],
            "curation": curation,
        }
    )
    refs = [
        r.model_copy(update={"value": curated.get(r.value, r.value)})
        if r.parameter in {"entity", "exclude_entity"} and r.value
        else r
        for r in refs
    ]
    return params, refs


class FilterResolver:
    """Per container: resolved names and the index's date range, each cached ``NAMES_TTL_S``."""

    def __init__(self, backend: Backend, clock: Callable[[], float] = time.monotonic) -> None:
        self.backend = backend
        self.clock = clock
        self._resolved: dict[tuple[str, str | None], tuple[float, str | None]] = {}
        self._held: tuple[float, tuple[datetime, datetime] | None] | None = None

    def resolve(
        self, params: SearchParams, table: NameTable | None = None
    ) -> tuple[SearchParams, list[ValueRef]]:
        """Entity names to canonical keys and outlet names to domains, saying how each went.

        An entity name that resolves to nothing keeps a key no entry has, so an
        included one empties the result rather than silently being ignored.
        """
        refs: list[ValueRef] = []
        update: dict[str, list[str]] = {}
        for param in ("entity", "exclude_entity"):
            inputs: list[str] = getattr(params, param)
            keys = self.entities(inputs, params.entity_type, table)
            refs += [
                ValueRef(parameter=param, input=i, value=k)
                for i, k in zip(inputs, keys, strict=True)
            ]
            update[param] = [k or f"UNRESOLVED:{i}" for i, k in zip(inputs, keys, strict=True)]
        for param in ("outlet", "exclude_outlet"):
            values: list[str] = getattr(params, param)
            domains = [
                UNKNOWN_OUTLET
                if v.lower() == UNKNOWN_OUTLET
                else (table.outlet_domain(v) if table else None) or v.lower()
                for v in values
            ]
            refs += [
                ValueRef(parameter=param, input=v, value=d)
                for v, d in zip(values, domains, strict=True)
            ]
            update[param] = list(dict.fromkeys(domains))
        return params.model_copy(update=update), refs

    def entities(
        self, values: list[str], entity_type: str | None, table: NameTable | None = None
    ) -> list[str | None]:
        """Canonical keys stay; known names and aliases come from the name table; other
        names resolve to the most frequent matching entity (one request, then cached)."""
        now = self.clock()
        keys: list[str | None] = []
        pending: list[str] = []
        for value in values:
            key: str | None = value if CANONICAL_KEY.match(value) else None
            if key is None and table is not None:
                key = table.entity_key(value)
                if key and entity_type and not key.startswith(f"{entity_type}:"):
                    key = None
            cached = self._resolved.get((value, entity_type))
            if key is None and cached is not None and now - cached[0] <= NAMES_TTL_S:
                key = cached[1] or ""
            if key is None:
                pending.append(value)
            keys.append(key)
        if pending:
            body = lookup.build_resolution_query(pending, entity_type)
            raw = self.backend.search(body)
            found = {
                name: lookup.pick_resolution(raw.get("aggregations", {}), i, name)
                for i, name in enumerate(pending)
            }
            for name, key in found.items():
                self._resolved[(name, entity_type)] = (now, key)
            keys = [found[v] if k is None else k for v, k in zip(values, keys, strict=True)]
        if len(self._resolved) > 10_000:
            self._resolved.clear()
        return [k or None for k in keys]

    def held_range(self) -> tuple[datetime, datetime] | None:
        """First and last publication time in the index, read once per ``NAMES_TTL_S``."""
        now = self.clock()
        if self._held is not None and now - self._held[0] <= NAMES_TTL_S:
            return self._held[1]
        body = {
            "size": 0,
            "track_total_hits": False,
            "aggs": {
                "first": {"min": {"field": "published"}},
                "last": {"max": {"field": "published"}},
            },
        }
        raw = self.backend.search(body)
        aggs = raw.get("aggregations", {})
        first, last = aggs.get("first", {}).get("value"), aggs.get("last", {}).get("value")
        held = None
        if first is not None and last is not None:
            held = (_from_millis(first), _from_millis(last))
        self._held = (now, held)
        return held


def _from_millis(value: float) -> datetime:
    return datetime.fromtimestamp(value / 1000, tz=UTC)
