"""Data migrations of the entries index, run by ``newsfacet setup`` after the mappings.

Entries ingested before dates were told honestly carry the upload time as
``published`` with ``published_source: "s3_last_modified"``. :func:`migrate_upload_dates`
rewrites them in place, on the cluster (``update_by_query``, no document
leaves OpenSearch): ``published`` and ``published_source`` become null, the
upload time moves to ``ingested_at`` (unless that is already set) and a
warning says so. It touches only entries still marked that way, so running
setup again changes nothing. Re-ingesting the objects (``newsfacet backfill``)
gives the same fields and may find a real date the old version missed.
"""

from __future__ import annotations

from opensearchpy import OpenSearch
from opensearchpy.exceptions import OpenSearchException

from newsfacet.errors import IndexingError

LEGACY_UPLOAD_SOURCE = "s3_last_modified"
UPLOAD_TIME_WARNING = (
    "no publication time known; an earlier version stored the upload time as the publication "
    "time (now ingested_at)"
)
MOVE_UPLOAD_TIME = """
if (ctx._source.ingested_at == null) { ctx._source.ingested_at = ctx._source.published; }
ctx._source.published = null;
ctx._source.published_source = null;
if (ctx._source.warnings == null) { ctx._source.warnings = new ArrayList(); }
if (!ctx._source.warnings.contains(params.warning)) { ctx._source.warnings.add(params.warning); }
"""


def migrate_upload_dates(client: OpenSearch, alias: str) -> int:
    """Move upload times out of ``published``; returns how many entries changed.

    Raises:
        IndexingError: OpenSearch refused or did not finish the rewrite.
    """
    body = {
        "query": {"term": {"published_source": LEGACY_UPLOAD_SOURCE}},
        "script": {
            "lang": "painless",
            "source": MOVE_UPLOAD_TIME,
            "params": {"warning": UPLOAD_TIME_WARNING},
        },
    }
    try:
        result = client.update_by_query(
            index=alias,
            body=body,
            params={"conflicts": "proceed", "refresh": "true", "request_timeout": 600},
        )
    except OpenSearchException as exc:
        raise IndexingError(f"migrating upload dates in {alias} failed: {exc}") from exc
    if result.get("failures"):
        raise IndexingError(f"migrating upload dates in {alias}: {result['failures'][:3]}")
    return int(result.get("updated", 0))
