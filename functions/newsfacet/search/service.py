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
arrivals change, so a relevance walk runs in a point in time (PIT) from its
second page on: opened only when a client asks for page two (most searches
never do), carried in the cursor, closed when the walk reaches its end. Date
orders need none (the snapshot filter and the id tie-breaker make them exact).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import ConnectionError as OSConnectionError
from opensearchpy.exceptions import ConnectionTimeout, NotFoundError, TransportError

from newsfacet.curation.store import CurationCache
from newsfacet.curation.table import EMPTY as EMPTY_CURATION
from newsfacet.curation.table import CurationTable
from newsfacet.errors import InvalidRequestError, SearchBackendError
from newsfacet.errors import NotFoundError as EntryNotFoundError
from newsfacet.models.api import (
    MAX_DEPTH,
    UNKNOWN_OUTLET,
    Counts,
    EntitiesResponse,
    EntryResponse,
    FacetValuesResponse,
    HealthResponse,
    OutletsResponse,
    SearchParams,
    SearchResponse,
    ValueRef,
)
from newsfacet.models.entry import ENTITY_TYPES
from newsfacet.search import lookup, response
from newsfacet.search.curation import curate_source, drop_moved, resolve_keys
from newsfacet.search.cursor import CursorState, decode_cursor, encode_cursor
from newsfacet.search.export import export_columns
from newsfacet.search.facets import (
    build_aggregations,
    build_facet_values_query,
    choose_interval,
)
from newsfacet.search.names import NameCache, NameTable
from newsfacet.search.query import (
    build_cluster_leaders_query,
    build_page_query,
    multi_select_filters,
    query_key,
    scored_query,
)

