"""SearchFunction: HTTP API routes -> the search service.

Imports stay minimal for a short cold start: the OpenSearch client and the
service load on the first request (``newsfacet.wiring``), no X-Ray SDK, no
boto3 unless SigV4 signing is on, and never the NLP stack. The OpenAPI
document is served from the packaged file the code generated (checked for
drift by a test), not generated per container.
"""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from newsfacet import wiring
from newsfacet.errors import (
    ConfigurationError,
    SearchBackendError,
    UnknownParameterError,
)
from newsfacet.http_errors import error_response, invalid_values, register_common
from newsfacet.models.api import (
    EntitiesQuery,
    ExportQuery,
    FacetValuesQuery,
    OutletsQuery,
    SearchQuery,
    ValueFacetName,
)
from newsfacet.models.responses import (
    EntitiesResponse,
    EntryResponse,
    ErrorResponse,
    FacetValuesResponse,
    HealthResponse,
    OutletsResponse,
    SearchResponse,
)
from newsfacet.search.api_doc import (
    API_DESCRIPTION,
    API_TITLE,
    API_VERSION,
    EXPORT_RESPONSES,
    HEALTH_RESPONSES,
    responses,
)
from newsfacet.search.export import export_body
from newsfacet.search.params import build_params
from newsfacet.web.docs import docs_page, openapi_document
from newsfacet.web.site import Answer, load_site

logger = Logger()
app = APIGatewayHttpResolver(enable_validation=True)
register_common(app, logger)
# The one document: /openapi.json serves it and /docs shows it.
app.configure_openapi(title=API_TITLE, version=API_VERSION, description=API_DESCRIPTION)

# Which parameters each route takes: anything else is a 400 naming it.
ROUTE_QUERIES: dict[str, type[BaseModel] | None] = {
    "/search": SearchQuery,
    "/export": ExportQuery,
    "/facets/": FacetValuesQuery,
    "/entities": EntitiesQuery,
    "/outlets": OutletsQuery,
    "/entries/": None,
    "/health": None,
    "/openapi.json": None,
    "/docs": None,
}


@app.get("/search", summary="Search entries with facets", responses=responses(SearchResponse))
def search(query: Annotated[SearchQuery, Query()]) -> SearchResponse:
    _reject_unknown()
    return wiring.search_service().search(build_params(query), query.cursor)


@app.get(
    "/export",
    summary="Every matching entry, as NDJSON or CSV",
    responses=EXPORT_RESPONSES,
)
def export(query: Annotated[ExportQuery, Query()]) -> Response[str]:
    _reject_unknown()
    params = build_params(query)
    service = wiring.search_service()
    body, headers = export_body(service, params, query.format, query.limit, with_body=query.body)
    return Response(200, headers=headers, body=body)


@app.get(
    "/facets/<name>",
    summary="Search within one facet's values",
    responses=responses(FacetValuesResponse),
)
def facet_values(
    name: Annotated[ValueFacetName, Path()],
    query: Annotated[FacetValuesQuery, Query()],
) -> FacetValuesResponse:
    _reject_unknown()
    return wiring.search_service().facet_values(build_params(query), name, query.prefix, query.size)


@app.get(
    "/entries/<entry_id>",
    summary="One entry, its sources and its cluster",
    responses=responses(EntryResponse),
)
def get_entry(
    entry_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", max_length=64)],
) -> EntryResponse:
    _reject_unknown()
    return wiring.search_service().entry(entry_id)


@app.get(
    "/entities",
    summary="Entity suggestions, most frequent first",
    responses=responses(EntitiesResponse),
)
def entities(query: Annotated[EntitiesQuery, Query()]) -> EntitiesResponse:
    _reject_unknown()
    return wiring.search_service().suggest_entities(query.prefix, query.type, query.size)


