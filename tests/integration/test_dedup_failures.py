"""When OpenSearch fails mid-decision, ingest retries the object instead of guessing."""

from __future__ import annotations

from typing import Any

import pytest
from opensearchpy.exceptions import ConnectionError as OpenSearchConnectionError

from tests.conftest import seed_paths
from tests.integration.test_dedup_index import _put, worker

pytestmark = pytest.mark.integration


class FailsOnCall:
    """The real client, except that its N-th call of one method raises a connection error."""

    def __init__(self, client: Any, method: str, fail_on: int) -> None:
        self._client = client
        self._method = method
        self._fail_on = fail_on
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        real = getattr(self._client, name)
        if name != self._method:
            return real

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            if self.calls == self._fail_on:
                raise OpenSearchConnectionError("N/A", "connection refused (injected)", None)
            return real(*args, **kwargs)

        return call


class RegistrationFails:
    """The real client, except that the first bulk request's registrations come back 503.

    The entries of that request are written; only the recent-writes items fail,
    as when that index's shard is unavailable for a moment.
    """

    def __init__(self, client: Any) -> None:
        self._client = client
        self.failed = False

    def __getattr__(self, name: str) -> Any:
        real = getattr(self._client, name)
        if name != "bulk":
            return real

        def call(*args: Any, **kwargs: Any) -> Any:
            response = real(*args, **kwargs)
            if not self.failed:
                self.failed = True
                for item in response["items"]:
                    info = next(iter(item.values()))
                    if info["_index"].endswith("-recent"):
                        info.clear()
                        info.update({"status": 503, "error": {"type": "unavailable (injected)"}})
                response["errors"] = True
            return response

        return call


@pytest.mark.parametrize(
    ("failing", "stored_before_retry"),
    [("msearch", False), ("bulk", False), ("registration", True)],
    ids=["lookup-before-write", "the-write", "registration-in-the-write"],
)
def test_a_failed_decision_retries_the_object_and_the_retry_changes_nothing_twice(
    settings: Any,
    os_client: Any,
    moto_aws: dict[str, Any],
    failing: str,
    stored_before_retry: bool,
) -> None:
    service = worker(settings, moto_aws["s3"])
    client = service.entries.client  # type: ignore[attr-defined]
    flaky = (
        RegistrationFails(client)
        if failing == "registration"
        else FailsOnCall(client, failing, fail_on=1)
    )
    service.entries.client = flaky  # type: ignore[attr-defined]
    ref = _put(moto_aws, "seeds/002.txt", seed_paths()[2].read_bytes())

    (first,) = service.ingest([ref])
    assert first.status == "retry"
    assert "injected" in (first.retry or "") or "refused" in (first.retry or "")
    os_client.indices.refresh(index=settings.index_names.entries)
    count = os_client.count(index=settings.index_names.entries)["count"]
    assert count == (1 if stored_before_retry else 0)

    (second,) = service.ingest([ref])  # what SQS's redelivery does
    assert second.status == "indexed"
    os_client.indices.refresh(index=settings.index_names.entries)
    hits = os_client.search(index=settings.index_names.entries, body={"size": 10})["hits"]["hits"]
    assert len(hits) == 1
    assert hits[0]["_source"]["cluster"] == hits[0]["_id"]
    assert hits[0]["_source"]["source_count"] == 1
