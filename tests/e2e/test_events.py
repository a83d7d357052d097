"""Every file in events/ runs through the in-process invoker against the local stack.

These are the files `sam local invoke -e` and `sam local start-api` use (see
docs/deploy.md); here each goes to the function of template.yaml it is meant
for, with moto_server and a real OpenSearch behind it, and the objects the
events name uploaded first.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from newsfacet.events import (
    event_kind,
    ref_from_eventbridge,
    refs_from_s3_notification,
    refs_from_sqs_body,
)
from newsfacet.local.invoke import cold_start, invoke
from newsfacet.local.template import Template
from newsfacet.models.document import ObjectRef
from tests.conftest import EVENTS, ROOT, SEEDS, load_event, seed_paths

pytestmark = pytest.mark.e2e

EVENT_FILES = sorted(p.name for p in EVENTS.glob("*.json"))


def function_for(event: dict[str, Any]) -> str:
    if "requestContext" in event:
        return "SearchFunction"
    if event_kind(event) != "unknown":
        return "IngestFunction"
    raise AssertionError("an event file this test does not know: add its function here")


def refs_named(event: dict[str, Any]) -> list[ObjectRef]:
    kind = event_kind(event)
    if kind == "sqs":
        return [ref for r in event["Records"] for ref in refs_from_sqs_body(r["body"])]
    if kind == "s3":
        return list(refs_from_s3_notification(event))
    if kind == "eventbridge":
        return [ref_from_eventbridge(event)]
    return []


def seed_for(key: str) -> Path:
    """The seed an event's key names: by file name, else by its number (002 ...)."""
    name = Path(key).name
    if (SEEDS / name).exists():
        return SEEDS / name
    words = Path(name).stem.split()
    (match,) = [p for p in seed_paths() if p.name[:3] in words]
    return match


@pytest.fixture
def stack(local_stack: Any) -> Iterator[Any]:
    """The local stack, with the invoker cold and the environment restored afterwards."""
    saved = dict(os.environ)
    cold_start()
    try:
        yield local_stack
    finally:
        cold_start()
        os.environ.clear()
        os.environ.update(saved)


def s3_client(info: Any) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=info.aws_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def upload_named(info: Any, event: dict[str, Any]) -> list[ObjectRef]:
    refs = refs_named(event)
    s3 = s3_client(info)
    for ref in refs:
        assert ref.bucket == info.bucket, "events name the template's bucket"
        s3.put_object(Bucket=ref.bucket, Key=ref.key, Body=seed_for(ref.key).read_bytes())
    return refs


def ingest_all_seeds(info: Any, template: Template) -> None:
    records = []
    s3 = s3_client(info)
    for path in seed_paths():
        key = f"seeds/{path.name}"
        s3.put_object(Bucket=info.bucket, Key=key, Body=path.read_bytes())
        records.append(
            {
                "eventSource": "aws:s3",
                "eventName": "ObjectCreated:Put",
                "s3": {"bucket": {"name": info.bucket}, "object": {"key": key}},
            }
        )
    result = invoke(template, "IngestFunction", {"Records": records}, info.function_overrides())
    assert {r["status"] for r in result["results"]} == {"ingested"}


def refresh(info: Any) -> None:
    from newsfacet.config import Settings
    from newsfacet.index.client import build_client

    settings = Settings(opensearch_url=info.opensearch_url, index_prefix=info.index_prefix)  # type: ignore[arg-type]
    build_client(settings).indices.refresh(index=f"{info.index_prefix}-*")


def test_events_folder_is_covered() -> None:
    assert {"s3-put.json", "sqs-s3.json", "eventbridge-s3.json", "api-search.json"} <= set(
        EVENT_FILES
    )


@pytest.mark.parametrize("name", EVENT_FILES)
def test_event_file_runs_against_the_local_stack(name: str, stack: Any) -> None:
    template = Template(ROOT / "template.yaml")
    event = load_event(name)
    function = function_for(event)
    overrides = stack.function_overrides()

    if function == "IngestFunction":
        refs = upload_named(stack, event)
        assert refs, f"{name} names no object"
        result = invoke(template, function, event, overrides)
        if event_kind(event) == "sqs":
            assert result == {"batchItemFailures": []}
        else:
            assert [r["key"] for r in result["results"]] == [r.key for r in refs]
            for item in result["results"]:
                assert item["status"] == "ingested", item
                assert item["entries"] >= 1
        return

    ingest_all_seeds(stack, template)
    refresh(stack)
    response = invoke(template, function, event, overrides)
    assert response["statusCode"] == 200, response
    body = json.loads(response["body"])
    if event["rawPath"] == "/search":
        assert body["total"] >= 1
        assert any("Belgorod" in json.dumps(hit) for hit in body["hits"])
    if event["rawPath"] == "/health":
        assert body["status"] == "ok"
