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


def encode_cursor(search_after: list[Any], query_key: str, secret: bytes, served: int = 0) -> str:
    """Sign the position after the last result served, the query's key and the depth so far."""
    payload = json.dumps(
        {"a": search_after, "q": query_key, "n": served}, separators=(",", ":")
    ).encode()
    mac = hmac.new(secret, payload, hashlib.sha256).digest()[:16]
    return f"{_b64(payload)}.{_b64(mac)}"


def decode_cursor(cursor: str, query_key: str, secret: bytes) -> tuple[list[Any], int]:
    """The ``search_after`` values and the number of results already served.

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
        raise InvalidRequestError("cursor was altered or issued by another deployment",
                                  parameter="cursor")
    try:
        data = json.loads(payload)
    except ValueError as exc:
        raise InvalidRequestError("cursor is malformed", parameter="cursor") from exc
    if not isinstance(data, dict) or data.get("q") != query_key:
        raise InvalidRequestError("cursor belongs to a different query", parameter="cursor")
    after, served = data.get("a"), data.get("n", 0)
    if not isinstance(after, list) or not isinstance(served, int):
        raise InvalidRequestError("cursor is malformed", parameter="cursor")
    return after, served
