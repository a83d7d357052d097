"""IngestFunction: S3 object-created events (via SQS, directly, or via EventBridge) -> entries.

A thin adapter: decode the event into object refs, hand the whole batch to
the ingest service, then log and count each object's outcome and tell SQS
which messages to retry (only those whose objects met a transient fault, or
were deferred for want of time) and when (``newsfacet/queue.py``: backoff
by receive count; a message whose next stop is the dead-letter queue is
logged as such, with the reason).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from newsfacet import custom_resource, wiring
from newsfacet.config import get_settings
from newsfacet.errors import InputError, TransientError
from newsfacet.events import (
    BadEventError,
    continuation_body,
    event_kind,
    refs_from_event,
    refs_from_sqs_body,
)
from newsfacet.ingest.budget import Clock
from newsfacet.ingest.reports import ObjectReport
from newsfacet.models.document import ObjectRef
from newsfacet.observability import logger, metrics
from newsfacet.queue import Delay, backoff_s

# Every record gets its own verdict, even when all must be retried (no exception).
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


class RetryLaterError(Exception):
    """Marks an SQS record failed so SQS delivers it again (a transient fault)."""


def _reason_metric(error: InputError) -> str:
    """One count per reason, e.g. ``RejectedMalformedContent``, beside the totals."""
    return "Rejected" + "".join(part.title() for part in error.code.split("_"))


def report_outcome(report: ObjectReport) -> dict[str, Any]:
    """Log and count one object's outcome; the summary the handler returns for it."""
    status = report.status
    for error in report.errors:
        logger.warning(
            "rejected", extra={"uri": report.ref.uri, "status": status, "error": error.to_dict()}
        )
        metrics.add_metric(name=_reason_metric(error), unit=MetricUnit.Count, value=1)
    if status == "retry":
        logger.warning(
            "retrying",
            extra={"uri": report.ref.uri, "reason": report.retry, "deferred": report.deferred},
        )
        metric = "ObjectsDeferred" if report.deferred else "ObjectsRetried"
        metrics.add_metric(name=metric, unit=MetricUnit.Count, value=1)
    else:
        metric = {"indexed": "ObjectsIngested", "partial": "ObjectsPartlyIngested"}.get(
            status, "ObjectsRejected"
        )
        metrics.add_metric(name=metric, unit=MetricUnit.Count, value=1)
        metrics.add_metric(name="EntriesIndexed", unit=MetricUnit.Count, value=report.created)
        metrics.add_metric(name="EntriesMerged", unit=MetricUnit.Count, value=report.updated)
        logger.info(
            "object done",
            extra={
                "uri": report.ref.uri,
                "status": status,
                "articles": report.articles,
                "entries": report.entries,
                "entries_created": report.created,
                "entries_merged": report.updated,
                "errors": len(report.errors),
                "next_part_from": report.continue_at,
            },
        )
    return {
        "key": report.ref.key,
        "status": status,
        "articles": report.articles,
        "entries": report.entries,
        "created": report.created,
        "updated": report.updated,
        "errors": [error.code for error in report.errors],
        "retry": report.retry,
        "deferred": report.deferred,
        "next_part_from": report.continue_at,
    }


def ingest(refs: list[ObjectRef], time_left: Clock | None = None) -> list[dict[str, Any]]:
    service = wiring.ingest_service()
    return [report_outcome(r) for r in service.ingest(refs, time_left=time_left)]


def _receives(record: SQSRecord) -> int:
    return int(record.attributes.approximate_receive_count or 1)


