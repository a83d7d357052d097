"""Enqueue objects already in the bucket, as if they had just been uploaded.

Each message has the exact shape of the notification S3 itself sends to the
queue, so the ingest function treats a backfilled object like a new upload.
Objects are listed in key order and sent at a bounded rate; a checkpoint file
records the last key sent, so an interrupted run resumes where it stopped
(``StartAfter``) and a finished one is not repeated by accident.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus, urlsplit

SQS_BATCH = 10  # SendMessageBatch takes at most ten entries


class BackfillError(Exception):
    """The backfill cannot go on; the message says why and what to do."""


def parse_s3_url(url: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix`` -> ``("bucket", "some/prefix")``."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise BackfillError(f"{url!r} is not an s3://bucket/prefix URL")
    return parts.netloc, parts.path.lstrip("/")


def s3_notification(bucket: str, obj: dict[str, Any], region: str) -> dict[str, Any]:
    """The ObjectCreated notification S3 would have sent for a listed object."""
    modified: datetime = obj["LastModified"]
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": region,
                "eventTime": modified.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                "eventName": "ObjectCreated:Put",
                "userIdentity": {"principalId": "newsfacet-backfill"},
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": "newsfacet-backfill",
                    "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                    # S3 URL-encodes keys in notifications (spaces as '+').
                    "object": {
                        "key": quote_plus(obj["Key"], safe="/"),
                        "size": obj.get("Size", 0),
                        "eTag": str(obj.get("ETag", "")).strip('"'),
                    },
                },
            }
        ]
    }


@dataclass
class Checkpoint:
    """Progress of one backfill (bucket, prefix, since), saved after every batch."""

    path: Path
    bucket: str
    prefix: str
    since: str | None
    last_key: str | None = None
    enqueued: int = 0
    done: bool = False

    @classmethod
    def open(
        cls, path: Path, bucket: str, prefix: str, since: datetime | None, *, restart: bool = False
    ) -> Checkpoint:
        since_text = since.isoformat() if since else None
        fresh = cls(path=path, bucket=bucket, prefix=prefix, since=since_text)
        if restart or not path.exists():
            return fresh
        data = json.loads(path.read_text("utf-8"))
        if (data.get("bucket"), data.get("prefix"), data.get("since")) != (
            bucket,
            prefix,
            since_text,
        ):
            raise BackfillError(
                f"checkpoint {path} belongs to another backfill (s3://{data.get('bucket')}/"
                f"{data.get('prefix')}, since {data.get('since')}); pass --restart or another "
                "--checkpoint"
            )
        return cls(
            path=path,
            bucket=bucket,
            prefix=prefix,
            since=since_text,
            last_key=data.get("last_key"),
            enqueued=int(data.get("enqueued", 0)),
            done=bool(data.get("done", False)),
        )

    def save(self) -> None:
        data = {k: v for k, v in asdict(self).items() if k != "path"}
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(data, indent=2), "utf-8")
        os.replace(tmp, self.path)  # atomic: a crash never leaves half a checkpoint


class RateLimiter:
    """At most ``rate`` messages per second, averaged from the first send."""

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise BackfillError("--rate must be above zero")
        self.interval = 1.0 / rate
        self.clock = clock
        self.sleep = sleep
        self._next = clock()

    def acquire(self, count: int) -> None:
        now = self.clock()
        if self._next > now:
            self.sleep(self._next - now)
            now = self._next
        self._next = now + count * self.interval


@dataclass
class BackfillReport:
    bucket: str
    prefix: str
    listed: int = 0
    enqueued: int = 0
    skipped_older: int = 0
    resumed_after: str | None = None
    already_done: bool = False
    last_key: str | None = None
    failed_keys: list[str] = field(default_factory=list)


def _listed(s3: Any, bucket: str, prefix: str, start_after: str | None) -> Iterator[dict[str, Any]]:
    kwargs: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix}
    if start_after:
        kwargs["StartAfter"] = start_after
    for page in s3.get_paginator("list_objects_v2").paginate(**kwargs):
        yield from page.get("Contents", [])


def backfill(
    s3: Any,
    sqs: Any,
    *,
    bucket: str,
    prefix: str,
    queue_url: str,
    checkpoint: Checkpoint,
    since: datetime | None = None,
    rate: float = 50.0,
    region: str = "us-east-1",
    on_progress: Callable[[int], None] | None = None,
    limiter: RateLimiter | None = None,
) -> BackfillReport:
    """List ``s3://bucket/prefix`` and enqueue every object modified at or after ``since``.

    Args:
        s3: a boto3 S3 client.
        sqs: a boto3 SQS client.
        bucket: the articles bucket.
        prefix: key prefix to backfill ("" for the whole bucket).
        queue_url: the ingest queue.
        checkpoint: where progress is kept; a finished checkpoint makes this a no-op.
        since: skip objects last modified before this instant (timezone-aware).
        rate: messages per second, to spare OpenSearch and the function's concurrency.
        region: the region written into the notifications.
        on_progress: called with the number of objects enqueued by each batch.
        limiter: replaces the rate limiter built from ``rate`` (tests pass a fake clock).

    Returns:
        What was listed, sent and skipped. Entries SQS refused are listed in
        ``failed_keys``; the checkpoint then stops before them, so a rerun sends them.
    """
    report = BackfillReport(bucket=bucket, prefix=prefix, resumed_after=checkpoint.last_key)
    if checkpoint.done:
        report.already_done = True
        return report
    limiter = limiter or RateLimiter(rate)
    batch: list[dict[str, Any]] = []

    def flush() -> bool:
        limiter.acquire(len(batch))
        entries = [
            {"Id": str(i), "MessageBody": json.dumps(s3_notification(bucket, obj, region))}
            for i, obj in enumerate(batch)
        ]
        result = sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)
        failed = sorted(int(f["Id"]) for f in result.get("Failed", []))
        if failed:
            # Keep the checkpoint before the first refused key: a rerun resends from
            # there (a duplicate message is harmless, ingest is idempotent).
            report.failed_keys = [batch[i]["Key"] for i in failed]
            sent = failed[0]
        else:
            sent = len(batch)
        if sent:
            checkpoint.last_key = batch[sent - 1]["Key"]
            checkpoint.enqueued += sent
            checkpoint.save()
            report.enqueued += sent
            if on_progress:
                on_progress(sent)
        batch.clear()
        return not failed

    for obj in _listed(s3, bucket, prefix, checkpoint.last_key):
        report.listed += 1
        report.last_key = obj["Key"]
        if obj["Key"].endswith("/") and not obj.get("Size"):
            continue  # a console "folder" marker, not an article
        if since is not None and obj["LastModified"] < since:
            report.skipped_older += 1
            continue
        batch.append(obj)
        if len(batch) == SQS_BATCH and not flush():
            return report
    if batch and not flush():
        return report
    checkpoint.done = True
    checkpoint.save()
    return report
