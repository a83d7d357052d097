"""503 when OpenSearch is down or slow, 500 without details on a bug: real clients, made to fail."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from opensearchpy import OpenSearch

from newsfacet import wiring
from newsfacet.search.service import SearchService
from tests.e2e.conftest import Api

pytestmark = pytest.mark.e2e


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ExplodingClient(OpenSearch):
    """A real client whose search fails the way a bug in our code would."""

    def search(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        raise KeyError("secret-internal-detail")


@pytest.fixture
def use_client(monkeypatch: pytest.MonkeyPatch, seeded_index: Any) -> Iterator[Any]:
    def install(client: OpenSearch) -> None:
        service = SearchService(client, seeded_index["alias"], b"k")
        monkeypatch.setattr(wiring, "search_service", lambda settings=None: service)

    return install


@pytest.mark.parametrize(
    "path",
    ["/search", "/entities?prefix=gl", "/outlets", "/entries/0123456789abcdef0123456789abcdef"],
)
def test_opensearch_down_is_503(api: Api, use_client: Any, path: str) -> None:
    use_client(OpenSearch(hosts=[f"http://127.0.0.1:{_closed_port()}"], max_retries=0))
    reply = api.http(path)
    assert reply.status_code == 503
    assert reply.json()["error"] == "search_unavailable"
    assert "Traceback" not in reply.text


def test_opensearch_too_slow_is_503(api: Api, use_client: Any, opensearch_url: str) -> None:
    use_client(OpenSearch(hosts=[opensearch_url], timeout=0.0005, max_retries=0))
    reply = api.http("/search", {"q": "Belgorod"})
    assert reply.status_code == 503
    assert "timed out" in reply.json()["message"] or "unreachable" in reply.json()["message"]


def test_health_is_503_when_opensearch_is_down(api: Api, use_client: Any) -> None:
    use_client(OpenSearch(hosts=[f"http://127.0.0.1:{_closed_port()}"], max_retries=0))
    reply = api.http("/health")
    assert reply.status_code == 503
    assert reply.json()["status"] == "unavailable"


def test_missing_index_is_503(
    api: Api, monkeypatch: pytest.MonkeyPatch, opensearch_url: str
) -> None:
    service = SearchService(OpenSearch(hosts=[opensearch_url]), "no-such-index-entries", b"k")
    monkeypatch.setattr(wiring, "search_service", lambda settings=None: service)
    assert api.http("/search").status_code == 503
    health = api.http("/health")
    assert health.status_code == 503
    assert health.json()["index"] is False


def test_a_bug_is_500_without_details(api: Api, use_client: Any, opensearch_url: str) -> None:
    use_client(ExplodingClient(hosts=[opensearch_url]))
    reply = api.http("/search")
    assert reply.status_code == 500
    assert reply.json()["error"] == "internal_error"
    assert "secret-internal-detail" not in reply.text
    assert "Traceback" not in reply.text
    status, body, _ = api.event("/search")
    assert status == 500
    assert "secret-internal-detail" not in str(body)