def _sqs(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """The whole batch at once (one lookup round and one bulk write), then per-record verdicts.

    Messages received most often go first, so one deferred for want of time is
    reached early in its next batch. An object too large for one invocation
    gets its next part queued (``ObjectReport.continue_at``) before its
    message counts as done.
    """
    records = sorted((SQSRecord(raw) for raw in event["Records"]), key=_receives, reverse=True)
    owned: dict[str, list[ObjectRef]] = {}
    refs: list[ObjectRef] = []
    for record in records:
        try:
            owned[record.message_id] = list(refs_from_sqs_body(record.body))
        except BadEventError as error:
            # Not an S3 notification: retrying cannot help. Logged and counted, then dropped.
            logger.error(
                "unreadable message",
                extra={"message_id": record.message_id, "error": error.to_dict()},
            )
            metrics.add_metric(name="MessagesRejected", unit=MetricUnit.Count, value=1)
            owned[record.message_id] = []
        refs += owned[record.message_id]
    # Why each message is retried, and whether it only ran out of time.
    retry: dict[str, tuple[str, bool]] = {}
    try:
        service = wiring.ingest_service()
        reports = iter(
            service.ingest(
                refs,
                time_left=lambda: context.get_remaining_time_in_millis() / 1000,
                in_parts=True,
            )
        )
    except TransientError as error:
        # The service could not start (OpenSearch down at a cold start): all of it later.
        logger.warning("ingest unavailable; the batch is retried", extra={"reason": error.message})
        retry = {m: (error.message, False) for m, message_refs in owned.items() if message_refs}
    else:
        by_arn = {r.message_id: r.event_source_arn for r in records}
        for message_id, message_refs in owned.items():
            done = [next(reports) for _ in message_refs]
            failed = [r for r in done if r.status == "retry"]
            if not failed:
                failed = _queue_next_parts(by_arn[message_id], done)
            for report in done:
                report_outcome(report)
            if failed:
                retry[message_id] = (str(failed[0].retry), all(r.deferred for r in failed))
    _delay_retries([r for r in records if r.message_id in retry], retry)

    def verdict(record: SQSRecord) -> None:
        if record.message_id in retry:
            raise RetryLaterError(record.message_id)

    return process_partial_response(
        event=event, record_handler=verdict, processor=processor, context=context
    )


def _queue_next_parts(queue_arn: str, reports: list[ObjectReport]) -> list[ObjectReport]:
    """Queue the rest of each object past its budget; the reports to retry if SQS refused."""
    parts = [r for r in reports if r.continue_at is not None]
    if not parts:
        return []
    try:
        wiring.ingest_queue().send(
            queue_arn, [continuation_body(r.ref, r.continue_at or 0) for r in parts]
        )
    except TransientError as error:
        for report in parts:
            report.retry = error.message
        return parts
    for report in parts:
        logger.info("next part queued", extra={"uri": report.ref.uri, "start": report.continue_at})
        metrics.add_metric(name="ObjectPartsQueued", unit=MetricUnit.Count, value=1)
    return []


def _delay_retries(records: list[SQSRecord], why: dict[str, tuple[str, bool]]) -> None:
    """Back off by receive count; say so loudly when a message's next stop is the DLQ."""
    settings = get_settings()
    by_queue: dict[str, list[Delay]] = {}
    for record in records:
        reason, deferred = why[record.message_id]
        receives = _receives(record)
        if receives >= settings.max_receive_count:
            seconds = 0  # to the dead-letter queue at its next receive, not hours later
            logger.error(
                "message goes to the dead-letter queue",
                extra={
                    "message_id": record.message_id,
                    "receives": receives,
                    "reason": reason,
                    "body": record.body[:2000],
                    "hint": "fix the cause, then `newsfacet replay-dlq` (or wait for the "
                    "scheduled redrive)",
                },
            )
            metrics.add_metric(name="MessagesDeadLettered", unit=MetricUnit.Count, value=1)
        elif deferred:
            seconds = 0
        else:
            seconds = backoff_s(receives, base_s=settings.retry_base_s, max_s=settings.retry_max_s)
        delay = Delay(record.message_id, record.receipt_handle, seconds)
        by_queue.setdefault(record.event_source_arn, []).append(delay)
    for queue_arn, delays in by_queue.items():
        wiring.ingest_queue(settings).delay(queue_arn, delays)


def _redrive(event: dict[str, Any]) -> dict[str, Any]:
    """The hourly schedule: dead letters back to the ingest queue, if OpenSearch is healthy."""
    settings = get_settings()
    try:
        wiring.check_opensearch(settings)
    except TransientError as error:
        logger.info("OpenSearch not healthy; dead letters wait", extra={"reason": error.message})
        return {"redriven": 0, "waiting_for": error.message}
    report = wiring.ingest_queue(settings).redrive(
        dlq_url=event["dlq_url"],
        queue_url=event["queue_url"],
        max_redrives=settings.max_redrives,
        max_messages=REDRIVE_PER_RUN,
    )
    if report.moved or report.kept:
        logger.warning("dead letters redriven", extra=asdict(report))
    metrics.add_metric(name="MessagesRedriven", unit=MetricUnit.Count, value=report.moved)
    return {"redriven": report.moved, "kept": report.kept}


# Messages one scheduled run moves at most (about 30 s of SQS calls).
REDRIVE_PER_RUN = 1000


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    kind = event_kind(event)
    if kind == "sqs":
        return _sqs(event, context)
    if kind == "redrive":
        return _redrive(event)
    if kind == "cloudformation":
        left = lambda: context.get_remaining_time_in_millis() / 1000  # noqa: E731
        return custom_resource.handle(
            event,
            # Data migrations of a large index stop with time to answer CloudFormation
            # (a stack left without an answer waits an hour); `newsfacet setup` finishes them.
            lambda: wiring.set_up_indices(stop=lambda: left() < custom_resource.ANSWER_RESERVE_S),
            time_left=left,
        )
    time_left = lambda: context.get_remaining_time_in_millis() / 1000  # noqa: E731
    return {"results": ingest(list(refs_from_event(event)), time_left)}
