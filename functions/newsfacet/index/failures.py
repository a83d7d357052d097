"""Read back the failures ingest recorded in ``<prefix>-failures``, newest first."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import NotFoundError

_RELATIVE = re.compile(r"^(\d+)\s*([smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(value: str, *, now: datetime | None = None) -> datetime:
    """``2h``, ``3d``, ``30m`` before now, or an ISO date/time (taken as UTC when naive).

    Raises:
        ValueError: neither form.
    """
    now = now or datetime.now(UTC)
    match = _RELATIVE.match(value.strip())
    if match:
        return now - timedelta(**{_UNITS[match[2]]: int(match[1])})
    parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def list_failures(
    client: OpenSearch,
    index: str,
    *,
    since: datetime | None = None,
    error: str | None = None,
    size: int = 100,
) -> list[dict[str, Any]]:
    """Recorded failures, newest first, optionally since a time and of one error code."""
    filters: list[dict[str, Any]] = []
    if since is not None:
        filters.append({"range": {"at": {"gte": since.isoformat()}}})
    if error:
        filters.append({"term": {"error": error}})
    body = {
        "query": {"bool": {"filter": filters}},
        "sort": [{"at": {"order": "desc"}}],
        "size": size,
    }
    try:
        response = client.search(index=index, body=body)
    except NotFoundError:
        return []  # nothing has failed yet: the index is created on first ingest
    return [hit["_source"] for hit in response["hits"]["hits"]]
