"""Move messages from the dead-letter queue back to the ingest queue.

Two callers: ``newsfacet replay-dlq`` after a fix (no limit), and the ingest
function's hourly schedule once OpenSearch answers (each message at most
``max_redrives`` times, so an upload that fails for a reason no outage
explains stops circling and stays in the DLQ, alarmed). Each copy carries a
``newsfacet-redrives`` attribute counting its trips.

A message is deleted from the DLQ only after the main queue has accepted its
copy, so a failure part-way loses nothing: at worst a message is delivered
twice, which ingest absorbs (entry ids come from content).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

REDRIVES = "newsfacet-redrives"


@dataclass
class ReplayReport:
    moved: int = 0
    send_failed: int = 0
    delete_failed: int = 0
    # Left in the DLQ: redriven ``max_redrives`` times already.
    kept: int = 0


def redrives_of(message: dict[str, Any]) -> int:
    """How many times this message has been moved back from the DLQ before."""
    value = (message.get("MessageAttributes") or {}).get(REDRIVES, {}).get("StringValue")
    try:
        return int(value) if value is not None else 0
    except ValueError:
        return 0


def replay_dlq(
    sqs: Any,
    *,
    dlq_url: str,
    queue_url: str,
    max_messages: int | None = None,
    max_redrives: int | None = None,
    wait_s: int = 1,
    visibility_timeout_s: int = 60,
    on_progress: Callable[[int], None] | None = None,
) -> ReplayReport:
    """Move up to ``max_messages`` (default: all) from ``dlq_url`` to ``queue_url``.

    Args:
        sqs: a boto3 SQS client.
        dlq_url: the dead-letter queue.
        queue_url: the queue the ingest function reads.
        max_messages: stop after this many; None moves everything.
        max_redrives: leave messages moved this many times already; None moves them all.
        wait_s: long-poll wait per receive; two empty receives in a row end the run.
        visibility_timeout_s: how long a received message stays hidden; one whose send
            failed reappears in the DLQ after this.
        on_progress: called with the number moved by each batch.

    Returns:
        How many moved, how many were kept for having been moved too often, and
        how many sends or deletes SQS refused (those stay in the DLQ, or in both
        queues for a failed delete; run again).
    """
    report = ReplayReport()
    empty = 0
    while empty < 2 and (max_messages is None or report.moved < max_messages):
        want = 10 if max_messages is None else min(10, max_messages - report.moved)
        messages = sqs.receive_message(
            QueueUrl=dlq_url,
            MaxNumberOfMessages=want,
            WaitTimeSeconds=wait_s,
            VisibilityTimeout=visibility_timeout_s,
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            empty += 1
            continue
        empty = 0
        if max_redrives is not None:
            # Left hidden for visibility_timeout_s, then back in the DLQ for people to see.
            report.kept += sum(redrives_of(m) >= max_redrives for m in messages)
            messages = [m for m in messages if redrives_of(m) < max_redrives]
            if not messages:
                continue
        entries = []
        for i, message in enumerate(messages):
            attributes = {
                **(message.get("MessageAttributes") or {}),
                REDRIVES: {"DataType": "Number", "StringValue": str(redrives_of(message) + 1)},
            }
            entries.append(
                {"Id": str(i), "MessageBody": message["Body"], "MessageAttributes": attributes}
            )
        sent = sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)
        ok = [int(s["Id"]) for s in sent.get("Successful", [])]
        report.send_failed += len(messages) - len(ok)
        if not ok:
            continue
        deleted = sqs.delete_message_batch(
            QueueUrl=dlq_url,
            Entries=[{"Id": str(i), "ReceiptHandle": messages[i]["ReceiptHandle"]} for i in ok],
        )
        report.delete_failed += len(deleted.get("Failed", []))
        report.moved += len(ok)
        if on_progress:
            on_progress(len(ok))
    return report
