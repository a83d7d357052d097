"""SearchFunction: HTTP API routes -> the search service.

Imports stay minimal for a short cold start: the OpenSearch client and the
service load on the first request (``newsfacet.wiring``), no X-Ray SDK, no
boto3 unless SigV4 signing is on, and never the NLP stack.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Literal

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from newsfacet import wiring
from newsfacet.errors import InvalidRequestError, NotFoundError, SearchBackendError
from newsfacet.models.api import (
    MAX_PAGE_SIZE,
    EntitiesResponse,
    EntryResponse,
    ErrorResponse,
    HealthResponse,
    Interval,
    OutletsResponse,
    SearchResponse,
    Sort,
)
from newsfacet.search.api_doc import API_DESCRIPTION, HEALTH_RESPONSES, responses
from newsfacet.search.lookup import NAME_PATTERN
from newsfacet.search.params import build_params
from newsfacet.web.site import Answer, load_site

logger = Logger()
app = APIGatewayHttpResolver(enable_validation=True)
app.enable_swagger(
    path="/docs",
    title="newsfacet search API",
    version="1.0.0",
    description=API_DESCRIPTION,
)

EntityType = Literal["PERSON", "ORG", "LOC"]
Values = list[str] | None


@app.get("/search", summary="Search entries with facets", responses=responses(SearchResponse))
def search(
    q: Annotated[
        str | None,
        Query(
            max_length=500,
            description=(
                "Simple query syntax over title (weighted) and body: words (all required), "
                '"phrases", +must, -exclude, a | b (OR), prefix*, (groups).'
            ),
        ),
    ] = None,
    entity: Annotated[
        Values,
        Query(
            description=(
                "Repeatable, AND-ed. A canonical key such as `PERSON:Vyacheslav Gladkov`, "
                "or a name that resolves to the most frequent matching entity."
            )
        ),
    ] = None,
    entity_type: Annotated[
        EntityType | None,
        Query(
            description=(
                "Resolve `entity` names within this type only, and show only its entity facet."
            )
        ),
    ] = None,
    outlet: Annotated[Values, Query(description="Publisher domain, repeatable, OR-ed.")] = None,
    cited_outlet: Annotated[
        Values, Query(description="Outlet cited inside the text, repeatable, OR-ed.")
    ] = None,
    lang: Annotated[Values, Query(description="Language code, repeatable, OR-ed.")] = None,
    date_from: Annotated[
        str | None,
        Query(
            alias="from",
            max_length=40,
            description=(
                "Inclusive start: YYYY-MM-DD (start of that day in `tz`) or an ISO 8601 date-time."
            ),
        ),
    ] = None,
    date_to: Annotated[
        str | None,
        Query(
            alias="to",
            max_length=40,
            description=(
                "Inclusive end: YYYY-MM-DD (the whole day in `tz`) or an ISO 8601 date-time."
            ),
        ),
    ] = None,
    tz: Annotated[
        str,
        Query(
            max_length=64,
            description=("IANA time zone for dates without an offset and for the date histogram."),
        ),
    ] = "UTC",
    sort: Annotated[Sort, Query()] = "relevance",
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 10,
    cursor: Annotated[
        str | None,
        Query(
            max_length=2048,
            description=("Opaque `next_cursor` of the previous page, for the same parameters."),
        ),
    ] = None,
    dedup: Annotated[
        bool,
        Query(
            description=(
                "Show each story (cluster of near-duplicates) once, with `also_reported_by`."
            )
        ),
    ] = True,
    facets: Annotated[
        Values,
        Query(
            description=(
                "Which facets and how many values: `outlet:20`, `person`, `entity:5` (all three "
                "types), `date`; repeatable or comma-separated; `none` for no facets. "
                "Default: every facet, 10 values."
            )
        ),
    ] = None,
    interval: Annotated[
        Interval, Query(description=("Date histogram bucket; `auto` picks from the from/to range."))
    ] = "auto",
    facet_stories: Annotated[
        bool,
        Query(description="Also count distinct stories (clusters) per facet value (slower)."),
    ] = False,
) -> SearchResponse:
    params = build_params(
        q=q,
        entity=entity or [],
        entity_type=entity_type,
        outlet=outlet or [],
        cited_outlet=cited_outlet or [],
        lang=lang or [],
        date_from=date_from,
        date_to=date_to,
        tz=tz,
        facet_stories=facet_stories,
        sort=sort,
        size=size,
        dedup=dedup,
        facets=facets,
        interval=interval,
    )
    return wiring.search_service().search(params, cursor)


@app.get(
    "/entries/<entry_id>",
    summary="One entry, its sources and its cluster",
    responses=responses(EntryResponse),
)
def get_entry(
    entry_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", max_length=64)],
) -> EntryResponse:
    return wiring.search_service().entry(entry_id)


@app.get(
    "/entities",
    summary="Entity suggestions, most frequent first",
    responses=responses(EntitiesResponse),
)
def entities(
    prefix: Annotated[
        str | None,
        Query(
            max_length=50,
            pattern=NAME_PATTERN,
            description=(
                "Start of any word of the name (case and accents ignored); "
                "omit for the top entities."
            ),
        ),
    ] = None,
    type: Annotated[EntityType | None, Query()] = None,
    size: Annotated[int, Query(ge=1, le=50)] = 10,
) -> EntitiesResponse:
    return wiring.search_service().suggest_entities(prefix, type, size)


@app.get(
    "/outlets",
    summary="Outlets with entry counts and date range",
    responses=responses(OutletsResponse),
)
def outlets(size: Annotated[int, Query(ge=1, le=1000)] = 100) -> OutletsResponse:
    return wiring.search_service().outlets(size)


@app.get("/health", summary="OpenSearch reachable and index present", responses=HEALTH_RESPONSES)
def health() -> Response[HealthResponse]:
    result = wiring.search_service().health()
    return Response(200 if result.status == "ok" else 503, content_types.APPLICATION_JSON, result)


@cache
def _openapi_json() -> str:
    return app.get_openapi_json_schema()


@app.get("/openapi.json", include_in_schema=False)
def openapi_document() -> Response[str]:
    return Response(200, content_types.APPLICATION_JSON, _openapi_json())


@app.get("/", include_in_schema=False, compress=True)
def search_page() -> Response[str | None]:
    """The search page (functions/newsfacet/web), on the API's own origin."""
    return _static(load_site().page(_if_none_match()))


