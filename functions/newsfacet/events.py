"""Decode the three shapes in which S3 tells us about a new object.

SQS-wrapped S3 notifications (production), plain S3 notifications (what
``sam local invoke -e events/s3-put.json`` sends) and EventBridge "Object
Created" events. Keys arrive URL-encoded (spaces as ``+``). The ingest
function also gets its schedule's redrive event and CloudFormation's
requests for the set-up step.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Literal
from urllib.parse import quote_plus, unquote_plus

from newsfacet.errors import NewsfacetError
from newsfacet.models.document import ObjectRef

EventKind = Literal["sqs", "s3", "eventbridge", "redrive", "cloudformation", "unknown"]
# What the ingest function's schedule sends (template.yaml: IngestFunction Events.Redrive),
# with the two queues' URLs as ``dlq_url`` and ``queue_url``.
REDRIVE = "redrive-dead-letters"


def redrive_event(*, dlq_url: str, queue_url: str) -> dict[str, str]:
    return {"newsfacet": REDRIVE, "dlq_url": dlq_url, "queue_url": queue_url}


class BadEventError(NewsfacetError):
    """An event or message that is not an S3 notification: retrying cannot help."""

    code = "bad_event"


def event_kind(event: dict[str, Any]) -> EventKind:
    records = event.get("Records")
    if isinstance(records, list) and records:
        source = records[0].get("eventSource")
        if source == "aws:sqs":
            return "sqs"
        if source == "aws:s3":
            return "s3"
    if event.get("source") == "aws.s3" and "detail" in event:
        return "eventbridge"
    if event.get("newsfacet") == REDRIVE:
        return "redrive"
    if "RequestType" in event and "ResponseURL" in event and "StackId" in event:
        return "cloudformation"  # the set-up step at deploy (newsfacet/custom_resource.py)
    return "unknown"


def refs_from_s3_notification(notification: dict[str, Any]) -> Iterator[ObjectRef]:
    """Objects named by an S3 notification; test events and deletions yield nothing."""
    if notification.get("Event") == "s3:TestEvent":
        return
    for record in notification.get("Records", []):
        if not str(record.get("eventName", "")).startswith("ObjectCreated"):
            continue
        s3 = record["s3"]
        obj = s3["object"]
        yield ObjectRef(
            bucket=s3["bucket"]["name"],
            key=unquote_plus(obj["key"]),
            version_id=obj.get("versionId"),
            etag=obj.get("eTag"),
            size=obj.get("size"),
            start=int((record.get("newsfacet") or {}).get("start") or 0),
        )


def continuation_body(ref: ObjectRef, start: int) -> str:
    """The SQS message that asks for the rest of a large object, from article ``start`` on.

    It has the shape of S3's own notification (so backfill, replay and the
    dead-letter queue treat it like any other) plus where the part starts.
    """
    obj: dict[str, Any] = {"key": quote_plus(ref.key, safe="/")}
    if ref.version_id:
        obj["versionId"] = ref.version_id
    if ref.etag:
        obj["eTag"] = ref.etag
    if ref.size is not None:
        obj["size"] = ref.size
    record = {
        "eventSource": "aws:s3",
        "eventName": "ObjectCreated:NewsfacetPart",
        "s3": {"bucket": {"name": ref.bucket}, "object": obj},
        "newsfacet": {"start": start},
    }
    return json.dumps({"Records": [record]})


def refs_from_sqs_body(body: str) -> list[ObjectRef]:
    """The objects an SQS message names.

    Raises:
        BadEventError: the body is not JSON, or not an S3 notification.
    """
    try:
        notification = json.loads(body)
        if not isinstance(notification, dict):
            raise BadEventError("message body is not a JSON object")
        return list(refs_from_s3_notification(notification))
    except (ValueError, RecursionError, KeyError, TypeError, AttributeError) as exc:
        raise BadEventError(f"not an S3 notification ({type(exc).__name__}: {exc})") from exc


def refs_from_event(event: dict[str, Any]) -> list[ObjectRef]:
    """The objects a plain S3 or an EventBridge event names (SQS batches: ``refs_from_sqs_body``).

    Raises:
        BadEventError: neither shape.
    """
    kind = event_kind(event)
    try:
        if kind == "s3":
            return list(refs_from_s3_notification(event))
        if kind == "eventbridge":
            return [ref_from_eventbridge(event)]
    except (KeyError, TypeError, AttributeError) as exc:
        raise BadEventError(f"malformed {kind} event ({type(exc).__name__}: {exc})") from exc
    raise BadEventError("unrecognised event: expected SQS, S3 or EventBridge S3 notification")


def ref_from_eventbridge(event: dict[str, Any]) -> ObjectRef:
    detail = event["detail"]
    obj = detail["object"]
    return ObjectRef(
        bucket=detail["bucket"]["name"],
        # EventBridge sends keys URL-encoded too.
        key=unquote_plus(obj["key"]),
        version_id=obj.get("version-id"),
        etag=obj.get("etag"),
        size=obj.get("size"),
    )
