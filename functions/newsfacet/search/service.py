"""The search service: validated parameters in, API models out.

Paging with deduplication. OpenSearch 2.19 refuses field collapsing together
with ``search_after``, and collapsing with ``from`` pages is neither stable
while entries arrive nor cheap when deep. So pages walk the plain, totally
ordered stream of matching entries with ``search_after`` and show a story
(cluster) once, at the position of its first entry in that order:

* from the start of the stream, the first entry of a cluster seen is its leader;
* after a cursor, a cluster first seen on this page may have had its leader on an
  earlier page, so one collapse query (allowed, it has no ``search_after``)
  over just those clusters names each cluster's leader in the same order;
  a story of one entry (no ``cluster_size`` above one on the hit) needs none.

The cursor is the sort key of the last entry examined, so every cluster is
shown exactly once across pages. The first page also notes the newest
``indexed_at`` in the index, and the cursor pins later pages to entries
indexed by then: an entry arriving mid-walk can neither repeat a story nor
take the lead of a cluster whose place has already passed (it shows up in the
next new search). Relevance scores also depend on corpus statistics, which
arrivals change, so a relevance walk that has a second page runs in a point in
time (PIT) opened with the first page and carried in the cursor.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import ConnectionError as OSConnectionError
from opensearchpy.exceptions import ConnectionTimeout, NotFoundError, TransportError

from newsfacet.errors import InvalidRequestError, SearchBackendError
from newsfacet.errors import NotFoundError as EntryNotFoundError
from newsfacet.models.api import (
    MAX_DEPTH,
    Counts,
    EntitiesResponse,
    EntryResponse,
    HealthResponse,
    OutletsResponse,
    SearchParams,
    SearchResponse,
)
from newsfacet.search import lookup, response
from newsfacet.search.cursor import CursorState, decode_cursor, encode_cursor
from newsfacet.search.facets import build_aggregations
from newsfacet.search.query import (
    build_cluster_leaders_query,
    build_page_query,
    query_key,
)

logger = logging.getLogger(__name__)
PIT_KEEP_ALIVE = "5m"
CANONICAL_KEY = re.compile(r"^(PERSON|ORG|LOC):\S.*$")
MAX_ROUNDS = 3
MAX_MEMBERS = 100
# What per-value story counts may take inside OpenSearch (the client waits 5 s by
# default, NEWSFACET_OPENSEARCH_TIMEOUT_S): past it, the page comes without them.
STORIES_BUDGET = "2s"


class SearchService:
    def __init__(self, client: OpenSearch, alias: str, cursor_secret: bytes) -> None:
        self.client = client
        self.alias = alias
        self.cursor_secret = cursor_secret

    # ------------------------------------------------------------------ search

    def search(self, params: SearchParams, cursor: str | None = None) -> SearchResponse:
        """One page of results with facets; ``params.entity`` may hold plain names."""
        key = query_key(params)
        state = CursorState(after=[])
        if cursor:
            state = decode_cursor(cursor, key, self.cursor_secret)
            params = params.model_copy(update={"snapshot_ms": state.snapshot_ms})
            if state.served >= MAX_DEPTH:
                raise InvalidRequestError(
                    f"pages stop after {MAX_DEPTH} results; narrow the query instead",
                    parameter="cursor",
                )
        inputs = list(params.entity)
        keys = self.resolve_entities(inputs, params.entity_type)
        # An unresolved name keeps a key no entry has, so the result is empty
        # rather than silently ignoring the filter.
        params = params.model_copy(
            update={"entity": [k or f"UNRESOLVED:{i}" for i, k in zip(inputs, keys, strict=True)]}
        )
        hits, raw_first, next_after = self._collect(
            params, state.after if cursor else None, state.pit
        )
        emitted = hits[: params.size]
        aggs = raw_first.get("aggregations", {})
        next_cursor = None
        if next_after is not None:
            next_cursor = encode_cursor(
                CursorState(
                    after=next_after,
                    served=state.served + len(emitted),
                    snapshot_ms=_snapshot(params, aggs),
                    pit=raw_first.get("pit_id") or state.pit or self._open_pit(params),
                ),
                key,
                self.cursor_secret,
            )
        entries = int(raw_first["hits"]["total"]["value"])
        stories = int(aggs.get("all", {}).get("stories", {}).get("value", entries))
        return SearchResponse(
            total=stories if params.dedup else entries,
            counts=Counts(entries=entries, stories=min(stories, entries)),
            hits=[response.map_hit(h) for h in emitted],
            facets=response.map_facets(aggs, params),
            next_cursor=next_cursor,
            entities=response.entity_refs(inputs, keys),
        )

    def _open_pit(self, params: SearchParams) -> str | None:
        """A point in time for a relevance walk that goes on past its first page.

        BM25 statistics move as entries arrive, so without one, scores of older
        entries would shift between pages. Date orders need none (the snapshot
        filter makes them exact). When OpenSearch refuses (too many open), the
        walk goes on without one: pages stay valid, only score drift returns.
        """
        if params.sort != "relevance":
            return None
        try:
            opened = self.client.create_pit(index=self.alias, params={"keep_alive": PIT_KEEP_ALIVE})
        except (OSConnectionError, ConnectionTimeout, TransportError) as exc:
            logger.warning("could not open a point in time: %s", exc.__class__.__name__)
            return None
        pit = opened.get("pit_id")
        return str(pit) if pit else None

    def _collect(
        self, params: SearchParams, after: list[Any] | None, pit: str | None
    ) -> tuple[list[dict[str, Any]], dict[str, Any], list[Any] | None]:
        """Walk the stream until a page (plus one, to know if more exist) is found.

        Returns the hits to show, the first raw response (counts and facets)
        and the sort key to continue from, or None at the end of the stream.
        """
        want = params.size + 1
        # Copies are a minority: a little slack usually fills a deduplicated page in one round.
        fetch = want if not params.dedup else min(want + max(5, params.size // 2), 151)
        from_start = after is None
        seen: set[str] = set()
        shown: list[dict[str, Any]] = []
        raw_first: dict[str, Any] | None = None
        position = after
        for round_no in range(MAX_ROUNDS):
            if round_no == 0 and params.facet_stories:
                raw = self._first_with_stories(params, fetch, position, pit)
            else:
                aggs = build_aggregations(params) if round_no == 0 else None
                body = build_page_query(
                    params, fetch_size=fetch, search_after=position, aggregations=aggs
                )
                raw = self._search(body, pit)
            raw_first = raw_first or raw
            batch = raw["hits"]["hits"]
            leaders = None
            if params.dedup and not from_start:
                fresh = list(
                    dict.fromkeys(
                        _cluster(h) for h in batch if _cluster(h) not in seen and _shared(h)
                    )
                )
                leaders = self._leaders(params, fresh, pit) if fresh else set()
            for hit in batch:
                cluster = _cluster(hit)
                if params.dedup:
                    if cluster in seen:
                        continue
                    seen.add(cluster)
                    if leaders is not None and _shared(hit) and hit["_id"] not in leaders:
                        continue
                shown.append(hit)
                if len(shown) == want:
                    # One more result exists: continue after the last one shown.
                    return shown, raw_first, shown[params.size - 1]["sort"]
            if len(batch) < fetch:
                return shown, raw_first, None
            position = batch[-1]["sort"]
        assert raw_first is not None
        # The page is short because many copies were skipped; the cursor resumes
        # after the last entry examined, so nothing is lost.
        return shown, raw_first, position

    def _first_with_stories(
        self, params: SearchParams, fetch: int, after: list[Any] | None, pit: str | None
    ) -> dict[str, Any]:
        """The first page with per-value story counts, within a time budget.

        Story counts grow with the matching entries (a distinct count per facet
        value). OpenSearch stops collecting at the budget and says so
        (``timed_out``); the page is then asked again without them, and its facet
        values carry ``stories: null``: counted stories or none, never an error
        or a partial count.
        """
        body = build_page_query(
            params, fetch_size=fetch, search_after=after, aggregations=build_aggregations(params)
        )
        raw = self._search({**body, "timeout": STORIES_BUDGET}, pit)
        if not raw.get("timed_out"):
            return raw
        logger.warning("story counts over the time budget; facets sent without them")
        plain = params.model_copy(update={"facet_stories": False})
        body = build_page_query(
            plain, fetch_size=fetch, search_after=after, aggregations=build_aggregations(plain)
        )
        return self._search(body, pit)

    def _leaders(self, params: SearchParams, clusters: list[str], pit: str | None) -> set[str]:
        raw = self._search(build_cluster_leaders_query(params, clusters), pit)
        return {h["_id"] for h in raw["hits"]["hits"]}

    # ---------------------------------------------------------------- entities

    def resolve_entities(self, values: list[str], entity_type: str | None) -> list[str | None]:
        """Canonical keys stay as they are; names resolve to the most frequent matching entity."""
        keys: list[str | None] = [v if CANONICAL_KEY.match(v) else None for v in values]
        names = [v for v, k in zip(values, keys, strict=True) if k is None]
        if not names:
            return keys
        body = lookup.build_resolution_query(names, entity_type)
        raw = self._call(lambda: self.client.search(index=self.alias, body=body))
        resolved = iter(
            lookup.pick_resolution(raw.get("aggregations", {}), i, name)
            for i, name in enumerate(names)
        )
        return [k if k is not None else next(resolved) for k in keys]

    def suggest_entities(
        self, prefix: str | None, entity_type: str | None, size: int
    ) -> EntitiesResponse:
        body = lookup.build_suggestions_query(prefix, entity_type, size)
        raw = self._call(lambda: self.client.search(index=self.alias, body=body))
        return EntitiesResponse(
            entities=response.map_suggestions(raw.get("aggregations", {}), size)
        )

    # ------------------------------------------------------- outlets, entries

    def outlets(self, size: int) -> OutletsResponse:
        body = lookup.build_outlets_query(size)
        raw = self._call(lambda: self.client.search(index=self.alias, body=body))
        return OutletsResponse(outlets=response.map_outlets(raw.get("aggregations", {})))

    def entry(self, entry_id: str) -> EntryResponse:
        """The whole entry, its sources and the other members of its cluster.

        Raises:
            newsfacet.errors.NotFoundError: no entry has this id.
        """
        body = {"size": 1, "query": {"ids": {"values": [entry_id]}}}
        raw = self._call(lambda: self.client.search(index=self.alias, body=body))
        hits = raw["hits"]["hits"]
        if not hits:
            raise EntryNotFoundError(f"no entry with id {entry_id}", id=entry_id)
        source = hits[0]["_source"]
        cluster = source.get("cluster") or entry_id
        members_body = lookup.build_cluster_members_query(cluster, entry_id, MAX_MEMBERS)
        members = self._call(lambda: self.client.search(index=self.alias, body=members_body))
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

    def _search(self, body: dict[str, Any], pit: str | None = None) -> dict[str, Any]:
        if pit is None:
            return self._call(lambda: self.client.search(index=self.alias, body=body))
        pinned = {**body, "pit": {"id": pit, "keep_alive": PIT_KEEP_ALIVE}}
        try:
            return self._call(lambda: self.client.search(body=pinned), pit=True)
        except PitExpiredError as exc:
            raise InvalidRequestError(
                "cursor has expired (idle for more than 5 minutes); start the search again",
                parameter="cursor",
            ) from exc

    @staticmethod
    def _call(fn: Callable[[], Any], *, pit: bool = False) -> dict[str, Any]:
        try:
            result: dict[str, Any] = fn()
        except NotFoundError as exc:
            if pit:
                raise PitExpiredError(str(exc.error)) from exc
            raise SearchBackendError("the entries index does not exist yet") from exc
        except ConnectionTimeout as exc:  # a subclass of ConnectionError: test it first
            raise SearchBackendError("OpenSearch did not answer in time") from exc
        except OSConnectionError as exc:
            raise SearchBackendError("OpenSearch is unreachable") from exc
        except TransportError as exc:
            if _is_too_many_buckets(exc):
                raise InvalidRequestError(
                    "the date histogram would have too many buckets; pick a wider interval",
                    parameter="interval",
                ) from exc
            status = exc.status_code if isinstance(exc.status_code, int) else 500
            if status == 429 or status >= 500:
                raise SearchBackendError(f"OpenSearch answered {status}") from exc
            raise
        return result


class PitExpiredError(Exception):
    """The point in time a cursor names is gone (expired or deleted)."""


def _snapshot(params: SearchParams, aggs: dict[str, Any]) -> int | None:
    """The walk's snapshot: kept from the cursor, else the first page's newest entry."""
    if params.snapshot_ms is not None:
        return params.snapshot_ms
    newest = aggs.get("snapshot", {}).get("newest", {}).get("value")
    return int(newest) if newest is not None else None


def _cluster(hit: dict[str, Any]) -> str:
    return str(hit["_source"].get("cluster") or hit["_id"])


def _shared(hit: dict[str, Any]) -> bool:
    """Whether the hit's story has other entries (ingest stores the size on each member).

    A story of one is its own leader on any page: no leader query is needed for it.
    """
    return int(hit["_source"].get("cluster_size") or 1) > 1


def _is_too_many_buckets(exc: TransportError) -> bool:
    return "too_many_buckets" in str(exc.info) or "too_many_buckets" in str(exc.error)
