"""The set-up step at deploy answers CloudFormation whatever happens, over real HTTP."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from opensearchpy.exceptions import ConnectionError as OpenSearchConnectionError

from newsfacet import custom_resource

pytestmark = pytest.mark.unit


@pytest.fixture
def response_url() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A pre-signed-URL stand-in: an HTTP server on 127.0.0.1 that records each PUT."""
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_PUT(self) -> None:
            length = int(self.headers["Content-Length"])
            received.append(
                {
                    "content_type": self.headers.get("Content-Type"),
                    "body": json.loads(self.rfile.read(length)),
                }
            )
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/signed?x=1", received
    finally:
        server.shutdown()
        server.server_close()


def _request(kind: str, url: str) -> dict[str, Any]:
    return {
        "RequestType": kind,
        "ResponseURL": url,
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/news/1",
        "RequestId": "req-1",
        "LogicalResourceId": "IndexSetup",
        "ResourceProperties": {"IndexPrefix": "news", "MappingRevision": "1.2"},
    }


def test_create_runs_the_step_and_answers_success(
    response_url: tuple[str, list[dict[str, Any]]],
) -> None:
    url, received = response_url
    attempts: list[int] = []

    def set_up() -> list[str]:
        attempts.append(1)
        if len(attempts) < 3:  # a domain that has just been created
            raise OpenSearchConnectionError("N/A", "connection refused", None)
        return ["template news-entries put", "index news-entries-v1 created"]

    answer = custom_resource.handle(
        _request("Create", url), set_up, time_left=lambda: 250.0, sleep=lambda s: None
    )
    assert len(attempts) == 3
    ((put,),) = [received]
    assert put["content_type"] == ""  # what the pre-signed URL was signed for
    assert put["body"] == answer
    assert answer["Status"] == "SUCCESS"
    assert answer["PhysicalResourceId"] == "news-indices"
    assert answer["LogicalResourceId"] == "IndexSetup"


def test_a_failure_is_answered_not_left_hanging(
    response_url: tuple[str, list[dict[str, Any]]],
) -> None:
    url, received = response_url

    def set_up() -> list[str]:
        raise OpenSearchConnectionError("N/A", "connection refused", None)

    # Too little time left to wait again: give up and say so.
    answer = custom_resource.handle(
        _request("Update", url), set_up, time_left=lambda: 20.0, sleep=lambda s: None
    )
    assert answer["Status"] == "FAILED"
    assert "ConnectionError" in answer["Reason"]
    assert received[0]["body"]["Status"] == "FAILED"


def test_delete_keeps_the_indices(response_url: tuple[str, list[dict[str, Any]]]) -> None:
    url, received = response_url

    def set_up() -> list[str]:
        raise AssertionError("Delete must not touch the indices")

    event = {**_request("Delete", url), "PhysicalResourceId": "news-indices"}
    answer = custom_resource.handle(event, set_up, time_left=lambda: 250.0)
    assert answer["Status"] == "SUCCESS"
    assert received[0]["body"]["PhysicalResourceId"] == "news-indices"


def test_migrations_left_to_finish_lead_the_answer(
    response_url: tuple[str, list[dict[str, Any]]],
) -> None:
    url, _received = response_url
    steps = [f"mapping of news-side-{i} updated" for i in range(12)]
    steps.append(
        "500 entries of news-entries: cluster fields filled; stopped for want of time, "
        "run `newsfacet setup` to finish"
    )
    answer = custom_resource.handle(
        _request("Update", url), lambda: steps, time_left=lambda: 250.0, sleep=lambda s: None
    )
    assert answer["Status"] == "SUCCESS"
    assert answer["Reason"].startswith(
        "500 entries of news-entries: cluster fields filled; stopped"
    )
