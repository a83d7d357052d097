"""The deduplicated walk: pages of stories over the stream of matching entries.

OpenSearch 2.19 refuses field collapsing together with ``search_after``, and
collapsing with ``from`` pages is neither stable while entries arrive nor
cheap when deep. So pages walk the plain, totally ordered stream of matching
entries with ``search_after`` and show a story (cluster) once, at the position
of its first entry in that order:

* from the start of the stream, the first entry of a cluster seen is its leader;
* after a cursor, a cluster first seen on this page may have had its leader on an
  earlier page, so one collapse query (allowed, it has no ``search_after``)
  over just those clusters names each cluster's leader in the same order;
  a story of one entry (no ``cluster_size`` above one on the hit) needs none.

The first request of a page also carries the facets; with ``facet_stories``
it runs within a time budget (``STORIES_BUDGET``).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from newsfacet.models.api import SearchParams
from newsfacet.search.backend import Backend
from newsfacet.search.facets import build_aggregations
from newsfacet.search.names import NameTable
from newsfacet.search.query import build_cluster_leaders_query, build_page_query

logger = logging.getLogger(__name__)
MAX_ROUNDS = 3
# What per-value story counts may take inside OpenSearch (the client waits 5 s by
# default, NEWSFACET_OPENSEARCH_TIMEOUT_S): past it, the page comes without them.
STORIES_BUDGET = "2s"


def collect(
    backend: Backend,
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
            raw = _first_with_stories(backend, params, fetch, position, pit, names, held)
        else:
            body = _page(params, fetch, position, names, held, facets=round_no == 0)
            raw = backend.search(body, pit, params=params)
        raw_first = raw_first or raw
        batch = raw["hits"]["hits"]
        leaders = None
        if params.dedup and not from_start:
            fresh = list(
                dict.fromkeys(_cluster(h) for h in batch if _cluster(h) not in seen and _shared(h))
            )
            leaders = _leaders(backend, params, fresh, pit, names) if fresh else set()
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
    backend: Backend,
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
    body = _page(params, fetch, after, names, held, facets=True)
    raw = backend.search({**body, "timeout": STORIES_BUDGET}, pit, params=params)
    if not raw.get("timed_out"):
        return raw
    logger.warning("story counts over the time budget; facets sent without them")
    plain = params.model_copy(update={"facet_stories": False})
    return backend.search(_page(plain, fetch, after, names, held, facets=True), pit, params=params)


def _page(
    params: SearchParams,
    fetch: int,
    after: list[Any] | None,
    names: NameTable | None,
    held: tuple[datetime, datetime] | None,
    *,
    facets: bool,
) -> dict[str, Any]:
    """One request of the walk; the first carries the facets."""
    aggregations = build_aggregations(params, held) if facets else None
    return build_page_query(
        params, fetch_size=fetch, search_after=after, aggregations=aggregations, names=names
    )


def _leaders(
    backend: Backend,
    params: SearchParams,
    clusters: list[str],
    pit: str | None,
    names: NameTable | None = None,
) -> set[str]:
    raw = backend.search(build_cluster_leaders_query(params, clusters, names), pit)
    return {h["_id"] for h in raw["hits"]["hits"]}


def _cluster(hit: dict[str, Any]) -> str:
    return str(hit["_source"].get("cluster") or hit["_id"])


def _shared(hit: dict[str, Any]) -> bool:
    """Whether the hit's story has other entries (ingest stores the size on each member).

    A story of one is its own leader on any page: no leader query is needed for it.
    """
    return int(hit["_source"].get("cluster_size") or 1) > 1
