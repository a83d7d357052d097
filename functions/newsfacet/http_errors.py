"""Errors as HTTP answers, the same in every HTTP function (search and admin).

Each app registers what is its own (validation messages, backend faults);
:func:`register_common` registers what they share: a value refused (400), an
unknown id (404), an unknown route (404) and any other exception (500, the
trace in the log, never to the client).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types

from newsfacet.errors import InvalidRequestError, NotFoundError
from newsfacet.models.responses import ErrorResponse


def error_response(status: int, body: ErrorResponse) -> Response[Any]:
    return Response(status, content_types.APPLICATION_JSON, body.model_dump_json(exclude_none=True))


def invalid_values(problems: list[dict[str, str]], where: str) -> Response[Any]:
    """422 for values the route's model refused: every problem, the first one as the message.

    Args:
        problems: ``{"parameter", "message"}`` per refused value.
        where: what to name when there is no problem to name (``body``, ``?``).
    """
    first = problems[0] if problems else {"parameter": where, "message": "invalid"}
    return error_response(
        422,
        ErrorResponse(
            error="invalid_parameter",
            message=f"{first['parameter']}: {first['message']}",
            parameter=first["parameter"],
            errors=problems,
        ),
    )


def register_common(app: APIGatewayHttpResolver, logger: Logger) -> None:
    """The error answers every HTTP function gives alike."""

    @app.exception_handler(InvalidRequestError)  # type: ignore[untyped-decorator]
    def invalid_request(error: InvalidRequestError) -> Response[Any]:
        return error_response(
            400, ErrorResponse(error=error.code, message=error.message, parameter=error.parameter)
        )

    @app.exception_handler(NotFoundError)  # type: ignore[untyped-decorator]
    def not_found(error: NotFoundError) -> Response[Any]:
        return error_response(404, ErrorResponse(error=error.code, message=error.message))

    @app.exception_handler(Exception)  # type: ignore[untyped-decorator]
    def unexpected(error: Exception) -> Response[Any]:
        logger.exception("unhandled error")
        return error_response(
            500,
            ErrorResponse(error="internal_error", message="internal error; see the function's log"),
        )

    @app.not_found
    def unknown_route(_: Exception) -> Response[Any]:
        return error_response(404, ErrorResponse(error="not_found", message="no such route"))
