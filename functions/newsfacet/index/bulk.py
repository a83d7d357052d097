"""The one bulk core: every write to OpenSearch goes through :func:`run_bulk`.

It sends actions with opensearch-py's ``streaming_bulk`` (which chunks them),
never raises for a single item, and gives each action one verdict, in the
order the actions came (``ingest/ports.py``: ``ItemResult``):

* ``created`` / ``updated`` / ``noop``: written;
* ``exists``: a ``create`` that found the document already there (409) — the
  first writer wins, which callers that use ``create`` want;
* ``missing``: an ``update`` without upsert whose document is gone (404);
* ``rejected``: OpenSearch refused the item for good (other 4xx: a mapping
  conflict, an immense term); retrying cannot help;
* ``retry``: throttled (429), a server or shard error (5xx), a version
  conflict left after the shard's own retries, or no answer at all.

Throttled items are sent again, up to ``retries`` times with exponential
backoff, before they are given up as ``retry``; everything else is decided at
once. Writers never classify statuses themselves.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.helpers import streaming_bulk

from newsfacet.ingest.ports import ItemResult

RETRYABLE_STATUS = frozenset({409, 429, 500, 502, 503, 504})


def classify(op_type: str, item: dict[str, Any]) -> ItemResult:
    """One bulk response item (or the error standing in for it) -> its verdict."""
    status = item.get("status")
    if not isinstance(status, int):
        # The whole request failed before OpenSearch answered for this item.
        return ItemResult("retry", str(item.get("error") or "no answer from OpenSearch"))
    if 200 <= status < 300:
        result = item.get("result")
        source = (item.get("get") or {}).get("_source")
        if result == "created":
            return ItemResult("created", source=source)
        return ItemResult("noop" if result == "noop" else "updated", source=source)
    error = item.get("error")
    kind = error.get("type") if isinstance(error, dict) else None
    reason = _reason(error)
    if status == 409 and op_type == "create":
        return ItemResult("exists", reason)
    if status == 404 and kind == "index_not_found_exception":
        return ItemResult("retry", f"index missing (run `newsfacet setup`): {reason}")
    if status == 404 and op_type == "update":
        return ItemResult("missing", reason)
    if status in RETRYABLE_STATUS or status >= 500:
        return ItemResult("retry", reason)
    return ItemResult("rejected", reason)


def _reason(error: Any) -> str:
    if isinstance(error, dict):
        reason = f"{error.get('type')}: {error.get('reason')}"
        cause = error.get("caused_by")
        if isinstance(cause, dict):
            reason += f" ({cause.get('type')}: {cause.get('reason')})"
        return reason[:500]
    return str(error)[:500]


def run_bulk(
    client: OpenSearch,
    actions: Sequence[dict[str, Any]],
    *,
    refresh: bool | str = False,
    chunk_size: int = 500,
    retries: int = 2,
    backoff_s: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
) -> list[ItemResult]:
    """Send ``actions`` (opensearch-py helper form) and return one verdict per action, in order.

    Args:
        refresh: passed to every bulk request; ``"wait_for"`` returns once the
            writes are visible to searches, without forcing a refresh.
        retries: how many more times throttled (429) items are sent.
    """
    verdicts: list[ItemResult | None] = [None] * len(actions)
    pending = list(range(len(actions)))
    for attempt in range(retries + 1):
        if attempt:
            sleep(backoff_s * 2 ** (attempt - 1))
        throttled: list[int] = []
        results = streaming_bulk(
            client,
            [actions[i] for i in pending],
            chunk_size=chunk_size,
            raise_on_error=False,
            raise_on_exception=False,
            max_retries=0,
            refresh=refresh,
        )
        for position, (_ok, item) in zip(pending, results, strict=True):
            op_type, info = next(iter(item.items()))
            verdict = classify(op_type, info)
            verdicts[position] = verdict
            if info.get("status") == 429:
                throttled.append(position)
        pending = throttled
        if not pending:
            break
    return [v if v is not None else ItemResult("retry", "not sent") for v in verdicts]
