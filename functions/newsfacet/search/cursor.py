"""Opaque, tamper-evident cursors around OpenSearch ``search_after`` values.

A cursor is bound to the query it came from: reusing it with other
parameters is refused instead of silently returning a wrong page.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from newsfacet.errors import InvalidRequestError


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_cursor(
    search_after: list[Any],
    query_key: str,
    secret: bytes,
    served: int = 0,
    snapshot_ms: int | None = None,
) -> str:
    """Sign the position after the last result served, the query's key, the depth so far
    and the snapshot (newest ``indexed_at`` of the first page) the walk is pinned to."""
    payload = json.dumps(
        {"a": search_after, "q": query_key, "n": served, "t": snapshot_ms}, separators=(",", ":")
    ).encode()
    mac = hmac.new(secret, payload, hashlib.sha256).digest()[:16]
    return f"{_b64(payload)}.{_b64(mac)}"


def decode_cursor(cursor: str, query_key: str, secret: bytes) -> tuple[list[Any], int, int | None]:
    """The ``search_after`` values, the number of results already served, and the snapshot.

    Raises:
        InvalidRequestError: the cursor is malformed, altered, or from another query.
    """
    try:
        payload_b64, mac_b64 = cursor.split(".", 1)
        payload, mac = _unb64(payload_b64), _unb64(mac_b64)
    except ValueError as exc:
        raise InvalidRequestError("cursor is malformed", parameter="cursor") from exc
    expected = hmac.new(secret, payload, hashlib.sha256).digest()[:16]
    if not hmac.compare_digest(mac, expected):
        raise InvalidRequestError(
            "cursor was altered or issued by another deployment", parameter="cursor"
        )
    try:
        data = json.loads(payload)
    except ValueError as exc:
        raise InvalidRequestError("cursor is malformed", parameter="cursor") from exc
    if not isinstance(data, dict) or data.get("q") != query_key:
        raise InvalidRequestError("cursor belongs to a different query", parameter="cursor")
    after, served, snapshot = data.get("a"), data.get("n", 0), data.get("t")
    if (
        not isinstance(after, list)
        or not isinstance(served, int)
        or not isinstance(snapshot, int | None)
    ):
        raise InvalidRequestError("cursor is malformed", parameter="cursor")
    return after, served, snapshot
