"""Typed errors. Each carries the data an operator needs, not just a message.

``InputError`` and its subclasses mean the object itself is bad: retrying
cannot help, so the ingest path records the failure and moves on.
``TransientError`` and its subclasses (``IndexingError``, ``StorageError``)
and ``SearchBackendError`` mean a dependency failed: the message is retried
(SQS) or answered with 503 (API).
"""

from __future__ import annotations

from typing import Any


class NewsfacetError(Exception):
    """Base of every error this package raises on purpose."""

    code = "newsfacet_error"

    def __init__(self, message: str, **data: Any) -> None:
        super().__init__(message)
        self.message = message
        self.data = data

    def to_dict(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, **self.data}


class InputError(NewsfacetError):
    """The object cannot be turned into entries; retrying will not help."""

    code = "bad_input"

    def __init__(self, message: str, *, key: str, **data: Any) -> None:
        super().__init__(f"{key}: {message}", key=key, **data)
        self.key = key


class EmptyObjectError(InputError):
    code = "empty_object"

    def __init__(self, *, key: str) -> None:
        super().__init__("object is empty", key=key)


class ObjectTooLargeError(InputError):
    code = "object_too_large"

    def __init__(self, *, key: str, size: int, limit: int) -> None:
        super().__init__(
            f"object is {size} bytes, over the limit of {limit}", key=key, size=size, limit=limit
        )


class UnsupportedFormatError(InputError):
    code = "unsupported_format"

    def __init__(self, *, key: str, reason: str) -> None:
        super().__init__(f"unsupported format ({reason})", key=key, reason=reason)


class BadEncodingError(InputError):
    code = "bad_encoding"

    def __init__(self, *, key: str, reason: str) -> None:
        super().__init__(f"cannot decode text ({reason})", key=key, reason=reason)


class MalformedContentError(InputError):
    code = "malformed_content"

    def __init__(self, *, key: str, reason: str, **data: Any) -> None:
        super().__init__(f"malformed content ({reason})", key=key, reason=reason, **data)


class NoContentError(InputError):
    code = "no_content"

    def __init__(self, *, key: str, reason: str = "no article text found", **data: Any) -> None:
        super().__init__(reason, key=key, reason=reason, **data)


class OverBudgetError(InputError):
    """The object holds more text than one invocation may spend on an object.

    The articles before ``position`` are indexed; this one and those after it
    are not. Splitting the file into smaller ones ingests them all.
    """

    code = "over_budget"

    def __init__(self, *, key: str, chars: int, limit: int, position: int) -> None:
        super().__init__(
            f"{chars} characters of text by the article at position {position}, over the "
            f"per-object budget of {limit}; it and the articles after it were not indexed "
            "(split the file)",
            key=key,
            chars=chars,
            limit=limit,
            position=position,
        )


class ObjectNotFoundError(InputError):
    """The event names an object that no longer exists (deleted before we read it)."""

    code = "object_not_found"

    def __init__(self, *, key: str, bucket: str) -> None:
        super().__init__(f"object not found in bucket {bucket}", key=key, bucket=bucket)


class ProcessingError(InputError):
    """A stage failed on this input in a way no rule foresaw (a bug, or a pathological input).

    Recorded with the exception's type and message and not retried, so one poison
    article cannot hold its whole batch hostage until the dead-letter queue.
    """

    code = "processing_failed"

    def __init__(self, *, key: str, stage: str, exception: BaseException, **data: Any) -> None:
        detail = f"{type(exception).__name__}: {str(exception)[:300]}"
        super().__init__(f"{stage} failed ({detail})", key=key, stage=stage, reason=detail, **data)
        self.__cause__ = exception


class EntryRejectedError(InputError):
    """OpenSearch refused one entry for good (a 4xx such as a mapping conflict): recorded, not
    retried; the object's other entries stay indexed."""

    code = "entry_rejected"

    def __init__(self, *, key: str, entry_id: str, reason: str) -> None:
        super().__init__(
            f"entry {entry_id} rejected by the index ({reason})",
            key=key,
            entry_id=entry_id,
            reason=reason,
        )


class TransientError(NewsfacetError):
    """A dependency failed for now (unreachable, throttled, timed out): retry the object later."""

    code = "transient"


class IndexingError(TransientError):
    """OpenSearch failed to answer or to store; the message is retried."""

    code = "indexing_failed"


class IndexMissingError(IndexingError):
    """The indices are not set up (``newsfacet setup`` has not run against this cluster)."""

    code = "index_missing"


class StorageError(TransientError):
    """S3 failed to give an object for a reason that may pass (throttling, 5xx, network)."""

    code = "storage_failed"


class SearchBackendError(NewsfacetError):
    """OpenSearch is unreachable or timed out while answering a query."""

    code = "search_unavailable"


class InvalidRequestError(NewsfacetError):
    """A client parameter is well-typed but unusable (bad cursor, bad range)."""

    code = "invalid_request"

    def __init__(self, message: str, *, parameter: str) -> None:
        super().__init__(message, parameter=parameter)
        self.parameter = parameter


class NotFoundError(NewsfacetError):
    code = "not_found"


class UnknownKeyError(NotFoundError):
    """Curation named an entity key that no entry carries (and no change created)."""

    code = "unknown_key"

    def __init__(self, *, key: str) -> None:
        super().__init__(f"no entry is filed under {key}", key=key)


class UnknownChangeError(NotFoundError):
    """Curation named a change id that was never recorded."""

    code = "unknown_change"

    def __init__(self, *, change: str) -> None:
        super().__init__(f"no curation change {change}", change=change)


class CurationConflictError(NewsfacetError):
    """A curation change that the current table makes pointless or contradictory (HTTP 409)."""

    code = "curation_conflict"


class QueueError(TransientError):
    """SQS did not take a message (throttling, 5xx, network, or no queue configured)."""

    code = "queue_failed"


class UnknownParameterError(InvalidRequestError):
    """Query parameters a route does not take (a typo must not be ignored silently)."""

    code = "unknown_parameter"

    def __init__(self, unknown: list[str], known: list[str]) -> None:
        names = ", ".join(unknown)
        super().__init__(
            f"unknown parameter{'s' if len(unknown) > 1 else ''} {names}; "
            f"this route takes: {', '.join(known)}",
            parameter=unknown[0],
        )
        self.unknown = unknown
        self.known = known


class ConfigurationError(NewsfacetError):
    """The deployment lacks a setting it needs (e.g. the cursor key); an operator must fix it."""

    code = "misconfigured"
