"""The search side's one door to OpenSearch: requests, points in time, and errors as ours.

Every search request goes through :meth:`Backend.call`, which turns client
errors into the API's: a cluster that does not answer (or answers 429/5xx)
is :class:`~newsfacet.errors.SearchBackendError` (503), a 4xx OpenSearch
gives for a value a client sent is :class:`~newsfacet.errors.InvalidRequestError`
naming the parameter to blame (400), never a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import ConnectionError as OSConnectionError
from opensearchpy.exceptions import ConnectionTimeout, NotFoundError, TransportError

from newsfacet.errors import InvalidRequestError, SearchBackendError
from newsfacet.models.api import SearchParams

logger = logging.getLogger(__name__)
# A walk's point in time lives this long after its last page (each page renews it).
PIT_KEEP_ALIVE = "2m"
PIT_IDLE_TEXT = "2 minutes"


class PitExpiredError(Exception):
    """The point in time a cursor names is gone (expired or deleted)."""


class Backend:
    """The entries alias on one client."""

    def __init__(self, client: OpenSearch, alias: str) -> None:
        self.client = client
        self.alias = alias

    def search(
        self, body: dict[str, Any], pit: str | None = None, params: SearchParams | None = None
    ) -> dict[str, Any]:
        if pit is None:
            return self.call(lambda: self.client.search(index=self.alias, body=body), params=params)
        pinned = {**body, "pit": {"id": pit, "keep_alive": PIT_KEEP_ALIVE}}
        try:
            return self.call(lambda: self.client.search(body=pinned), pit=True, params=params)
        except PitExpiredError as exc:
            raise InvalidRequestError(
                f"cursor has expired (idle for more than {PIT_IDLE_TEXT}); start the search again",
                parameter="cursor",
            ) from exc

    @staticmethod
    def call(
        fn: Callable[[], Any], *, pit: bool = False, params: SearchParams | None = None
    ) -> dict[str, Any]:
        try:
            result: dict[str, Any] = fn()
        except NotFoundError as exc:
            if pit:
                raise PitExpiredError(str(exc.error)) from exc
            raise SearchBackendError("the entries index does not exist yet") from exc
        except ConnectionTimeout as exc:  # a subclass of ConnectionError: test it first
            raise SearchBackendError("OpenSearch did not answer in time") from exc
        except OSConnectionError as exc:
            raise SearchBackendError("OpenSearch is unreachable") from exc
        except TransportError as exc:
            status = exc.status_code if isinstance(exc.status_code, int) else 500
            if status == 429 or status >= 500:
                raise SearchBackendError(f"OpenSearch answered {status}") from exc
            # Any other 4xx came from a value a client sent: never a 500.
            parameter, message = _blame(exc, params)
            logger.warning("OpenSearch refused a request: %s", str(exc.info)[:500])
            raise InvalidRequestError(message, parameter=parameter) from exc
        return result

    def create_pit(self) -> str | None:
        try:
            opened = self.client.create_pit(index=self.alias, params={"keep_alive": PIT_KEEP_ALIVE})
        except (OSConnectionError, ConnectionTimeout, TransportError) as exc:
            logger.warning("could not open a point in time: %s", exc.__class__.__name__)
            return None
        pit = opened.get("pit_id")
        return str(pit) if pit else None

    def close_pit(self, pit: str) -> None:
        """Release a walk's point in time at its end instead of letting it idle out."""
        try:
            self.client.delete_pit(body={"pit_id": [pit]})
        except (OSConnectionError, ConnectionTimeout, TransportError) as exc:
            logger.warning("could not close a point in time: %s", exc.__class__.__name__)


# Words in OpenSearch's refusal -> the parameter that caused it, first match wins.
_BLAME = (
    (
        "too_many_buckets",
        "interval",
        "the date histogram would have too many buckets; pick a wider interval",
    ),
    ("time_zone", "tz", "OpenSearch cannot use this time zone"),
    ("time-zone", "tz", "OpenSearch cannot use this time zone"),
    ("search_after", "cursor", "the cursor does not fit this search; start again"),
    ("determinize", "q", "the query is too complex; use fewer or longer words"),
    ("too_many_clauses", "q", "the query expands to too many terms; use longer prefixes"),
    ("maxClauseCount", "q", "the query expands to too many terms; use longer prefixes"),
)


def _blame(exc: TransportError, params: SearchParams | None) -> tuple[str, str]:
    text = f"{exc.error} {exc.info}"
    for needle, parameter, message in _BLAME:
        if needle in text:
            return parameter, message
    if params is not None and params.q:
        return "q", "OpenSearch could not run this query; simplify q"
    return "q", "OpenSearch could not run this request"
