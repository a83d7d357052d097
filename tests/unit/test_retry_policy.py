"""When a message comes back, and how a large object's next part is asked for."""

from __future__ import annotations

import json

import pytest

from newsfacet.events import continuation_body, event_kind, redrive_event, refs_from_sqs_body
from newsfacet.models.document import ObjectRef
from newsfacet.queue import backoff_s, outage_tolerance_s

pytestmark = pytest.mark.unit


def test_backoff_doubles_from_the_base_and_is_capped() -> None:
    delays = [backoff_s(n, base_s=30, max_s=900) for n in range(1, 9)]
    assert delays == [30, 60, 120, 240, 480, 900, 900, 900]
    assert backoff_s(10_000, base_s=30, max_s=900) == 900
    assert backoff_s(3, base_s=30, max_s=99_999) == 120
    assert backoff_s(40, base_s=30, max_s=10**9) == 43200  # SQS's ceiling


def test_the_defaults_outlast_two_hours_of_outage() -> None:
    """The sum of the waits before a message's last receive (docs/deploy.md quotes it)."""
    assert outage_tolerance_s(base_s=30, max_s=900, max_receive_count=12) == 7230
    # What the queue's old fixed 2 s retry gave the local stack: 10 s.
    assert outage_tolerance_s(base_s=2, max_s=2, max_receive_count=5) == 10


def test_a_continuation_reads_back_as_the_same_object_from_its_part() -> None:
    ref = ObjectRef(bucket="b", key="news/big file+1.jsonl", version_id="v1", etag="e", size=9)
    body = continuation_body(ref, 1201)
    (part,) = refs_from_sqs_body(body)
    assert (part.bucket, part.key, part.version_id, part.etag, part.size) == (
        "b",
        "news/big file+1.jsonl",
        "v1",
        "e",
        9,
    )
    assert part.start == 1201
    # S3's own shape: backfill, replay and the DLQ need no special case.
    record = json.loads(body)["Records"][0]
    assert record["eventName"].startswith("ObjectCreated")
    assert record["s3"]["object"]["key"] == "news/big+file%2B1.jsonl"


def test_the_ingest_function_tells_its_events_apart() -> None:
    assert event_kind(redrive_event(dlq_url="d", queue_url="q")) == "redrive"
    request = {"RequestType": "Create", "ResponseURL": "https://x", "StackId": "s"}
    assert event_kind(request) == "cloudformation"
    assert event_kind({"newsfacet": "something else"}) == "unknown"
