"""The demo's path end to end: upload with boto3 -> bucket notification -> queue -> poller ->
ingest handler -> OpenSearch; then real HTTP -> API Gateway v2 event -> search handler."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import ROOT, seed_paths

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def api(local_stack: Any, local_aws: dict[str, Any]) -> Iterator[str]:
    from newsfacet_cli.local.apigw import make_server
    from newsfacet_cli.local.invoke import invoke
    from newsfacet_cli.local.poller import QueuePoller
    from newsfacet_cli.local.stack import free_port
    from newsfacet_cli.local.template import Template

    template = Template(ROOT / "template.yaml")
    overrides = local_stack.function_overrides()
    for path in seed_paths():
        local_aws["s3"].upload_file(str(path), local_stack.bucket, f"demo/{path.name}")
    poller = QueuePoller(
        local_aws["sqs"],
        local_stack.queue_url,
        lambda event: invoke(template, "IngestFunction", event, overrides),
    )
    poller.drain(idle_s=2, timeout_s=120)
    server = make_server(
        lambda event: invoke(template, "SearchFunction", event, overrides), "127.0.0.1", free_port()
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _get(url: str) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_search_belgorod_returns_seed_entries_with_facets(api: str) -> None:
    status, body = _get(f"{api}/search?q=Belgorod")
    assert status == 200
    assert body["total"] >= 4
    assert isinstance(body["hits"], list)
    assert body["hits"]
    outlets = {v["value"]: v for v in body["facets"]["outlet"]["values"]}
    assert outlets["independent.co.uk"]["label"] == "The Independent"
    assert sum(v["count"] for v in body["facets"]["date"]["values"]) >= body["total"] - 1
    assert "next_cursor" in body
    assert all("<mark>" in h["snippet"] or "Belgorod" in (h["title"] or "") for h in body["hits"])


def test_outlet_and_date_filters(api: str) -> None:
    _, body = _get(f"{api}/search?outlet=independent.co.uk")
    assert body["total"] >= 1
    assert all(h["outlet"] == "independent.co.uk" for h in body["hits"])
    _, body = _get(f"{api}/search?from=2023-05-24&to=2023-05-24")
    assert body["total"] >= 1
    assert all(h["published"].startswith("2023-05-24") for h in body["hits"])


def test_cursor_pages_through_everything_once(api: str) -> None:
    _, first = _get(f"{api}/search?size=2&sort=newest")
    seen = [h["id"] for h in first["hits"]]
    cursor = first["next_cursor"]
    while cursor:
        _, page = _get(f"{api}/search?size=2&sort=newest&cursor={cursor}")
        seen += [h["id"] for h in page["hits"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == first["total"]


def test_bad_parameters_are_client_errors_naming_the_parameter(api: str) -> None:
    status, body = _get(f"{api}/search?size=1000")
    assert status == 422
    assert "size" in json.dumps(body)
    status, body = _get(f"{api}/search?from=2023-06-01&to=2023-05-01")
    assert status == 400
    assert body["parameter"] == "from"
    status, body = _get(f"{api}/search?cursor=not-a-cursor")
    assert status == 400
    assert body["parameter"] == "cursor"


def test_health(api: str) -> None:
    status, body = _get(f"{api}/health")
    assert status == 200
    assert body["index"] is True
