"""Data migrations of the entries index, run by ``newsfacet setup`` after the mappings.

Entries ingested before dates were told honestly carry the upload time as
``published`` with ``published_source: "s3_last_modified"``.
:func:`migrate_upload_dates` finds them (``search_after`` over ids) and rewrites
them through the one bulk core: ``published`` and ``published_source`` become
null, the upload time moves to ``ingested_at`` (unless that is already set) and
a warning says so. Only entries still marked that way are touched, so running
setup again changes nothing, and a run cut short is finished by the next one.
Re-ingesting the objects (``newsfacet backfill``) gives the same fields and may
find a real date the old version missed.

Entries stored before mapping revision 4 lack the cluster fields search reads
(``cluster_hash`` for story counts; ``cluster_size`` and ``cluster_copies`` for
"also reported by"). :func:`fill_cluster_fields` gives them those, once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import OpenSearchException

from newsfacet.errors import IndexingError
from newsfacet.index.bulk import run_bulk
from newsfacet.index.dedup import count_clusters, propagate_summaries
from newsfacet.ingest.clusters import cluster_hash

LEGACY_UPLOAD_SOURCE = "s3_last_modified"
UPLOAD_TIME_WARNING = (
    "no publication time known; an earlier version stored the upload time as the publication "
    "time (now ingested_at)"
)
_PAGE = 500

# Asked before each page of a migration: True when the caller is out of time (the deploy-time
# custom resource). A migration stopped early is finished by the next run of setup.
Stop = Callable[[], bool]


class StoppedError(Exception):
    """A migration stopped before its end because the caller ran out of time."""

    def __init__(self, done: int) -> None:
        super().__init__(f"stopped after {done} entries")
        self.done = done


def _never() -> bool:
    return False


def upload_date_fix(source: dict[str, Any]) -> dict[str, Any]:
    """The partial document that tells a legacy entry's dates honestly. Pure."""
    warnings = list(source.get("warnings") or [])
    if UPLOAD_TIME_WARNING not in warnings:
        warnings.append(UPLOAD_TIME_WARNING)
    return {
        "published": None,
        "published_source": None,
        "ingested_at": source.get("ingested_at") or source.get("published"),
        "warnings": warnings,
    }


def migrate_upload_dates(client: OpenSearch, alias: str, stop: Stop = _never) -> int:
    """Move upload times out of ``published``; returns how many entries changed.

    Raises:
        IndexingError: OpenSearch did not answer, or refused some rewrites (run setup again).
        StoppedError: ``stop()`` said so before a page (run setup again to finish).
    """
    changed = 0
    after: list[Any] | None = None
    while True:
        if stop():
            raise StoppedError(changed)
        body: dict[str, Any] = {
            "size": _PAGE,
            "query": {"term": {"published_source": LEGACY_UPLOAD_SOURCE}},
            "sort": [{"id": "asc"}],
            "_source": ["published", "ingested_at", "warnings"],
            "track_total_hits": False,
        }
        if after is not None:
            body["search_after"] = after
        try:
            hits = client.search(index=alias, body=body)["hits"]["hits"]
        except OpenSearchException as exc:
            raise IndexingError(f"finding entries to migrate in {alias} failed: {exc}") from exc
        if not hits:
            break
        actions = [
            {
                "_op_type": "update",
                "_index": alias,
                "_id": hit["_id"],
                "retry_on_conflict": 3,
                "doc": upload_date_fix(hit["_source"]),
            }
            for hit in hits
        ]
        verdicts = run_bulk(client, actions)
        failed = [v for v in verdicts if v.status not in {"updated", "noop"}]
        if failed:
            raise IndexingError(
                f"{len(failed)} entries of {alias} could not be migrated "
                f"({failed[0].status}: {failed[0].reason}); run `newsfacet setup` again"
            )
        changed += sum(v.status == "updated" for v in verdicts)
        if len(hits) < _PAGE:
            break
        after = hits[-1]["sort"]
    if changed:
        client.indices.refresh(index=alias)
    return changed


_HASH_PAGE = 1000
_SET_HASH = "ctx._source.cluster_hash = params.hash"


def fill_cluster_fields(client: OpenSearch, alias: str, stop: Stop = _never) -> int:
    """Give entries stored before mapping revision 4 their cluster fields, once.

    ``cluster_hash`` on every entry that lacks it, and the summary (size,
    copies, members) on every member of each cluster of two or more among
    them. Entries written since carry both; a second run finds nothing to do.

    Returns:
        How many entries were given a cluster hash.

    Raises:
        StoppedError: ``stop()`` said so before a page (run setup again to finish).
    """
    missing = {"bool": {"must_not": [{"exists": {"field": "cluster_hash"}}]}}
    filled = 0
    while True:
        if stop():
            raise StoppedError(filled)
        hits = client.search(
            index=alias,
            body={
                "size": _HASH_PAGE,
                "track_total_hits": False,
                "_source": ["cluster"],
                "sort": [{"id": "asc"}],
                "query": missing,
            },
        )["hits"]["hits"]
        if not hits:
            return filled
        clusters = {str(h["_source"].get("cluster") or h["_id"]) for h in hits}
        actions = [
            {
                "_op_type": "update",
                "_index": alias,
                "_id": hit["_id"],
                "retry_on_conflict": 5,
                "script": {
                    "lang": "painless",
                    "source": _SET_HASH,
                    "params": {
                        "hash": cluster_hash(str(hit["_source"].get("cluster") or hit["_id"]))
                    },
                },
            }
            for hit in hits
        ]
        verdicts = run_bulk(client, actions, refresh="wait_for")
        refused = [v.reason for v in verdicts if not v.written and v.status != "missing"]
        if refused:
            raise IndexingError("cluster fields not stored", alias=alias, reason=refused[0])
        filled += len(hits)
        counted = count_clusters(client, alias, clusters)
        propagate_summaries(client, alias, {c: s for c, s in counted.items() if s.size > 1})


def run_migrations(client: OpenSearch, alias: str, stop: Stop = _never) -> list[str]:
    """Every data migration of the entries behind ``alias``, in order; what each did.

    Each finds only entries still to migrate, so one stopped for want of time is
    finished by the next run, and a finished one costs one search.
    """
    done: list[str] = []
    # (what it does, the step, whether a run that found nothing is reported too)
    steps: list[tuple[str, Callable[[OpenSearch, str, Stop], int], bool]] = [
        ("upload time moved out of published", migrate_upload_dates, True),
        ("cluster fields filled", fill_cluster_fields, False),
    ]
    for what, step, always in steps:
        try:
            count = step(client, alias, stop)
        except StoppedError as exc:
            done.append(
                f"{exc.done} entries of {alias}: {what}; stopped for want of time, "
                "run `newsfacet setup` to finish"
            )
            return done
        if count or always:
            done.append(f"{count} entries of {alias}: {what}")
    return done
