"""When OpenSearch fails mid-decision, ingest fails the object for a retry instead of guessing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from opensearchpy.exceptions import ConnectionError as OpenSearchConnectionError

from newsfacet.errors import IndexingError
from newsfacet.ingest.pipeline import IngestDeps, index_documents
from newsfacet.models.document import EntryDraft, ObjectRef, ParsedDocument
from tests.conftest import seed_paths

pytestmark = pytest.mark.integration


class SearchFailsOnCall:
    """The real client, except that its N-th search raises a connection error."""

    def __init__(self, client: Any, fail_on: int) -> None:
        self._client = client
        self._fail_on = fail_on
        self.searches = 0

    def search(self, *args: Any, **kwargs: Any) -> Any:
        self.searches += 1
        if self.searches == self._fail_on:
            raise OpenSearchConnectionError("N/A", "connection refused (injected)", None)
        return self._client.search(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


@pytest.mark.parametrize("fail_on", [1, 2])
def test_failed_candidate_lookup_raises_indexing_error(
    settings: Any, os_client: Any, fail_on: int
) -> None:
    from newsfacet.index.dedup import ClusterIndex
    from newsfacet.index.writer import EntryIndexWriter, FailureIndexLog

    flaky = SearchFailsOnCall(os_client, fail_on)
    deps = IngestDeps(
        store=None,  # type: ignore[arg-type]  # the documents are handed over parsed
        writer=EntryIndexWriter(os_client, settings.entries_alias),
        failures=FailureIndexLog(os_client, settings.failures_index),
        max_object_bytes=settings.max_object_bytes,
        clusters=ClusterIndex(flaky, settings.entries_alias),  # type: ignore[arg-type]
    )
    text = seed_paths()[2].read_text("utf-8")
    document = ParsedDocument(format="text", entries=[EntryDraft(text=text)])
    ref = ObjectRef(bucket="newsfacet-articles", key="seeds/002.txt")

    # 1: the lookup before writing fails, nothing is written; 2: the check after
    # writing fails, the entry is stored and the retry finds it (same id).
    with pytest.raises(IndexingError):
        index_documents([document], ref, deps, now=datetime.now(UTC))
    entries, _ = index_documents([document], ref, deps, now=datetime.now(UTC))

    os_client.indices.refresh(index=settings.entries_alias)
    hits = os_client.search(index=settings.entries_alias, body={"size": 10})["hits"]["hits"]
    assert [h["_id"] for h in hits] == [entries[0].id]
    assert hits[0]["_source"]["cluster"] == entries[0].id
