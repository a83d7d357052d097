"""AdminFunction: the curation admin API (HTTP, IAM on AWS) and its background passes (SQS).

Two event sources, each a thin adapter onto the curation admin service:

* HTTP API v2 events under ``/admin/`` -> record, list and undo changes;
* batches from the curation queue -> one background pass per message; a
  transient fault fails only that message, which SQS delivers again.

A function of its own, not routes of SearchFunction: its role may write the
curation index and the entries, which the search function's role must not.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from newsfacet import wiring
from newsfacet.curation.api_doc import ADMIN_DESCRIPTION, admin_responses
from newsfacet.curation.queue import read_pass_message
from newsfacet.errors import (
    CurationConflictError,
    TransientError,
    UnknownChangeError,
)
from newsfacet.http_errors import error_response, invalid_values, register_common
from newsfacet.models.curation import (
    CHANGE_ID_PATTERN,
    Change,
    ChangesResponse,
    HideRequest,
    MergeRequest,
    RenameRequest,
)
from newsfacet.models.entry import ENTITY_TYPES
from newsfacet.models.responses import ErrorResponse
from newsfacet.observability import logger

app = APIGatewayHttpResolver(enable_validation=True)
register_common(app, logger)
app.enable_swagger(
    path="/admin/docs",
    title="newsfacet admin API",
    version="1.0.0",
    description=ADMIN_DESCRIPTION,
)
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)

ChangeId = Annotated[str, Path(pattern=CHANGE_ID_PATTERN, max_length=13)]
# Recorded as who made a change on the local stack, where no IAM identity exists.
ACTOR_HEADER = "x-newsfacet-actor"
KEY_TYPES = "types: " + ", ".join(ENTITY_TYPES)


def _who() -> str:
    """The caller's IAM ARN (route authoriser AWS_IAM); on the local stack, the actor header."""
    context = app.current_event.raw_event.get("requestContext") or {}
    iam = (context.get("authorizer") or {}).get("iam") or {}
    if iam.get("userArn"):
        return str(iam["userArn"])
    actor = app.current_event.headers.get(ACTOR_HEADER) or "unknown"
    return f"local:{actor[:100]}"


def _created(change: Change) -> Response[Change]:
    return Response(201, content_types.APPLICATION_JSON, change)


@app.post(
    "/admin/curation/merge",
    summary="File every entry of one value under another",
    responses=admin_responses(Change, 201, "The change, recorded."),
)
def merge(request: Annotated[MergeRequest, Body()]) -> Response[Change]:
    return _created(wiring.admin_service().merge(request.source, request.target, who=_who()))


@app.post(
    "/admin/curation/rename",
    summary="Give a value a new name (its type stays)",
    responses=admin_responses(Change, 201, "The change, recorded."),
)
def rename(request: Annotated[RenameRequest, Body()]) -> Response[Change]:
    return _created(wiring.admin_service().rename(request.key, request.name, who=_who()))


@app.post(
    "/admin/curation/hide",
    summary="Take a value off facets, filters and entries",
    responses=admin_responses(Change, 201, "The change, recorded."),
)
def hide(request: Annotated[HideRequest, Body()]) -> Response[Change]:
    return _created(wiring.admin_service().hide(request.key, who=_who()))


@app.get(
    "/admin/curation/changes",
    summary="The recorded changes, oldest first",
    responses=admin_responses(ChangesResponse),
)
def changes(
    after: Annotated[int, Query(ge=0, description="Changes after this sequence number.")] = 0,
    size: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> ChangesResponse:
    return wiring.admin_service().changes(after=after, size=size)


@app.get(
    "/admin/curation/changes/<change_id>",
    summary="One change and its background pass",
    responses=admin_responses(Change),
)
def change(change_id: ChangeId) -> Change:
    return wiring.admin_service().change(change_id)


@app.post(
    "/admin/curation/changes/<change_id>/undo",
    summary="Undo a change: facets, filters and stored entries as before it",
    responses=admin_responses(Change, 201, "The undo, recorded as a change of its own."),
)
def undo(change_id: ChangeId) -> Response[Change]:
    return _created(wiring.admin_service().undo(change_id, who=_who()))


@app.post(
    "/admin/curation/changes/<change_id>/apply",
    summary="Queue a change's background pass again",
    responses=admin_responses(Change, 202, "The pass is queued."),
)
def apply(change_id: ChangeId) -> Response[Change]:
    found = wiring.admin_service().request_pass(change_id)
    return Response(202, content_types.APPLICATION_JSON, found)


@cache
def _openapi_json() -> str:
    return app.get_openapi_json_schema()


@app.get("/admin/openapi.json", include_in_schema=False)
def openapi_document() -> Response[str]:
    return Response(200, content_types.APPLICATION_JSON, _openapi_json())


# -- errors: each type to one status, in one place ----------------------------------------


def _problem(error: dict[str, Any]) -> dict[str, str]:
    field = ".".join(str(p) for p in error.get("loc", ["?"])[1:]) or "body"
    message = str(error.get("msg", "invalid"))
    if error.get("type") == "string_pattern_mismatch" and field in {"source", "target", "key"}:
        message = f"{error.get('input')!r} is not an entity key such as ORG:Name ({KEY_TYPES})"
    return {"parameter": field, "message": message}


@app.exception_handler(RequestValidationError)
def invalid_body(error: RequestValidationError) -> Response[Any]:
    return invalid_values([_problem(e) for e in error.errors()], "body")


@app.exception_handler(CurationConflictError)
def conflict(error: CurationConflictError) -> Response[Any]:
    return error_response(409, ErrorResponse(error=error.code, message=error.message))


@app.exception_handler(TransientError)
def backend_unavailable(error: TransientError) -> Response[Any]:
    logger.error("admin backend failed", extra={"reason": error.message})
    return error_response(503, ErrorResponse(error=error.code, message=error.message))


# -- the background pass ------------------------------------------------------------------
def run_pass(record: SQSRecord) -> None:
    """One message: one change's pass. Bad messages and unknown changes are logged, not retried."""
    try:
        wanted, settle = read_pass_message(record.body)
    except ValueError as exc:
        logger.error("not a curation pass message", extra={"reason": str(exc)})
        return
    try:
        wiring.admin_service().run_pass(wanted, settle=settle)
    except UnknownChangeError as error:
        logger.error("curation pass for an unknown change", extra={"reason": error.message})


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "Records" in event:
        return process_partial_response(
            event=event, record_handler=run_pass, processor=processor, context=context
        )
    return app.resolve(event, context)
