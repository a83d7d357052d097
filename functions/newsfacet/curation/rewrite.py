"""The background pass: stored entries filed under the values the curation table gives now.

A change lists the tagger keys whose value it moved (``Change.keys``). The pass
walks the entries carrying any of them (``tagged_entities``; an entry stored
before that field existed, by ``entities``) in id order with ``search_after``,
reads each one's tagged keys through the current table and rewrites its entity
fields by partial updates through the bulk core. Each update is guarded by the
entry's sequence number: when someone wrote the entry in between, the pass reads
the table and the entry again rather than overwrite. Entries that already match
are left alone, so running the pass again changes nothing (the settle pass and
re-delivered messages rely on that).

No full reindex: only entries carrying a moved key are read or written.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from opensearchpy import OpenSearch

from newsfacet.errors import IndexingError
from newsfacet.index.bulk import run_bulk
from newsfacet.index.client import write_side_errors
from newsfacet.models.curation_table import CurationTable, carrying_query, stored_entity_fields

logger = logging.getLogger(__name__)

PAGE = 500
# Rounds for entries someone else wrote during the pass, before the message is retried.
MAX_ROUNDS = 3
_FIELDS = ["entities", "tagged_entities"]


def rewrite_entries(
    client: OpenSearch,
    alias: str,
    keys: Sequence[str],
    load_table: Callable[[], CurationTable],
    *,
    now: datetime,
    page: int = PAGE,
) -> int:
    """File every stored entry carrying one of ``keys`` under its curated keys.

    Returns:
        How many entries were rewritten (entries already right are not counted).

    Raises:
        IndexingError: OpenSearch failed, or entries kept changing under the
            pass (the curation queue delivers the message again).
    """
    if not keys:
        return 0
    table = load_table()
    rewritten = 0
    after: list[Any] | None = None
    while True:
        hits = _search(client, alias, {"query": carrying_query(keys)}, page, after)
        done, stale = _rewrite(client, alias, hits, table, now)
        rewritten += done
        for _ in range(MAX_ROUNDS):
            if not stale:
                break
            # Someone wrote these entries meanwhile, maybe filed by a newer table.
            table = load_table()
            again = _search(client, alias, {"query": {"ids": {"values": stale}}}, len(stale), None)
            done, stale = _rewrite(client, alias, again, table, now)
            rewritten += done
        if stale:
            raise IndexingError(f"{len(stale)} entries kept changing during the curation pass")
        if len(hits) < page:
            return rewritten
        after = hits[-1]["sort"]


def _search(
    client: OpenSearch, alias: str, body: dict[str, Any], size: int, after: list[Any] | None
) -> list[dict[str, Any]]:
    request: dict[str, Any] = {
        **body,
        "size": size,
        "sort": [{"id": "asc"}],
        "_source": _FIELDS,
        "seq_no_primary_term": True,
        "track_total_hits": False,
    }
    if after is not None:
        request["search_after"] = after
    with write_side_errors(alias, "curation pass search"):
        hits: list[dict[str, Any]] = client.search(index=alias, body=request)["hits"]["hits"]
    return hits


def _rewrite(
    client: OpenSearch,
    alias: str,
    hits: list[dict[str, Any]],
    table: CurationTable,
    now: datetime,
) -> tuple[int, list[str]]:
    """Update the hits whose fields differ; (how many were written, ids to read again)."""
    actions = []
    for hit in hits:
        source = hit["_source"]
        # Entries stored before tagged_entities existed were filed under the tagger's keys.
        tagged = source.get("tagged_entities")
        if tagged is None:
            tagged = source.get("entities") or []
        fields = stored_entity_fields(tagged, table.curate(tagged))
        if fields["entities"] == source.get("entities") and "tagged_entities" in source:
            continue
        actions.append(
            {
                "_op_type": "update",
                "_index": alias,
                "_id": hit["_id"],
                "if_seq_no": hit["_seq_no"],
                "if_primary_term": hit["_primary_term"],
                "doc": {**fields, "updated_at": now.isoformat()},
            }
        )
    if not actions:
        return 0, []
    with write_side_errors(alias, "curation pass write"):
        verdicts = run_bulk(client, actions, refresh="wait_for")
    stale = []
    written = 0
    for action, verdict in zip(actions, verdicts, strict=True):
        if verdict.written:
            written += 1
        elif verdict.status == "retry":
            stale.append(str(action["_id"]))
        elif verdict.status == "rejected":
            logger.error(
                "curation pass: entry refused",
                extra={"id": action["_id"], "reason": verdict.reason},
            )
        # "missing": the entry was deleted meanwhile; nothing to file.
    return written, stale