@app.get("/assets/<version>/<name>", include_in_schema=False, compress=True)
def page_asset(version: str, name: str) -> Response[str | None]:
    return _static(load_site().asset(version, name, _if_none_match()))


def _if_none_match() -> str | None:
    value = app.current_event.headers.get("if-none-match")
    return str(value) if value else None


def _static(answer: Answer) -> Response[str | None]:
    return Response(answer.status, headers=answer.headers, body=answer.body)


def _error(status: int, body: ErrorResponse) -> Response[Any]:
    return Response(status, content_types.APPLICATION_JSON, body.model_dump_json(exclude_none=True))


@app.exception_handler(RequestValidationError)
def invalid_parameters(error: RequestValidationError) -> Response[Any]:
    problems = [
        {"parameter": str(e.get("loc", ["", "?"])[-1]), "message": str(e.get("msg", "invalid"))}
        for e in error.errors()
    ]
    first = problems[0] if problems else {"parameter": "?", "message": "invalid"}
    return _error(
        422,
        ErrorResponse(
            error="invalid_parameter",
            message=f"{first['parameter']}: {first['message']}",
            parameter=first["parameter"],
            errors=problems,
        ),
    )


@app.exception_handler(InvalidRequestError)
def invalid_request(error: InvalidRequestError) -> Response[Any]:
    return _error(
        400, ErrorResponse(error=error.code, message=error.message, parameter=error.parameter)
    )


@app.exception_handler(NotFoundError)
def not_found(error: NotFoundError) -> Response[Any]:
    return _error(404, ErrorResponse(error=error.code, message=error.message))


@app.exception_handler(SearchBackendError)
def backend_unavailable(error: SearchBackendError) -> Response[Any]:
    # "message" is reserved in log records: pass the reason under another key.
    logger.error("search backend unavailable", extra={"reason": error.message})
    return _error(503, ErrorResponse(error=error.code, message=error.message))


@app.exception_handler(Exception)
def unexpected(error: Exception) -> Response[Any]:
    # The trace goes to the log, never to the client.
    logger.exception("unhandled error")
    return _error(
        500, ErrorResponse(error="internal_error", message="internal error; see the function's log")
    )


@app.not_found
def unknown_route(_: Exception) -> Response[Any]:
    return _error(404, ErrorResponse(error="not_found", message="no such route"))


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
