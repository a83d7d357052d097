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
def use_client(monkeypatch: pytest.MonkeyPatch, seeded_index: Any, api: Api) -> Iterator[Any]:
    # Settle the function's environment on this session's index first, so that no
    # environment switch resets the patched factory below.
    api.event("/health")

    def install(client: OpenSearch) -> None:
        service = SearchService(client, seeded_index["alias"], lambda: b"k")
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
    assert reply.json() == {"error": "search_unavailable", "message": "OpenSearch is unreachable"}


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never answers: OpenSearch hanging."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield int(listener.getsockname()[1])


def test_opensearch_too_slow_is_503(api: Api, use_client: Any, silent_server: int) -> None:
    use_client(OpenSearch(hosts=[f"http://127.0.0.1:{silent_server}"], timeout=0.3, max_retries=0))
    reply = api.http("/search", {"q": "Belgorod"})
    assert reply.status_code == 503
    assert reply.json()["message"] == "OpenSearch did not answer in time"


def test_health_is_503_when_opensearch_is_down(api: Api, use_client: Any) -> None:
    use_client(OpenSearch(hosts=[f"http://127.0.0.1:{_closed_port()}"], max_retries=0))
    reply = api.http("/health")
    assert reply.status_code == 503
    assert reply.json()["status"] == "unavailable"


def test_missing_index_is_503(
    api: Api, monkeypatch: pytest.MonkeyPatch, opensearch_url: str, use_client: Any
) -> None:
    service = SearchService(
        OpenSearch(hosts=[opensearch_url]), "no-such-index-entries", lambda: b"k"
    )
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
