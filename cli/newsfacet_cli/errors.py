"""Expected failures of the command line, said in one line instead of a traceback.

A command raises :class:`CliError` for what it checks itself (a missing file,
no search API known). The errors of the services it talks to (no local stack,
S3 or SQS refusing, OpenSearch unreachable, an HTTP error from the API) are
described by :func:`describe`. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from typing import Any


class CliError(Exception):
    """An expected failure of a command; its message is all the user needs."""


def describe(exc: BaseException) -> str | None:
    """One line for an expected failure, or None for a bug (shown with its traceback)."""
    if isinstance(exc, CliError):
        return str(exc)
    if isinstance(exc, FileNotFoundError):
        # running_stack() says how to start the stack; a path names the missing file.
        return str(exc) if not exc.filename else f"no such file: {exc.filename}"
    for describer in (_aws, _opensearch, _http, _settings):
        line = describer(exc)
        if line:
            return line
    return None


def _aws(exc: BaseException) -> str | None:
    from botocore.exceptions import BotoCoreError, ClientError

    if isinstance(exc, ClientError):
        error: Any = exc.response.get("Error", {})
        code, message = error.get("Code", "error"), error.get("Message", "")
        if code == "NoSuchBucket":
            return f"bucket {error.get('BucketName') or ''} does not exist".replace("  ", " ")
        if code in {"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"}:
            return f"queue does not exist ({message})"
        return f"{exc.operation_name} failed: {code}: {message}"
    if isinstance(exc, BotoCoreError):
        return f"AWS: {exc}"
    return None


def _opensearch(exc: BaseException) -> str | None:
    from opensearchpy.exceptions import ConnectionError as OpenSearchConnectionError
    from opensearchpy.exceptions import TransportError

    if isinstance(exc, OpenSearchConnectionError):
        return f"cannot reach OpenSearch ({exc.info or exc.error})"
    if isinstance(exc, TransportError):
        return f"OpenSearch answered {exc.status_code}: {exc.error}"
    from newsfacet.errors import NewsfacetError

    if isinstance(exc, NewsfacetError):
        return exc.message
    return None


def _http(exc: BaseException) -> str | None:
    from urllib.error import HTTPError, URLError

    if isinstance(exc, HTTPError):
        return f"{exc.url} answered {exc.code}: {_body_message(exc)}"
    if isinstance(exc, URLError):
        return f"cannot reach {exc.filename or 'the API'}: {exc.reason}"
    if isinstance(exc, ConnectionError | TimeoutError):
        return f"connection failed: {exc}"
    return None


def _settings(exc: BaseException) -> str | None:
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return f"invalid setting {where}: {first.get('msg')}"
    return None


def _body_message(exc: Any) -> str:
    import json

    try:
        body = json.loads(exc.read().decode("utf-8", "replace"))
    except (ValueError, OSError):
        return str(exc.reason)
    if isinstance(body, dict):
        return str(body.get("message") or body.get("error") or body)
    return str(body)
