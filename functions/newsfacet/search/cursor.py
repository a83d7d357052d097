"""Opaque, tamper-evident cursors around OpenSearch ``search_after`` values.

A cursor is bound to the query it came from: reusing it with other
parameters is refused instead of silently returning a wrong page.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from newsfacet.errors import InvalidRequestError


@dataclass(frozen=True)
class CursorState:
    """Where a walk through the results stands.

    Attributes:
        after: sort key of the last entry examined (``search_after``).
        served: results served so far (deep paging stops at a limit).
        snapshot_ms: newest ``indexed_at`` at the first page; later pages see no newer entry.
        pit: point-in-time id that freezes relevance scores for the walk, if one is open.
    """

    after: list[Any]
    served: int = 0
    snapshot_ms: int | None = None
    pit: str | None = None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_cursor(state: CursorState, query_key: str, secret: bytes) -> str:
    """Sign the walk's state together with the key of the query it belongs to."""
    payload = json.dumps(
        {
            "a": state.after,
            "q": query_key,
            "n": state.served,
            "t": state.snapshot_ms,
            "p": state.pit,
        },
        separators=(",", ":"),
    ).encode()
    mac = hmac.new(secret, payload, hashlib.sha256).digest()[:16]
    return f"{_b64(payload)}.{_b64(mac)}"


def decode_cursor(cursor: str, query_key: str, secret: bytes) -> CursorState:
    """The walk's state.

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
    after, served, snapshot, pit = data.get("a"), data.get("n", 0), data.get("t"), data.get("p")
    if (
        not isinstance(after, list)
        or not isinstance(served, int)
        or not isinstance(snapshot, int | None)
        or not isinstance(pit, str | None)
    ):
        raise InvalidRequestError("cursor is malformed", parameter="cursor")
    return CursorState(after=after, served=served, snapshot_ms=snapshot, pit=pit)
