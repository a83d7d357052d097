"""SearchFunction: HTTP API routes -> the search service. Imports no NLP stack."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from newsfacet.errors import InvalidRequestError, SearchBackendError
from newsfacet.models.api import HealthResponse, SearchParams, SearchResponse, Sort
from newsfacet.wiring import search_service

logger = Logger()
app = APIGatewayHttpResolver(enable_validation=True)


def _bound(value: str | None, *, parameter: str, end: bool) -> datetime | None:
    """A date means the whole day: ``from`` its first instant, ``to`` its last (UTC)."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidRequestError(
            f"'{value}' is not a date (YYYY-MM-DD) or an ISO 8601 date-time", parameter=parameter
        ) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@app.get("/search", summary="Search entries with facets")
def search(
    q: Annotated[str | None, Query(max_length=500, description="Free text")] = None,
    entity: Annotated[
        list[str] | None, Query(description="Canonical entity key, repeatable")
    ] = None,
    outlet: Annotated[list[str] | None, Query(description="Publisher domain, repeatable")] = None,
    date_from: Annotated[
        str | None, Query(alias="from", max_length=40, description="Date or date-time, inclusive")
    ] = None,
    date_to: Annotated[
        str | None, Query(alias="to", max_length=40, description="Date or date-time, inclusive")
    ] = None,
    sort: Annotated[Sort, Query()] = "relevance",
    size: Annotated[int, Query(ge=1, le=100)] = 10,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> SearchResponse:
    params = SearchParams(
        q=q,
        entity=entity or [],
        outlet=outlet or [],
        date_from=_bound(date_from, parameter="from", end=False),
        date_to=_bound(date_to, parameter="to", end=True),
        sort=sort,
        size=size,
    )
    if params.date_from and params.date_to and params.date_from > params.date_to:
        raise InvalidRequestError("'from' is after 'to'", parameter="from")
    return search_service().search(params, cursor)


@app.get("/health", summary="OpenSearch reachable and index present")
def health() -> HealthResponse:
    return search_service().health()


@app.exception_handler(InvalidRequestError)
def invalid_request(error: InvalidRequestError) -> Response[Any]:
    return Response(400, content_types.APPLICATION_JSON, error.to_dict())


@app.exception_handler(SearchBackendError)
def backend_unavailable(error: SearchBackendError) -> Response[Any]:
    logger.error("search backend unavailable", extra={"error": error.to_dict()})
    return Response(503, content_types.APPLICATION_JSON, error.to_dict())


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
