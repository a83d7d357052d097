"""IngestFunction: S3 object-created events (via SQS, directly, or via EventBridge) -> entries."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from newsfacet.errors import InputError
from newsfacet.events import (
    event_kind,
    ref_from_eventbridge,
    refs_from_s3_notification,
    refs_from_sqs_body,
)
from newsfacet.ingest.pipeline import ingest_object
from newsfacet.models.document import ObjectRef
from newsfacet.wiring import ingest_deps

logger = Logger()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.SQS)


def _rejected_metric(error: InputError) -> str:
    """One count per reason, e.g. ``RejectedMalformedContent``, beside the totals."""
    return "Rejected" + "".join(part.title() for part in error.code.split("_"))


def ingest_ref(ref: ObjectRef) -> dict[str, Any]:
    """Ingest one object. Bad input is recorded and not retried; other errors propagate."""
    deps = ingest_deps()
    try:
        report = ingest_object(ref, deps)
    except InputError as error:
        logger.warning("object rejected", extra={"uri": ref.uri, "error": error.to_dict()})
        metrics.add_metric(name="ObjectsRejected", unit=MetricUnit.Count, value=1)
        metrics.add_metric(name=_rejected_metric(error), unit=MetricUnit.Count, value=1)
        deps.failures.record(error, ref)
        return {"key": ref.key, "status": "rejected", "error": error.code}
    for error in report.errors:
        logger.warning("article rejected", extra={"uri": ref.uri, "error": error.to_dict()})
        metrics.add_metric(name=_rejected_metric(error), unit=MetricUnit.Count, value=1)
    if report.errors:
        metrics.add_metric(name="ArticlesRejected", unit=MetricUnit.Count, value=len(report.errors))
    metrics.add_metric(name="ObjectsIngested", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="EntriesIndexed", unit=MetricUnit.Count, value=report.created)
    metrics.add_metric(name="EntriesMerged", unit=MetricUnit.Count, value=report.updated)
    logger.info(
        "object ingested",
        extra={
            "uri": ref.uri,
            "entries": report.entries,
            "entries_created": report.created,
            "entries_merged": report.updated,
        },
    )
    return {
        "key": ref.key,
        "status": "ingested",
        "entries": report.entries,
        "created": report.created,
        "updated": report.updated,
    }


def record_handler(record: SQSRecord) -> None:
    for ref in refs_from_sqs_body(record.body):
        ingest_ref(ref)


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    kind = event_kind(event)
    if kind == "sqs":
        return process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
    if kind == "s3":
        return {"results": [ingest_ref(ref) for ref in refs_from_s3_notification(event)]}
    if kind == "eventbridge":
        return {"results": [ingest_ref(ref_from_eventbridge(event))]}
    raise ValueError("unrecognised event: expected SQS, S3 or EventBridge S3 notification")