@app.get(
    "/outlets",
    summary="Outlets with entry counts and date range",
    responses=responses(OutletsResponse),
)
def outlets(query: Annotated[OutletsQuery, Query()]) -> OutletsResponse:
    _reject_unknown()
    return wiring.search_service().outlets(query.size)


@app.get("/health", summary="OpenSearch reachable and index present", responses=HEALTH_RESPONSES)
def health() -> Response[HealthResponse]:
    result = wiring.search_service().health()
    return Response(200 if result.status == "ok" else 503, content_types.APPLICATION_JSON, result)


@app.get("/openapi.json", include_in_schema=False, compress=True)
def openapi_json() -> Response[str]:
    _reject_unknown()
    return Response(200, content_types.APPLICATION_JSON, openapi_document())


@app.get("/docs", include_in_schema=False, compress=True)
def swagger_ui() -> Response[str]:
    """Swagger UI on the same document as /openapi.json (its assets ship in Powertools)."""
    _reject_unknown()
    return Response(200, "text/html; charset=utf-8", docs_page())


@app.get("/", include_in_schema=False, compress=True)
def search_page() -> Response[str | None]:
    """The search page (functions/newsfacet/web), on the API's own origin."""
    return _static(load_site().page(_if_none_match()))


@app.get("/assets/<version>/<name>", include_in_schema=False, compress=True)
def page_asset(version: str, name: str) -> Response[str | None]:
    return _static(load_site().asset(version, name, _if_none_match()))


def _route_model(path: str) -> tuple[bool, type[BaseModel] | None]:
    for prefix, model in ROUTE_QUERIES.items():
        if path == prefix or (prefix.endswith("/") and path.startswith(prefix)):
            return True, model
    return False, None


def _unknown_parameters() -> UnknownParameterError | None:
    event = app.current_event
    found, model = _route_model(event.path)
    if not found:
        return None
    known = [f.alias or n for n, f in model.model_fields.items()] if model else []
    sent = list((event.query_string_parameters or {}).keys())
    unknown = [name for name in sent if name not in known]
    return UnknownParameterError(unknown, known) if unknown else None


def _reject_unknown() -> None:
    """A parameter a route does not take is a 400, never silently ignored (``qq=``, ``page=``)."""
    error = _unknown_parameters()
    if error is not None:
        raise error


def _if_none_match() -> str | None:
    value = app.current_event.headers.get("if-none-match")
    return str(value) if value else None


def _static(answer: Answer) -> Response[str | None]:
    return Response(answer.status, headers=answer.headers, body=answer.body)


@app.exception_handler(RequestValidationError)
def invalid_parameters(error: RequestValidationError) -> Response[Any]:
    # A misspelt name usually explains the rest: say that first.
    unknown = _unknown_parameters()
    if unknown is not None:
        return unknown_parameter(unknown)
    problems = [
        {"parameter": str(e.get("loc", ["", "?"])[-1]), "message": str(e.get("msg", "invalid"))}
        for e in error.errors()
    ]
    return invalid_values(problems, "?")


@app.exception_handler(UnknownParameterError)
def unknown_parameter(error: UnknownParameterError) -> Response[Any]:
    return error_response(
        400,
        ErrorResponse(
            error=error.code,
            message=error.message,
            parameter=error.parameter,
            errors=[{"parameter": n, "message": "unknown parameter"} for n in error.unknown],
            known=error.known,
        ),
    )


@app.exception_handler(SearchBackendError)
def backend_unavailable(error: SearchBackendError) -> Response[Any]:
    # "message" is reserved in log records: pass the reason under another key.
    logger.error("search backend unavailable", extra={"reason": error.message})
    return error_response(503, ErrorResponse(error=error.code, message=error.message))


@app.exception_handler(ConfigurationError)
def misconfigured(error: ConfigurationError) -> Response[Any]:
    logger.error("search function misconfigured", extra={"reason": error.message})
    return error_response(
        500, ErrorResponse(error=error.code, message="the search function is misconfigured")
    )


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
