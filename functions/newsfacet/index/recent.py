"""Recent writes, readable at once: how concurrent workers find each other without a refresh.

A search sees an entry only after the next refresh (``refresh_interval``,
1 s here, often 30 s on large domains). Two workers writing near-duplicates
within that gap would each miss the other. Rather than wait for a refresh
after every batch (``refresh=wait_for``, about half a second per batch on
average), each batch registers what it writes here, in the bulk request that
writes its entries, and the registration answers at once with what others
registered under the same keys.

The index holds a fixed number of small documents (``BUCKETS``). A key (an
LSH band key, or ``c:<cluster>`` for a cluster that gained members) goes to
the bucket its hash names, as ``{"k": key, "id": entry id, "at": epoch ms}``.
Each bucket is updated by a script (entries older than ``WINDOW_MS`` are
dropped as it runs) with ``_source`` returned in the bulk response. OpenSearch
applies the updates of one document one after another, so of two workers that
register the same key, the second receives the first's tuple: that worker
waits until the first's entries exist (a realtime ``mget``: a bulk request is
applied shard by shard, so they may land a moment after the registration),
refreshes and looks again (``index/entries.py``). A tuple older than the window
belongs to an entry every later lookup's search sees (the window far exceeds
a refresh interval plus the longest lookup-to-write time of a batch, which the
function's timeout bounds).

Realtime, bounded and independent of the index size: ``BUCKETS`` documents of
about ``rate × window × keys per entry / BUCKETS`` tuples each (30 at 10
entries a second).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from newsfacet.ingest.ports import ItemResult

BUCKETS = 4096
# Longer than a function timeout (the longest a batch holds its lookup before
# writing) plus any refresh interval: 10 minutes.
WINDOW_MS = 10 * 60 * 1000

REGISTER_SCRIPT = """
List kept = new ArrayList();
for (def t : ctx._source.keys) {
  if (params.now - t.at <= params.window) { kept.add(t); }
}
kept.addAll(params.add);
ctx._source.keys = kept;
"""

RECENT_MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {"keys": {"type": "object", "enabled": False}},
}


def bucket_of(key: str) -> str:
    digest = hashlib.blake2b(key.encode(), digest_size=4).digest()
    return f"{int.from_bytes(digest, 'big') % BUCKETS:04x}"


def register_actions(
    keys: Mapping[str, Iterable[str]], index: str, *, now_ms: int
) -> list[dict[str, Any]]:
    """One scripted upsert per bucket touched, each returning the bucket as it now stands.

    Args:
        keys: entry id -> the keys it registers.
    """
    by_bucket: dict[str, list[dict[str, Any]]] = {}
    for entry_id, entry_keys in keys.items():
        for key in sorted(set(entry_keys)):
            by_bucket.setdefault(bucket_of(key), []).append(
                {"k": key, "id": entry_id, "at": now_ms}
            )
    return [
        {
            "_op_type": "update",
            "_index": index,
            "_id": bucket,
            # Workers append to the same buckets at once: the shard retries the script.
            "retry_on_conflict": 20,
            "_source": {
                "script": {
                    "lang": "painless",
                    "source": REGISTER_SCRIPT,
                    "params": {"add": tuples, "now": now_ms, "window": WINDOW_MS},
                },
                "upsert": {"keys": tuples},
                "_source": True,
            },
        }
        for bucket, tuples in sorted(by_bucket.items())
    ]


def others(
    verdicts: Sequence[ItemResult], keys: Mapping[str, Iterable[str]], *, now_ms: int
) -> set[str]:
    """Entries other writers registered under this batch's keys within the window."""
    wanted = {key for entry_keys in keys.values() for key in entry_keys}
    ours = set(keys)
    found: set[str] = set()
    for verdict in verdicts:
        for item in (verdict.source or {}).get("keys") or ():
            if (
                item.get("k") in wanted
                and item.get("id") not in ours
                and now_ms - int(item.get("at") or 0) <= WINDOW_MS
            ):
                found.add(str(item["id"]))
    return found
