"""Curation changes in OpenSearch (``<prefix>-curation``), and each container's copy of the table.

One document per change (id ``c<seq>``) and one ``head`` document: the latest
sequence number (``version``) and a counter bumped on every write
(``revision``: a new change, or a background pass done). Recording claims the
next number on the head with optimistic concurrency (``if_seq_no``), so two
operators at once get distinct numbers, each checked against the table it
extends; the change is then created through the bulk core, visible on return.

Readers keep the replayed table and ask the head (a realtime GET by id) at most
every ``probe_s``; the changes are read again only when the head moved. The
ingest service's per-batch ``mget`` of template lines carries the head along
(:meth:`CurationIndex.head_doc` / :meth:`CurationCache.observe`), so ingest sees
a change at its next batch without a round trip of its own.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import ConflictError

from newsfacet.errors import IndexingError, TransientError
from newsfacet.index.client import write_side_errors
from newsfacet.models.curation import Change
from newsfacet.models.curation_table import EMPTY, CurationTable, build_table

logger = logging.getLogger(__name__)

HEAD_ID = "head"
_PAGE = 1000
BUMP_REVISION_SCRIPT = "ctx._source.revision = ctx._source.revision + 1;"


@dataclass(frozen=True)
class Head:
    """The head document: latest change, write counter, and its concurrency token."""

    version: int = 0
    revision: int = 0
    seq_no: int | None = None
    primary_term: int | None = None


def change_document(change: Change) -> dict[str, Any]:
    return {"kind": "change", **change.model_dump(mode="json", exclude={"undone_by"})}


class CurationIndex:
    """Reads and writes of ``<prefix>-curation``; every error is ours (``write_side_errors``)."""

    def __init__(self, client: OpenSearch, index: str) -> None:
        self.client = client
        self.index = index

    def head_doc(self) -> dict[str, Any]:
        """The head as one item of an ``mget`` body (``docs`` form)."""
        return {"_index": self.index, "_id": HEAD_ID, "_source": ["version", "revision"]}

    def head(self) -> Head:
        with write_side_errors(self.index, "curation head read"):
            doc = self.client.get(index=self.index, id=HEAD_ID, ignore=[404])
        return read_head(doc)

    def changes(self, *, after: int = 0, size: int | None = None) -> list[Change]:
        """Changes with a sequence number above ``after``, oldest first (all, or ``size``)."""
        out: list[Change] = []
        cursor: list[Any] | None = [after]
        while cursor is not None:
            page = _PAGE if size is None else min(_PAGE, size - len(out))
            body: dict[str, Any] = {
                "size": page,
                "query": {"term": {"kind": "change"}},
                "sort": [{"seq": "asc"}],
                "search_after": cursor,
                "track_total_hits": False,
            }
            with write_side_errors(self.index, "curation changes read"):
                hits = self.client.search(index=self.index, body=body)["hits"]["hits"]
            out += [_change(h["_source"]) for h in hits]
            done = len(hits) < page or (size is not None and len(out) >= size)
            cursor = None if done else hits[-1]["sort"]
        return out

    def get(self, change_id: str) -> Change | None:
        with write_side_errors(self.index, "curation change read"):
            doc = self.client.get(index=self.index, id=change_id, ignore=[404])
        return _change(doc["_source"]) if doc.get("found") else None

    def load_table(self) -> CurationTable:
        """The head, then every change: the table as of that head."""
        head = self.head()
        return build_table(self.changes(), head.version) if head.version else EMPTY

    def claim(self, head: Head) -> bool:
        """Take sequence number ``head.version + 1``; False when another writer moved the head."""
        body = {"kind": "head", "version": head.version + 1, "revision": head.revision + 1}
        options: dict[str, Any] = (
            {"op_type": "create"}
            if head.seq_no is None
            else {"if_seq_no": head.seq_no, "if_primary_term": head.primary_term}
        )
        try:
            with write_side_errors(self.index, "curation head claim"):
                self.client.index(index=self.index, id=HEAD_ID, body=body, params=options)
        except IndexingError as exc:
            if isinstance(exc.__cause__, ConflictError):
                return False
            raise
        return True

    def create(self, change: Change) -> None:
        """Write a claimed change; visible to searches when this returns."""
        action = {
            "_op_type": "create",
            "_index": self.index,
            "_id": change.id,
            "_source": change_document(change),
        }
        self._write([action], f"change {change.id} not recorded")

    def mark_applied(self, change: Change, *, entries: int, at: datetime) -> None:
        """The background pass is done: record it, and bump the head so readers notice."""
        update = {"status": "applied", "entries": entries, "applied_at": at.isoformat()}
        self._write(
            [
                {"_op_type": "update", "_index": self.index, "_id": change.id, "doc": update},
                {
                    "_op_type": "update",
                    "_index": self.index,
                    "_id": HEAD_ID,
                    "retry_on_conflict": 5,
                    "script": {"lang": "painless", "source": BUMP_REVISION_SCRIPT},
                },
            ],
            f"change {change.id} not marked applied",
        )

    def _write(self, actions: list[dict[str, Any]], failure: str) -> None:
        # Imported here: the bulk core brings the ingest ports, which search never needs.
        from newsfacet.index.bulk import run_bulk

        with write_side_errors(self.index, failure):
            verdicts = run_bulk(self.client, actions, refresh="wait_for")
        for verdict in verdicts:
            if not verdict.written:
                raise IndexingError(f"{failure}: {verdict.status} ({verdict.reason})")


def read_head(doc: dict[str, Any] | None) -> Head:
    """A head from a GET or ``mget`` item (missing: no change recorded yet)."""
    if not doc or not doc.get("found"):
        return Head()
    source = doc.get("_source") or {}
    return Head(
        version=int(source.get("version", 0)),
        revision=int(source.get("revision", 0)),
        seq_no=doc.get("_seq_no"),
        primary_term=doc.get("_primary_term"),
    )


def _change(source: dict[str, Any]) -> Change:
    return Change.model_validate({k: v for k, v in source.items() if k != "kind"})


class CurationCache:
    """One container's table: read again only when the head moved, the head asked every probe_s.

    Args:
        degrade: on an OpenSearch fault, keep the last table (or none) and log,
            instead of raising: search must not fail because curation cannot
            be read. Ingest leaves it off, so a batch is retried instead of
            filing entries without curation.
    """

    def __init__(
        self,
        index: CurationIndex,
        *,
        probe_s: float,
        degrade: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.index = index
        self.probe_s = probe_s
        self.degrade = degrade
        self.clock = clock
        self._table: CurationTable | None = None
        self._revision: int | None = None
        self._head: Head | None = None
        self._asked_at = 0.0

    def observe(self, doc: dict[str, Any] | None) -> None:
        """Take the head from an ``mget`` item another request carried (missing index: ignored)."""
        if doc is not None and "error" not in doc:
            self._head = read_head(doc)
            self._asked_at = self.clock()

    def table(self) -> CurationTable:
        try:
            if self._head is None or self.clock() - self._asked_at >= self.probe_s:
                self._head = self.index.head()
                self._asked_at = self.clock()
            if self._table is None or self._revision != self._head.revision:
                self._table = self.index.load_table() if self._head.version else EMPTY
                self._revision = self._head.revision
        except TransientError as error:
            if not self.degrade:
                raise
            logger.warning(
                "curation table not read; using the last one", extra={"reason": error.message}
            )
            return self._table or EMPTY
        return self._table