logger = logging.getLogger(__name__)
# A walk's point in time lives this long after its last page (each page renews it).
PIT_KEEP_ALIVE = "2m"
PIT_IDLE_TEXT = "2 minutes"
CANONICAL_KEY = re.compile(rf"^({'|'.join(ENTITY_TYPES)}):\S.*$")
MAX_ROUNDS = 3
MAX_MEMBERS = 100
# How long a container trusts its alias table, resolved names and the index's date range.
NAMES_TTL_S = 300.0
EXPORT_PAGE = 500
# What per-value story counts may take inside OpenSearch (the client waits 5 s by
# default, NEWSFACET_OPENSEARCH_TIMEOUT_S): past it, the page comes without them.
STORIES_BUDGET = "2s"


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
        self.cursor_key = cursor_key
        self.names = names
        self.curation = curation
        self.clock = clock
        self._resolved: dict[tuple[str, str | None], tuple[float, str | None]] = {}
        self._held: tuple[float, tuple[datetime, datetime] | None] | None = None

    def name_table(self) -> NameTable | None:
        return self.names.table() if self.names is not None else None

    def curation_table(self) -> CurationTable:
        """The curation table of the moment (search/curation.py reads filters and facets by it)."""
        return self.curation.table() if self.curation is not None else EMPTY_CURATION

    # ------------------------------------------------------------------ search

    def search(self, params: SearchParams, cursor: str | None = None) -> SearchResponse:
        """One page of results with facets; entity and outlet values may be names."""
        table = self.name_table()
        params, refs = self.resolve_filters(params, table)
        # Filters and facets read through the curation table of the moment (search/curation.py).
        curation = self.curation_table()
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
        held = self._held_range() if dated and open_range else None
        interval = choose_interval(params, held) if dated else None
        hits, raw_first, next_after = self._collect(
            params, state.after if cursor else None, pit, table, held
        )
        emitted = hits[: params.size]
        for hit in emitted:
            curate_source(hit["_source"], curation)
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
            self._close_pit(pit)
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

    def resolve_filters(
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
            keys = self.resolve_entities(inputs, params.entity_type, table)
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

    def _held_range(self) -> tuple[datetime, datetime] | None:
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
        raw = self._call(lambda: self.client.search(index=self.alias, body=body))
        aggs = raw.get("aggregations", {})
        first, last = aggs.get("first", {}).get("value"), aggs.get("last", {}).get("value")
        held = None
        if first is not None and last is not None:
            held = (_from_millis(first), _from_millis(last))
        self._held = (now, held)
        return held

    def _open_pit(self, params: SearchParams) -> str | None:
        """A point in time for a relevance walk, opened when its second page is asked for.

        BM25 statistics move as entries arrive, so without one, scores of older
        entries would shift between pages. Date orders need none. When
        OpenSearch refuses (too many open), the walk goes on without one:
        pages stay valid, only score drift returns.
        """
        if params.sort != "relevance":
            return None
        return self._create_pit()

    def _create_pit(self) -> str | None:
        try:
            opened = self.client.create_pit(index=self.alias, params={"keep_alive": PIT_KEEP_ALIVE})
        except (OSConnectionError, ConnectionTimeout, TransportError) as exc:
            logger.warning("could not open a point in time: %s", exc.__class__.__name__)
            return None
        pit = opened.get("pit_id")
        return str(pit) if pit else None

    def _close_pit(self, pit: str) -> None:
        """Release a walk's point in time at its end instead of letting it idle out."""
        try:
            self.client.delete_pit(body={"pit_id": [pit]})
        except (OSConnectionError, ConnectionTimeout, TransportError) as exc:
            logger.warning("could not close a point in time: %s", exc.__class__.__name__)

    def _collect(
        self,
        params: SearchParams,
        after: list[Any] | None,
        pit: str | None,
        names: NameTable | None = None,
        held: tuple[datetime, datetime] | None = None,
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
                raw = self._first_with_stories(params, fetch, position, pit, names, held)
            else:
                aggs = build_aggregations(params, held) if round_no == 0 else None
                body = build_page_query(
                    params, fetch_size=fetch, search_after=position, aggregations=aggs, names=names
                )
                raw = self._search(body, pit, params=params)
            raw_first = raw_first or raw
            batch = raw["hits"]["hits"]
            leaders = None
            if params.dedup and not from_start:
                fresh = list(
                    dict.fromkeys(
                        _cluster(h) for h in batch if _cluster(h) not in seen and _shared(h)
                    )
                )
                leaders = self._leaders(params, fresh, pit, names) if fresh else set()
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
        self,
        params: SearchParams,
        fetch: int,
        after: list[Any] | None,
        pit: str | None,
        names: NameTable | None,
        held: tuple[datetime, datetime] | None,
    ) -> dict[str, Any]:
        """The first page with per-value story counts, within a time budget.

        Story counts grow with the matching entries (a distinct count per facet
        value). OpenSearch stops collecting at the budget and says so
        (``timed_out``); the page is then asked again without them, and its facet
        values carry ``stories: null``: counted stories or none, never an error
        or a partial count.
        """
        body = build_page_query(
            params,
            fetch_size=fetch,
            search_after=after,
            aggregations=build_aggregations(params, held),
            names=names,
        )
        raw = self._search({**body, "timeout": STORIES_BUDGET}, pit, params=params)
        if not raw.get("timed_out"):
            return raw
        logger.warning("story counts over the time budget; facets sent without them")
        plain = params.model_copy(update={"facet_stories": False})
        body = build_page_query(
            plain,
            fetch_size=fetch,
            search_after=after,
            aggregations=build_aggregations(plain, held),
            names=names,
        )
        return self._search(body, pit, params=params)

    def _leaders(
        self,
        params: SearchParams,
        clusters: list[str],
        pit: str | None,
        names: NameTable | None = None,
    ) -> set[str]:
        raw = self._search(build_cluster_leaders_query(params, clusters, names), pit)
        return {h["_id"] for h in raw["hits"]["hits"]}

    # ---------------------------------------------------------------- entities

    def resolve_entities(
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
            raw = self._call(lambda: self.client.search(index=self.alias, body=body))
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

    def facet_values(
        self, params: SearchParams, facet: str, prefix: str | None, size: int
    ) -> FacetValuesResponse:
        """Values of one facet starting with ``prefix``, counted under the search's filters."""
        table = self.name_table()
        params, _refs = self.resolve_filters(params, table)
        body = build_facet_values_query(params, facet, prefix, size, table)
        raw = self._call(lambda: self.client.search(index=self.alias, body=body), params=params)
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
        params, _refs = self.resolve_filters(params, table)
        query = scored_query(params, table)
        query["bool"]["filter"] = query["bool"]["filter"] + _multi_select_values(params)
        fields = export_columns(body)
        pit = self._create_pit()
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
                raw = self._search(page, pit, params=params)
                hits = raw["hits"]["hits"]
                for hit in hits:
                    yield {f: hit["_source"].get(f) for f in fields}
                written += len(hits)
                if len(hits) < page["size"]:
                    return
                after = hits[-1]["sort"]
        finally:
            if pit:
                self._close_pit(pit)

    def count(self, params: SearchParams) -> int:
        """Entries matching the filters (what an export would write without a limit)."""
        table = self.name_table()
        params, _refs = self.resolve_filters(params, table)
        query = scored_query(params, table)
        query["bool"]["filter"] = query["bool"]["filter"] + _multi_select_values(params)
        raw = self._call(
            lambda: self.client.count(index=self.alias, body={"query": query}), params=params
        )
        return int(raw["count"])

    def suggest_entities(
        self, prefix: str | None, entity_type: str | None, size: int
    ) -> EntitiesResponse:
        body = lookup.build_suggestions_query(prefix, entity_type, size)
        raw = self._call(lambda: self.client.search(index=self.alias, body=body))
        found = response.map_suggestions(raw.get("aggregations", {}), size)
        return EntitiesResponse(entities=drop_moved(found, self.curation_table()))

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
        curate_source(source, self.curation_table())
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

    def _search(
        self, body: dict[str, Any], pit: str | None = None, params: SearchParams | None = None
    ) -> dict[str, Any]:
        if pit is None:
            return self._call(
                lambda: self.client.search(index=self.alias, body=body), params=params
            )
        pinned = {**body, "pit": {"id": pit, "keep_alive": PIT_KEEP_ALIVE}}
        try:
            return self._call(lambda: self.client.search(body=pinned), pit=True, params=params)
        except PitExpiredError as exc:
            raise InvalidRequestError(
                f"cursor has expired (idle for more than {PIT_IDLE_TEXT}); start the search again",
                parameter="cursor",
            ) from exc

    @staticmethod
    def _call(
        fn: Callable[[], Any], *, pit: bool = False, params: SearchParams | None = None
    ) -> dict[str, Any]:
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
            status = exc.status_code if isinstance(exc.status_code, int) else 500
            if status == 429 or status >= 500:
                raise SearchBackendError(f"OpenSearch answered {status}") from exc
            # Any other 4xx came from a value a client sent: never a 500.
            parameter, message = _blame(exc, params)
            logger.warning("OpenSearch refused a request: %s", str(exc.info)[:500])
            raise InvalidRequestError(message, parameter=parameter) from exc
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


def _from_millis(value: float) -> datetime:
    return datetime.fromtimestamp(value / 1000, tz=UTC)


def _multi_select_values(params: SearchParams) -> list[dict[str, Any]]:
    return list(multi_select_filters(params).values())


# Words in OpenSearch's refusal -> the parameter that caused it, first match wins.
_BLAME = (
    (
        "too_many_buckets",
        "interval",
        "the date histogram would have too many buckets; pick a wider interval",
    ),
    ("time_zone", "tz", "OpenSearch cannot use this time zone"),
    ("time-zone", "tz", "OpenSearch cannot use this time zone"),
    ("search_after", "cursor", "the cursor does not fit this search; start again"),
    ("determinize", "q", "the query is too complex; use fewer or longer words"),
    ("too_many_clauses", "q", "the query expands to too many terms; use longer prefixes"),
    ("maxClauseCount", "q", "the query expands to too many terms; use longer prefixes"),
)


def _blame(exc: TransportError, params: SearchParams | None) -> tuple[str, str]:
    text = f"{exc.error} {exc.info}"
    for needle, parameter, message in _BLAME:
        if needle in text:
            return parameter, message
    if params is not None and params.q:
        return "q", "OpenSearch could not run this query; simplify q"
    return "q", "OpenSearch could not run this request"


def _shared(hit: dict[str, Any]) -> bool:
    """Whether the hit's story has other entries (ingest stores the size on each member).

    A story of one is its own leader on any page: no leader query is needed for it.
    """
    return int(hit["_source"].get("cluster_size") or 1) > 1
