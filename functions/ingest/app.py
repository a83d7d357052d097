"""IngestFunction: S3 object-created events (via SQS, directly, or via EventBridge) -> entries.

A thin adapter: decode the event into object refs, hand the whole batch to
the ingest service, then log and count each object's outcome and tell SQS
which messages to retry (only those whose objects met a transient fault).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from newsfacet import wiring
from newsfacet.errors import InputError
from newsfacet.events import BadEventError, event_kind, refs_from_event, refs_from_sqs_body
from newsfacet.ingest.service import ObjectReport
from newsfacet.models.document import ObjectRef
from newsfacet.observability import logger, metrics

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
        logger.warning("retrying", extra={"uri": report.ref.uri, "reason": report.retry})
        metrics.add_metric(name="ObjectsRetried", unit=MetricUnit.Count, value=1)
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
    }


def ingest(refs: list[ObjectRef]) -> list[dict[str, Any]]:
    service = wiring.ingest_service()
    return [report_outcome(report) for report in service.ingest(refs)]


def _sqs(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """The whole batch at once (one lookup round and one bulk write), then per-record verdicts."""
    owned: dict[str, list[ObjectRef]] = {}
    refs: list[ObjectRef] = []
    for raw in event["Records"]:
        record = SQSRecord(raw)
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
    outcomes = iter(ingest(refs))
    retry = set()
    for message_id, message_refs in owned.items():
        statuses = [next(outcomes)["status"] for _ in message_refs]
        if "retry" in statuses:
            retry.add(message_id)

    def verdict(record: SQSRecord) -> None:
        if record.message_id in retry:
            raise RetryLaterError(record.message_id)

    return process_partial_response(
        event=event, record_handler=verdict, processor=processor, context=context
    )


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if event_kind(event) == "sqs":
        return _sqs(event, context)
    return {"results": ingest(list(refs_from_event(event)))}
