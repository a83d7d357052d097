"""Deduplicated paging stays exact while entries arrive between pages (real OpenSearch)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from opensearchpy.exceptions import TransportError

from newsfacet.errors import InvalidRequestError
from newsfacet.index.entries import EntryIndex
from newsfacet.ingest.clusters import plan_summaries, stored_summary
from newsfacet.ingest.ports import WriteBatch
from newsfacet.models.api import SearchParams
from newsfacet.search.cursor import decode_cursor
from newsfacet.search.query import query_key
from newsfacet.search.service import SearchService
from tests.e2e.dataset import index_corpus, stored_entries

pytestmark = pytest.mark.integration


def _walk(
    service: SearchService, params: SearchParams, *, between: Any = None, after_page: int = 0
) -> list[dict[str, Any]]:
    """Every hit of every page; ``between`` runs after page ``after_page`` (0: the first)."""
    hits: list[dict[str, Any]] = []
    cursor = None
    for page in range(20):
        result = service.search(params, cursor)
        hits += [h.model_dump() for h in result.hits]
        if page == after_page and between:
            between()
        cursor = result.next_cursor
        if cursor is None:
            return hits
    raise AssertionError("paging did not end")


def test_opensearch_refuses_collapse_with_search_after(os_client: Any, settings: Any) -> None:
    # The premise of the paging design in newsfacet.search.service.
    with pytest.raises(TransportError, match="collapse"):
        os_client.search(
            index=settings.index_names.entries,
            body={"collapse": {"field": "cluster"}, "sort": [{"id": "asc"}], "search_after": ["a"]},
        )


# Date orders are pinned by the snapshot filter, relevance also by a point in time
# (BM25 statistics move as entries arrive).
@pytest.mark.parametrize("sort", ["newest", "oldest", "relevance"])
def test_each_story_once_while_entries_arrive(os_client: Any, settings: Any, sort: str) -> None:
    index_corpus(os_client, settings.index_prefix, settings.index_names.entries)
    writer = EntryIndex(os_client, settings.index_names)
    corpus = stored_entries(os_client, settings.index_names.entries)
    stored = os_client.search(index=settings.index_names.entries, body={"size": 1000})["hits"][
        "hits"
    ]
    cluster_of = {h["_id"]: h["_source"]["cluster"] for h in stored}
    assert len(set(cluster_of.values())) < len(cluster_of), "the corpus has a multi-entry story"
    service = SearchService(os_client, settings.index_names.entries, lambda: b"test")
    params = SearchParams(q="Belgorod", sort=sort, size=1, facets={})
    before = _walk(service, params)
    stories = [h["cluster"] for h in before]
    assert len(stories) == len(set(stories)) >= 4

    # Mid-walk arrivals: a new copy in every existing cluster (newest of all, so it
    # would lead its cluster) and a brand-new story.
    def arrive() -> None:
        later = datetime.now(UTC) + timedelta(days=1)
        arrivals = [
            entry.model_copy(
                update={
                    "id": "new" + entry.id[3:],
                    "fingerprint": "new" + entry.id[3:],
                    "published": later,
                    "body": entry.body + " Updated.",
                    "outlet": "latecomer.example.com",
                    "cluster": cluster_of[entry.id],
                }
            )
            for entry in corpus
        ]
        fresh = next(a for a in arrivals if "Belgorod" in a.body).model_copy(
            update={"id": "fresh" + "0" * 27, "cluster": "fresh", "fingerprint": "fresh"}
        )
        found = {h["_id"]: stored_summary(h["_id"], h["_source"]) for h in stored}
        # As ingest writes them: each arrival with its story's size and copies.
        summaries = plan_summaries([*arrivals, fresh], found=found, stored_ids=(), merges={})
        writer.write(WriteBatch(entries=[*arrivals, fresh], summaries=summaries))
        # Searchable after the next refresh (ingest does not wait for one); made now.
        os_client.indices.refresh(index=settings.index_names.entries)

    # Date orders are exact from the first page on (the snapshot filter). A relevance
    # walk is frozen from its second page on, when its point in time opens: the first
    # page of most searches is the only one, and it holds nothing open.
    during = _walk(service, params, between=arrive, after_page=1 if sort == "relevance" else 0)
    shown = [h["cluster"] for h in during]
    assert len(shown) == len(set(shown)), "a story was shown twice"
    assert set(shown) == set(stories), "the walk lost or gained stories mid-way"
    after = _walk(service, params)
    assert sorted(h["cluster"] for h in after) == sorted({*stories, "fresh"})


def _open_pits(client: Any) -> list[str]:
    return [p["pit_id"] for p in client.get_all_pits().get("pits", [])]


def test_point_in_time_opens_on_page_two_and_closes_at_the_end(
    os_client: Any, settings: Any
) -> None:
    index_corpus(os_client, settings.index_prefix, settings.index_names.entries)
    service = SearchService(os_client, settings.index_names.entries, lambda: b"test")
    params = SearchParams(q="Belgorod", size=1, facets={})
    before = set(_open_pits(os_client))
    first = service.search(params)
    assert first.next_cursor
    # A search nobody pages holds nothing open.
    assert decode_cursor(first.next_cursor, query_key(params), b"test").pit is None
    assert set(_open_pits(os_client)) == before
    second = service.search(params, first.next_cursor)
    assert second.next_cursor
    pit = decode_cursor(second.next_cursor, query_key(params), b"test").pit
    assert pit in _open_pits(os_client)
    cursor = second.next_cursor
    while cursor:
        cursor = service.search(params, cursor).next_cursor
    assert pit not in _open_pits(os_client), "the walk's point in time outlived the walk"
    # Date orders never open one.
    dated = SearchParams(q="Belgorod", size=1, facets={}, sort="newest")
    page = service.search(dated)
    page = service.search(dated, page.next_cursor)
    assert decode_cursor(page.next_cursor, query_key(dated), b"test").pit is None


def test_expired_point_in_time_is_a_clear_400(os_client: Any, settings: Any) -> None:
    index_corpus(os_client, settings.index_prefix, settings.index_names.entries)
    service = SearchService(os_client, settings.index_names.entries, lambda: b"test")
    params = SearchParams(q="Belgorod", size=1, facets={})
    second = service.search(params, service.search(params).next_cursor)
    assert second.next_cursor
    pit = decode_cursor(second.next_cursor, query_key(params), b"test").pit
    assert pit
    os_client.delete_pit(body={"pit_id": [pit]})
    with pytest.raises(InvalidRequestError) as info:
        service.search(params, second.next_cursor)
    assert info.value.parameter == "cursor"


class BudgetRunsOut:
    """The real client, except that a search with a time budget reports that it ran out."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.bodies: list[dict[str, Any]] = []

    def __getattr__(self, name: str) -> Any:
        real = getattr(self._client, name)
        if name != "search":
            return real

        def call(*args: Any, **kwargs: Any) -> Any:
            body = kwargs.get("body") or {}
            self.bodies.append(body)
            raw = real(*args, **kwargs)
            if "timeout" in body:
                raw["timed_out"] = True
            return raw

        return call


def test_story_counts_over_the_time_budget_leave_the_facets_without_them(
    os_client: Any, settings: Any
) -> None:
    index_corpus(os_client, settings.index_prefix, settings.index_names.entries)
    params = SearchParams(q="Belgorod", facet_stories=True)
    counted = SearchService(os_client, settings.index_names.entries, lambda: b"test").search(params)
    assert any(v.stories for f in counted.facets.values() for v in f.values)

    slow = BudgetRunsOut(os_client)
    result = SearchService(slow, settings.index_names.entries, lambda: b"test").search(params)  # type: ignore[arg-type]

    assert [h.id for h in result.hits] == [h.id for h in counted.hits]
    assert result.counts == counted.counts
    values = [v for f in result.facets.values() for v in f.values]
    assert values
    assert all(v.stories is None for v in values)
    assert [v.count for f in result.facets.values() for v in f.values] == [
        v.count for f in counted.facets.values() for v in f.values
    ]
    # The page with the budget, then once more without story counts (the date range
    # the index holds, read for the histogram's interval, is a search of its own).
    pages = [b for b in slow.bodies if "sort" in b]
    assert [b.get("timeout") for b in pages] == ["2s", None]
