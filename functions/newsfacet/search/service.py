"""The search service: validated parameters in, API models out.

Pages of stories come from the deduplicated walk (``search/walk.py``); every
request goes through one backend (``search/backend.py``). The cursor is the
sort key of the last entry examined, so every cluster is shown exactly once
across pages. The first page also notes the newest ``indexed_at`` in the
index, and the cursor pins later pages to entries indexed by then: an entry
arriving mid-walk can neither repeat a story nor take the lead of a cluster
whose place has already passed (it shows up in the next new search).
Relevance scores also depend on corpus statistics, which arrivals change, so
a relevance walk runs in a point in time (PIT) from its second page on: opened
only when a client asks for page two (most searches never do), carried in the
cursor, closed when the walk reaches its end. Date orders need none (the
snapshot filter and the id tie-breaker make them exact).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import ConnectionError as OSConnectionError
from opensearchpy.exceptions import ConnectionTimeout, TransportError

from newsfacet.curation.store import CurationCache
from newsfacet.errors import InvalidRequestError
from newsfacet.errors import NotFoundError as EntryNotFoundError
from newsfacet.models.api import MAX_DEPTH, SearchParams
from newsfacet.models.curation_table import EMPTY as EMPTY_CURATION
from newsfacet.models.curation_table import CurationTable
from newsfacet.models.responses import (
    Counts,
    EntitiesResponse,
    EntryResponse,
    FacetValuesResponse,
    HealthResponse,
    OutletsResponse,
    SearchResponse,
    ValueRef,
)
from newsfacet.search import lookup, response
from newsfacet.search.backend import Backend
from newsfacet.search.curation import curate_source, drop_moved
from newsfacet.search.cursor import CursorState, decode_cursor, encode_cursor
from newsfacet.search.export import export_columns
from newsfacet.search.facets import (
    build_facet_values_query,
    choose_interval,
)
from newsfacet.search.names import NameCache, NameTable
from newsfacet.search.query import (
    multi_select_filters,
    query_key,
    scored_query,
)
from newsfacet.search.resolve import FilterResolver, curate_filters
from newsfacet.search.walk import collect

logger = logging.getLogger(__name__)
MAX_MEMBERS = 100
EXPORT_PAGE = 500


def log_names_unavailable(exc: Exception) -> None:
    logger.warning("learned aliases unavailable; using the alias file alone: %s", exc)


class SearchService:
    def __init__(
        self,
        client: OpenSearch,
        alias: str,
        cursor_key: Callable[[], bytes],
        *,
        names: NameCache | None = None,
        curation: CurationCache | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.alias = alias
        self.backend = Backend(client, alias)
        self.cursor_key = cursor_key
        self.names = names
        self.curation = curation
        self.clock = clock
        self.resolver = FilterResolver(self.backend, clock)

    def name_table(self) -> NameTable | None:
        return self.names.table() if self.names is not None else None

    def curation_table(self) -> CurationTable:
        """The curation table of the moment (search/curation.py reads filters and facets by it)."""
        return self.curation.table() if self.curation is not None else EMPTY_CURATION

    def _filters(
        self, params: SearchParams, table: NameTable | None
    ) -> tuple[SearchParams, list[ValueRef]]:
        """Names resolved, then read through the curation table of the moment
        (``search/curation.py``): the same for pages, facet values, exports and counts."""
        params, refs = self.resolver.resolve(params, table)
        return curate_filters(params, refs, self.curation_table())

    # ------------------------------------------------------------------ search

    def search(self, params: SearchParams, cursor: str | None = None) -> SearchResponse:
        """One page of results with facets; entity and outlet values may be names."""
        table = self.name_table()
        params, refs = self._filters(params, table)
        key = query_key(params)
        state = CursorState(after=[])
        pit = None
        if cursor:
            state = decode_cursor(cursor, key, self.cursor_key())
            params = params.model_copy(update={"snapshot_ms": state.snapshot_ms})
            if state.served >= MAX_DEPTH:
                raise InvalidRequestError(
                    f"pages stop after {MAX_DEPTH} results; narrow the query instead",
                    parameter="cursor",
                )
            # Page two onwards of a relevance walk: freeze scores from here on.
            pit = state.pit or self._open_pit(params)
        dated = "date" in params.facets
        # An open end of the range is taken from the dates the index holds (cached).
        open_range = params.date_from is None or params.date_to is None
        held = self.resolver.held_range() if dated and open_range else None
        interval = choose_interval(params, held) if dated else None
        hits, raw_first, next_after = collect(
            self.backend, params, state.after if cursor else None, pit, table, held
        )
        emitted = hits[: params.size]
        for hit in emitted:
            curate_source(hit["_source"], params.curation)
        aggs = raw_first.get("aggregations", {})
        next_cursor = None
        if next_after is not None:
            next_cursor = encode_cursor(
                CursorState(
                    after=next_after,
                    served=state.served + len(emitted),
                    snapshot_ms=_snapshot(params, aggs),
                    pit=raw_first.get("pit_id") or pit,
                ),
                key,
                self.cursor_key(),
            )
        elif pit:
            self.backend.close_pit(pit)
        entries = int(raw_first["hits"]["total"]["value"])
        inner = aggs.get("all", {})
        stories = min(int(inner.get("stories", {}).get("value", entries)), entries)
        return SearchResponse(
            total=stories if params.dedup else entries,
            unit="stories" if params.dedup else "entries",
            counts=Counts(
                entries=entries,
                stories=stories,
                undated=int(inner.get("undated", {}).get("doc_count", 0)),
            ),
            hits=[response.map_hit(h) for h in emitted],
            facets=response.map_facets(aggs, params, interval),
            next_cursor=next_cursor,
            entities=response.entity_refs(
                [r.input for r in refs if r.parameter == "entity"],
                [r.value for r in refs if r.parameter == "entity"],
            ),
            filters=refs,
        )

    def _open_pit(self, params: SearchParams) -> str | None:
        """A point in time for a relevance walk, opened when its second page is asked for.

        BM25 statistics move as entries arrive, so without one, scores of older
        entries would shift between pages. Date orders need none. When
        OpenSearch refuses (too many open), the walk goes on without one:
        pages stay valid, only score drift returns.
        """
        if params.sort != "relevance":
            return None
        return self.backend.create_pit()

    def facet_values(
        self, params: SearchParams, facet: str, prefix: str | None, size: int
    ) -> FacetValuesResponse:
        """Values of one facet starting with ``prefix``, counted under the search's filters."""
        table = self.name_table()
        params, _refs = self._filters(params, table)
        body = build_facet_values_query(params, facet, prefix, size, table)
        raw = self.backend.search(body, params=params)
        return FacetValuesResponse(
            facet=facet,
            values=response.map_facet_values(raw.get("aggregations", {}), facet, params, size),
        )

    def export(
        self, params: SearchParams, limit: int, *, body: bool = False
    ) -> Iterator[dict[str, Any]]:
        """Every matching entry once, newest first (undated last), at most ``limit``.

        Walks ``search_after`` on (published, id), a total order, inside a
        point in time opened for the walk and closed when it ends (or without
        one if OpenSearch refuses: the order still holds every entry once).
        """
        table = self.name_table()
        params, _refs = self._filters(params, table)
        query = scored_query(params, table)
        query["bool"]["filter"] = query["bool"]["filter"] + _multi_select_values(params)
        fields = export_columns(body)
        pit = self.backend.create_pit()
        after: list[Any] | None = None
        written = 0
        try:
            while written < limit:
                page: dict[str, Any] = {
                    "size": min(EXPORT_PAGE, limit - written),
                    "track_total_hits": False,
                    "query": query,
                    "sort": [{"published": {"order": "desc", "missing": "_last"}}, {"id": "asc"}],
                    "_source": fields,
                }
                if after is not None:
                    page["search_after"] = after
                raw = self.backend.search(page, pit, params=params)
                hits = raw["hits"]["hits"]
                for hit in hits:
                    yield {f: hit["_source"].get(f) for f in fields}
                written += len(hits)
                if len(hits) < page["size"]:
                    return
                after = hits[-1]["sort"]
        finally:
            if pit:
                self.backend.close_pit(pit)

    def count(self, params: SearchParams) -> int:
        """Entries matching the filters (what an export would write without a limit)."""
        table = self.name_table()
        params, _refs = self._filters(params, table)
        query = scored_query(params, table)
        query["bool"]["filter"] = query["bool"]["filter"] + _multi_select_values(params)
        raw = self.backend.call(
            lambda: self.client.count(index=self.alias, body={"query": query}), params=params
        )
        return int(raw["count"])

    def suggest_entities(
        self, prefix: str | None, entity_type: str | None, size: int
    ) -> EntitiesResponse:
        body = lookup.build_suggestions_query(prefix, entity_type, size)
        raw = self.backend.search(body)
        found = response.map_suggestions(raw.get("aggregations", {}), size)
        return EntitiesResponse(entities=drop_moved(found, self.curation_table()))

    # ------------------------------------------------------- outlets, entries

    def outlets(self, size: int) -> OutletsResponse:
        body = lookup.build_outlets_query(size)
        raw = self.backend.search(body)
        return OutletsResponse(outlets=response.map_outlets(raw.get("aggregations", {})))

    def entry(self, entry_id: str) -> EntryResponse:
        """The whole entry, its sources and the other members of its cluster.

        Raises:
            newsfacet.errors.NotFoundError: no entry has this id.
        """
        body = {"size": 1, "query": {"ids": {"values": [entry_id]}}}
        raw = self.backend.search(body)
        hits = raw["hits"]["hits"]
        if not hits:
            raise EntryNotFoundError(f"no entry with id {entry_id}", id=entry_id)
        source = hits[0]["_source"]
        curate_source(source, self.curation_table())
        cluster = source.get("cluster") or entry_id
        members_body = lookup.build_cluster_members_query(cluster, entry_id, MAX_MEMBERS)
        members = self.backend.search(members_body)
        copies = [response.map_copy(h["_source"], h["_id"]) for h in members["hits"]["hits"]]
        return response.map_entry(source, entry_id, copies)

    def health(self) -> HealthResponse:
        try:
            info = self.client.cluster.health(request_timeout=2)
            exists = bool(self.client.indices.exists_alias(name=self.alias))
            count = self.client.count(index=self.alias)["count"] if exists else None
        except (OSConnectionError, ConnectionTimeout, TransportError) as exc:
            return HealthResponse(
                status="unavailable", opensearch=exc.__class__.__name__, index=False
            )
        ok = exists and info.get("status") in {"green", "yellow"}
        return HealthResponse(
            status="ok" if ok else "degraded",
            opensearch=str(info.get("status")),
            index=exists,
            entries=count,
        )


def _snapshot(params: SearchParams, aggs: dict[str, Any]) -> int | None:
    """The walk's snapshot: kept from the cursor, else the first page's newest entry."""
    if params.snapshot_ms is not None:
        return params.snapshot_ms
    newest = aggs.get("snapshot", {}).get("newest", {}).get("value")
    return int(newest) if newest is not None else None


def _multi_select_values(params: SearchParams) -> list[dict[str, Any]]:
    return list(multi_select_filters(params).values())
