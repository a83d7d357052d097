"""The failure log, ``<prefix>-failures``: what ingest rejected, recorded once, read back.

A record's id is derived from the object version, the error code and the
article's position, so a rejection seen again (a redelivered message) rewrites
the same record instead of adding a second one.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import NotFoundError

from newsfacet.ingest.ports import FailureRecord


def failure_action(record: FailureRecord, index: str, *, now: datetime) -> dict[str, Any]:
    """The bulk action that stores one failure record."""
    ref, error = record.ref, record.error
    position = error.data.get("position")
    entry_id = error.data.get("entry_id")
    identity = f"{ref.bucket}\n{ref.key}\n{ref.version_id}\n{error.code}\n{position}\n{entry_id}"
    return {
        "_op_type": "index",
        "_index": index,
        "_id": hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()[:32],
        "_source": {
            "bucket": ref.bucket,
            "key": ref.key,
            "version_id": ref.version_id,
            "error": error.code,
            "message": error.message[:2000],
            "position": position if isinstance(position, int) else None,
            "detail": {
                k: (v[:500] if isinstance(v, str) else v)
                for k, v in error.data.items()
                if isinstance(v, str | int | float)
            },
            "at": now.isoformat(),
        },
    }


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
