"""A seeded index and the SearchFunction served over real HTTP, once per session.

The function is loaded from template.yaml as ``sam local`` would, with the
OpenSearch URL and a test index prefix as local overrides, and served by
``newsfacet_cli.local.apigw`` (real sockets, real HTTP API v2 events).
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
import requests

from tests.conftest import ROOT
from tests.e2e.dataset import index_corpus


@pytest.fixture(scope="session")
def search_prefix() -> str:
    return f"e2e{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def seeded_index(opensearch_url: str, search_prefix: str) -> Iterator[dict[str, Any]]:
    """The corpus indexed through EntryIndexWriter; yields the stored entries by id."""
    from newsfacet.config import IndexNames, Settings
    from newsfacet.index.client import build_client
    from newsfacet.index.setup import delete_indices, ensure_indices

    settings = Settings(opensearch_url=opensearch_url, index_prefix=search_prefix)  # type: ignore[arg-type]
    client = build_client(settings)
    ensure_indices(client, IndexNames(search_prefix))
    index_corpus(client, search_prefix, settings.index_names.entries)
    raw = client.search(
        index=settings.index_names.entries, body={"size": 1000, "query": {"match_all": {}}}
    )
    stored = {h["_id"]: h["_source"] for h in raw["hits"]["hits"]}
    try:
        yield {
            "client": client,
            "alias": settings.index_names.entries,
            "entries": stored,
            "settings": settings,
        }
    finally:
        delete_indices(client, IndexNames(search_prefix))


def function_overrides(opensearch_url: str, prefix: str) -> dict[str, str]:
    return {
        "NEWSFACET_OPENSEARCH_URL": opensearch_url,
        "NEWSFACET_OPENSEARCH_AUTH": "none",
        "NEWSFACET_INDEX_PREFIX": prefix,
        "NEWSFACET_CURSOR_SECRET": "e2e-cursor-secret",
        "NEWSFACET_CURSOR_SECRET_ARN": "",
        "NEWSFACET_OPENSEARCH_TIMEOUT_S": "5",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }


@pytest.fixture(scope="session")
def search_function(
    opensearch_url: str, search_prefix: str, seeded_index: dict[str, Any]
) -> tuple[Any, Any]:
    """(handler, context) of SearchFunction, loaded from template.yaml.

    Other test modules load the same function against other indexes, so every
    call goes through ``load_handler`` again, which switches the environment
    (and the cached settings) back to ours when they differ.
    """
    from newsfacet_cli.local.invoke import LocalContext, load_handler
    from newsfacet_cli.local.template import Template

    template = Template(ROOT / "template.yaml")
    overrides = function_overrides(opensearch_url, search_prefix)

    def handler(event: dict[str, Any], context: Any) -> Any:
        function, _ = load_handler(template, "SearchFunction", overrides)
        return function(event, context)

    _, context = load_handler(template, "SearchFunction", overrides)
    assert isinstance(context, LocalContext)
    return handler, context


@pytest.fixture(scope="session")
def api_url(search_function: tuple[Any, Any]) -> Iterator[str]:
    """Base URL of the local HTTP API in front of SearchFunction."""
    from newsfacet_cli.local.apigw import make_server

    handler, context = search_function
    server = make_server(lambda event: handler(event, context), "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class Api:
    """GET helpers for both transports: real HTTP, and API Gateway events to the handler."""

    def __init__(self, base: str, function: tuple[Any, Any]) -> None:
        self.base = base
        self.function = function
        self.session = requests.Session()

    def http(self, path: str, params: Any = None) -> requests.Response:
        return self.session.get(self.base + path, params=params, timeout=30)

    def event(self, path: str, params: Any = None) -> tuple[int, dict[str, Any], dict[str, str]]:
        from newsfacet_cli.local.apigw import http_api_event

        query = urlencode(params or [], doseq=True)
        event = http_api_event("GET", path + ("?" + query if query else ""), {"Host": "api"}, b"")
        handler, context = self.function
        result = handler(event, context)
        return result["statusCode"], json.loads(result["body"] or "null"), result.get("headers", {})


@pytest.fixture(scope="session")
def api(api_url: str, search_function: tuple[Any, Any]) -> Api:
    return Api(api_url, search_function)
