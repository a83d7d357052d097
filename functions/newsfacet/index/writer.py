"""Bulk-write entries: upsert by content id, add sources, fold per-item results back.

An entry that already exists gains the new source (or nothing, if that exact
object version is already listed), so re-delivered events and second
snapshots never create copies. Per-item failures split as in es_loader:
400-class rejections are dropped and logged (retrying cannot fix them);
429 and 5xx make the whole object retry through SQS.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import OpenSearchException
from opensearchpy.helpers import streaming_bulk

from newsfacet.errors import IndexingError, InputError
from newsfacet.ingest.pipeline import WriteReport
from newsfacet.models.document import ObjectRef
from newsfacet.models.entry import Entry

logger = logging.getLogger(__name__)

# Adds the source unless this very object version is already listed. Runs on the
# shard, so two workers writing the same entry serialise through retry_on_conflict.
ADD_SOURCE_SCRIPT = """
boolean changed = true;
for (def s : ctx._source.sources) {
  if (s.bucket == params.source.bucket && s.key == params.source.key) {
    if (s.etag == params.source.etag && s.version_id == params.source.version_id) {
      changed = false;
    } else {
      s.etag = params.source.etag;
      s.version_id = params.source.version_id;
      s.last_seen = params.source.last_seen;
    }
    if (changed) { ctx._source.updated_at = params.now; }
    if (!changed) { ctx.op = 'noop'; }
    return;
  }
}
ctx._source.sources.add(params.source);
ctx._source.source_count = ctx._source.sources.size();
ctx._source.updated_at = params.now;
"""

RETRYABLE_STATUS = {429, 500, 502, 503, 504}


def entry_document(entry: Entry, *, now: datetime) -> dict[str, Any]:
    """The stored form of an entry: canonical entity keys split by type for facets."""
    doc = entry.model_dump(mode="json", exclude={"entities"})
    keys = sorted({e.key for e in entry.entities})
    doc["entities"] = keys
    for type_name in ("PERSON", "ORG", "LOC"):
        doc[f"entities_{type_name.lower()}"] = sorted(
            {e.canonical for e in entry.entities if e.type == type_name}
        )
    doc["mentions"] = [e.model_dump() for e in entry.entities]
    doc["source_count"] = len(entry.sources)
    doc["indexed_at"] = doc["updated_at"] = now.isoformat()
    return doc


class EntryIndexWriter:
    """Writes entries to the alias with idempotent scripted upserts."""

    def __init__(self, client: OpenSearch, alias: str, *, chunk_size: int = 200) -> None:
        self.client = client
        self.alias = alias
        self.chunk_size = chunk_size

    def _actions(self, entries: Sequence[Entry], now: datetime) -> Iterator[dict[str, Any]]:
        for entry in entries:
            doc = entry_document(entry, now=now)
            source = doc["sources"][0]
            yield {
                "_op_type": "update",
                "_index": self.alias,
                "_id": entry.id,
                "retry_on_conflict": 5,
                "script": {
                    "lang": "painless",
                    "source": ADD_SOURCE_SCRIPT,
                    "params": {"source": source, "now": now.isoformat()},
                },
                "upsert": doc,
            }

    def write(self, entries: Sequence[Entry]) -> WriteReport:
        report = WriteReport()
        if not entries:
            return report
        now = datetime.now(UTC)
        retry: list[str] = []
        try:
            for ok, item in streaming_bulk(
                self.client,
                self._actions(entries, now),
                chunk_size=self.chunk_size,
                raise_on_error=False,
                raise_on_exception=False,
                max_retries=3,
                initial_backoff=1,
            ):
                result = item.get("update", {})
                if ok:
                    if result.get("result") == "created":
                        report.created += 1
                    else:
                        report.updated += 1
                    continue
                status = int(result.get("status", 500))
                entry_id = str(result.get("_id"))
                if status in RETRYABLE_STATUS:
                    retry.append(entry_id)
                else:
                    logger.error(
                        "entry rejected by OpenSearch",
                        extra={
                            "entry_id": entry_id,
                            "status": status,
                            "error": result.get("error"),
                        },
                    )
                    report.failed.append(entry_id)
        except OpenSearchException as exc:
            raise IndexingError(f"bulk request failed: {exc}", alias=self.alias) from exc
        if retry:
            raise IndexingError(
                f"{len(retry)} entries not written (throttled or server error)",
                alias=self.alias,
                entry_ids=retry[:20],
            )
        self.client.indices.refresh(index=self.alias)
        return report


class FailureIndexLog:
    """Records bad objects and bad articles in ``<prefix>-failures`` for operators."""

    def __init__(self, client: OpenSearch, index: str) -> None:
        self.client = client
        self.index = index

    def record(self, error: InputError, ref: ObjectRef) -> None:
        position = error.data.get("position")
        key = f"{ref.bucket}\n{ref.key}\n{ref.version_id}\n{error.code}\n{position}"
        doc = {
            "bucket": ref.bucket,
            "key": ref.key,
            "version_id": ref.version_id,
            "error": error.code,
            "message": error.message,
            "position": position if isinstance(position, int) else None,
            "detail": {k: v for k, v in error.data.items() if isinstance(v, str | int | float)},
            "at": datetime.now(UTC).isoformat(),
        }
        try:
            self.client.index(
                index=self.index, id=hashlib.sha256(key.encode()).hexdigest()[:32], body=doc
            )
        except OpenSearchException as exc:
            # The failure is still logged and counted by the caller; losing the
            # record must not turn a bad object into an endless retry.
            logger.warning("could not record failure", extra={"key": ref.key, "error": str(exc)})
