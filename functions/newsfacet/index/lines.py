"""Per-outlet line statistics in ``<prefix>-lines``: the learned layer of boilerplate removal.

One document per (outlet, line hash) holds the documents that carried the
line (a capped set of document ids, so a re-delivered object counts once) and
their number. Ingest reads the counts for a document's lines with one mget
(realtime, no refresh needed) before cleaning it, then counts the document in
with one bulk request of scripted upserts. Which lines count as template is
decided in ``ingest/boilerplate.py``; this module only stores and reads.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import OpenSearchException
from opensearchpy.helpers import bulk

logger = logging.getLogger(__name__)

# Past this many distinct documents a line is template for any sane threshold;
# the set stops growing so the stored document stays small.
MAX_TRACKED_DOCS = 64

COUNT_DOCUMENT_SCRIPT = """
if (ctx._source.docs.contains(params.doc)) { ctx.op = 'noop'; return; }
if (ctx._source.docs.size() < params.cap) { ctx._source.docs.add(params.doc); }
ctx._source.doc_count += 1;
ctx._source.updated_at = params.now;
"""


def _doc_id(outlet: str, line_hash: str) -> str:
    return hashlib.sha256(f"{outlet}\n{line_hash}".encode()).hexdigest()[:32]


class LineStatsIndex:
    """OpenSearch-backed :class:`newsfacet.ingest.pipeline.LineStats`."""

    def __init__(self, client: OpenSearch, index: str) -> None:
        self.client = client
        self.index = index

    def line_counts(self, outlet: str, hashes: Sequence[str]) -> dict[str, int]:
        if not hashes:
            return {}
        ids = [_doc_id(outlet, h) for h in hashes]
        try:
            response = self.client.mget(index=self.index, body={"ids": ids}, _source=["doc_count"])
        except OpenSearchException as exc:
            # Without counts the rules still clean; learning must never block ingest.
            logger.warning("line statistics unavailable", extra={"error": str(exc)})
            return {}
        counts: dict[str, int] = {}
        for line_hash, doc in zip(hashes, response.get("docs", []), strict=False):
            if doc.get("found"):
                counts[line_hash] = int(doc["_source"].get("doc_count", 0))
        return counts

    def record_lines(self, outlet: str, document: str, hashes: Sequence[str]) -> None:
        if not hashes:
            return
        doc_key = hashlib.sha256(document.encode()).hexdigest()[:16]
        now = datetime.now(UTC).isoformat()
        actions: list[dict[str, Any]] = [
            {
                "_op_type": "update",
                "_index": self.index,
                "_id": _doc_id(outlet, line_hash),
                "retry_on_conflict": 5,
                "script": {
                    "lang": "painless",
                    "source": COUNT_DOCUMENT_SCRIPT,
                    "params": {"doc": doc_key, "cap": MAX_TRACKED_DOCS, "now": now},
                },
                "upsert": {
                    "outlet": outlet,
                    "line_hash": line_hash,
                    "docs": [doc_key],
                    "doc_count": 1,
                    "updated_at": now,
                },
            }
            for line_hash in hashes
        ]
        try:
            _, errors = bulk(self.client, actions, raise_on_error=False, raise_on_exception=False)
        except OpenSearchException as exc:
            logger.warning("could not record line statistics", extra={"error": str(exc)})
            return
        if errors:
            logger.warning("some line statistics not recorded", extra={"failed": len(errors)})
