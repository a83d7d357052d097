"""The entries index on the write side: the ingest service's ``EntryStore``.

* :meth:`EntryIndex.lookup`: one ``msearch`` for the batch: which entries
  exist already (their cluster, stored entities and cluster summary) and the
  stored entries sharing an LSH band key with any of the batch's
  (near-duplicate candidates, each with its cluster's summary).
* :meth:`EntryIndex.write`: the batch's entries (with their cluster
  summaries), the summaries of the stored members of the clusters they joined,
  the registration of their band keys and clusters in the recent-writes index
  (``index/recent.py``, which answers with who else wrote under them), learned
  template lines, learned aliases and failure records: one bulk request
  through the bulk core, without waiting for a refresh.
* :meth:`EntryIndex.reconcile`: merges and summaries of large clusters, and
  the second look when another worker wrote near-duplicates at the same moment
  (``index/dedup.py``).

An entry is upserted by its content id. One that exists already gains the
batch's sources (or nothing, if that exact object version is listed), so
re-delivered events and second snapshots never create copies.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import OpenSearchException

from newsfacet.config import IndexNames
from newsfacet.errors import IndexingError, IndexMissingError
from newsfacet.index.bulk import run_bulk
from newsfacet.index.client import write_side_errors
from newsfacet.index.dedup import (
    STORED_SOURCE,
    SUMMARY_SCRIPT,
    candidates_query,
    count_clusters,
    members,
    merge_clusters,
    propagate_summaries,
    second_look_query,
    summary_params,
)
from newsfacet.index.failures import failure_action
from newsfacet.index.learned import alias_actions, line_actions
from newsfacet.index.recent import others, register_actions
from newsfacet.ingest.clusters import ClusterSummary, SummaryPlan, cluster_hash, stored_summary
from newsfacet.ingest.minhash import Member, plan_clusters
from newsfacet.ingest.ports import ItemResult, Stored, StoredEntry, WriteBatch, WriteResult
from newsfacet.models.curation_table import stored_entity_fields
from newsfacet.models.entry import Entity, Entry

logger = logging.getLogger(__name__)
# How long a second look waits for another worker's registered entries to land.
AWAIT_TRIES = 5
AWAIT_PAUSE_S = 0.05

# Adds each new source unless that very object version is listed already. Runs
# on the shard, so two workers writing one entry serialise through retry_on_conflict.
ADD_SOURCES_SCRIPT = """
boolean changed = false;
for (def incoming : params.sources) {
  boolean found = false;
  for (def s : ctx._source.sources) {
    if (s.bucket == incoming.bucket && s.key == incoming.key) {
      found = true;
      if (s.etag != incoming.etag || s.version_id != incoming.version_id) {
        s.etag = incoming.etag;
        s.version_id = incoming.version_id;
        s.last_seen = incoming.last_seen;
        changed = true;
      }
    }
  }
  if (!found) { ctx._source.sources.add(incoming); changed = true; }
}
if (changed) {
  ctx._source.source_count = ctx._source.sources.size();
  ctx._source.updated_at = params.now;
} else {
  ctx.op = 'noop';
}
"""


def entry_document(
    entry: Entry, *, now: datetime, summary: ClusterSummary | None = None
) -> dict[str, Any]:
    """The stored form of an entry: canonical entity keys, names split by type for facets,
    and its cluster's summary when the cluster has two or more members."""
    doc = entry.model_dump(mode="json", exclude={"entities", "entity_keys"})
    doc.update(stored_entity_fields(entry.tagged_keys, entry.filed_keys))
    doc["cluster_hash"] = cluster_hash(entry.cluster)
    if summary is not None and summary.size > 1:
        doc.update(summary.fields())
    doc["mentions"] = [e.model_dump() for e in entry.entities]
    doc["source_count"] = len(entry.sources)
    doc["indexed_at"] = doc["updated_at"] = now.isoformat()
    return doc


def entry_action(
    entry: Entry, alias: str, *, now: datetime, summary: ClusterSummary | None = None
) -> dict[str, Any]:
    doc = entry_document(entry, now=now, summary=summary)
    return {
        "_op_type": "update",
        "_index": alias,
        "_id": entry.id,
        "retry_on_conflict": 5,
        "script": {
            "lang": "painless",
            "source": ADD_SOURCES_SCRIPT,
            "params": {"sources": doc["sources"], "now": now.isoformat()},
        },
        "upsert": doc,
    }


def summary_actions(
    plan: SummaryPlan, alias: str, *, skip: Collection[str]
) -> list[dict[str, Any]]:
    """Stored members take their cluster's new summary (and its id, if their cluster merged)."""
    params = {
        target: summary_params(
            dict.fromkeys(plan.merged_from.get(target, ()), target),
            {target: plan.summaries[target]},
        )
        for target in plan.summaries
    }
    return [
        {
            "_op_type": "update",
            "_index": alias,
            "_id": entry_id,
            "retry_on_conflict": 10,
            "script": {"lang": "painless", "source": SUMMARY_SCRIPT, "params": params[target]},
        }
        for entry_id, target in sorted(plan.updates.items())
        if entry_id not in skip and target in params
    ]


def registry_keys(entries: Sequence[Entry], plan: SummaryPlan) -> dict[str, list[str]]:
    """What each written entry registers: its band keys, and the clusters it changed."""
    keys: dict[str, list[str]] = {}
    for entry in entries:
        clusters = []
        if entry.cluster in plan.summaries:
            clusters = [entry.cluster, *plan.merged_from.get(entry.cluster, ())]
        keys[entry.id] = [*entry.lsh_bands, *(f"c:{c}" for c in clusters)]
    return {entry_id: k for entry_id, k in keys.items() if k}


class EntryIndex:
    def __init__(self, client: OpenSearch, names: IndexNames, *, max_candidates: int = 500) -> None:
        self.client = client
        self.names = names
        self.max_candidates = max_candidates

    def lookup(self, ids: Collection[str], bands: Collection[str]) -> Stored:
        if not ids:
            return Stored()
        alias = self.names.entries
        requests: list[dict[str, Any]] = [
            {"index": alias},
            {
                "size": len(ids),
                "track_total_hits": False,
                "_source": STORED_SOURCE,
                "query": {"ids": {"values": sorted(ids)}},
            },
        ]
        if bands:
            requests += [{"index": alias}, candidates_query(bands, self.max_candidates)]
        responses = self._msearch(requests)
        entries = {
            hit["_id"]: StoredEntry(
                cluster=str(hit["_source"].get("cluster") or hit["_id"]),
                entities=tuple(Entity(**m) for m in hit["_source"].get("mentions") or ()),
            )
            for hit in responses[0]["hits"]["hits"]
        }
        hits = [*responses[0]["hits"]["hits"], *(responses[1]["hits"]["hits"] if bands else [])]
        found = members(responses[1]["hits"]["hits"]) if bands else []
        summaries = {hit["_id"]: stored_summary(hit["_id"], hit["_source"]) for hit in hits}
        return Stored(entries=entries, candidates=found, summaries=summaries)

    def write(self, batch: WriteBatch) -> WriteResult:
        now = datetime.now(UTC)
        now_ms = int(now.timestamp() * 1000)
        names = self.names
        plan = batch.summaries
        entries = [
            entry_action(e, names.entries, now=now, summary=plan.summaries.get(e.cluster))
            for e in batch.entries
        ]
        summaries = summary_actions(plan, names.entries, skip=())
        keys = registry_keys(batch.entries, plan)
        registry = register_actions(keys, names.recent, now_ms=now_ms)
        lines: list[tuple[int, dict[str, Any]]] = [
            (i, action)
            for i, seen in enumerate(batch.lines)
            for action in line_actions([seen], names.lines, now=now)
        ]
        aliases = list(alias_actions(batch.aliases, names.aliases, now=now))
        failures = [failure_action(r, names.failures, now=now) for r in batch.failures]
        actions = [
            *entries,
            *summaries,
            *registry,
            *(a for _, a in lines),
            *aliases,
            *failures,
        ]
        if not actions:
            return WriteResult()
        # No refresh awaited: who else wrote at the same moment comes back from the
        # recent-writes index in this same request (index/recent.py).
        verdicts = self._bulk(actions)
        cut = iter(verdicts)
        entry_verdicts = {e.id: next(cut) for e in batch.entries}
        self._check("cluster summary", [next(cut) for _ in summaries])
        registered = [next(cut) for _ in registry]
        self._check("recent-writes registration", registered)
        per_line = [next(cut) for _ in lines]
        # One observation is several line upserts; it stands or falls with the worst.
        worst = {}
        for (i, _), verdict in zip(lines, per_line, strict=True):
            if i not in worst or not verdict.written:
                worst[i] = verdict
        alias_verdicts = {key: next(cut) for key in batch.aliases}
        failure_verdicts = [next(cut) for _ in failures]
        return WriteResult(
            entries=entry_verdicts,
            lines=[worst[i] for i in sorted(worst)],
            aliases=alias_verdicts,
            failures=failure_verdicts,
            recent=frozenset(others(registered, keys, now_ms=now_ms)),
        )

    def _bulk(self, actions: list[dict[str, Any]]) -> list[ItemResult]:
        try:
            # One request per write, whatever the batch holds (a batch is bounded by
            # unit_articles): the round trips stay fixed per batch.
            return run_bulk(self.client, actions, chunk_size=max(len(actions), 1))
        except OpenSearchException as exc:  # e.g. a serialisation error before any answer
            raise IndexingError(f"bulk request failed: {exc}") from exc

    @staticmethod
    def _check(what: str, verdicts: Sequence[ItemResult]) -> None:
        """Items the batch cannot do without: one to retry retries the batch (writes are
        idempotent); one OpenSearch refuses for good is logged (retrying cannot help)."""
        failed = [v for v in verdicts if v.status == "retry"]
        if failed:
            raise IndexingError(f"{what} not stored: {failed[0].reason}", items=len(failed))
        refused = [v for v in verdicts if v.status == "rejected"]
        if refused:
            logger.error(
                "%s refused by the index",
                what,
                extra={"items": len(refused), "reason": refused[0].reason},
            )

    def reconcile(
        self,
        entries: Sequence[Entry],
        *,
        unseen: Collection[str],
        merges: Mapping[str, str],
        summaries: SummaryPlan,
    ) -> int:
        alias = self.names.entries
        if unseen:
            return self._second_look(entries, unseen)
        changed = 0
        large = summaries.search_members
        lower = {old: new for old, new in merges.items() if new in large}
        if lower:
            changed += merge_clusters(self.client, alias, lower, summaries.summaries)
        if large:
            changed += propagate_summaries(
                self.client, alias, {c: summaries.summaries[c] for c in large}
            )
        return changed

    def _second_look(self, entries: Sequence[Entry], unseen: Collection[str]) -> int:
        """Another worker wrote under the same keys at the same moment: refresh and look again.

        Rare (two near-duplicates within seconds, or two batches joining one
        cluster at once), so a refresh here costs little. The other worker's
        entries and their registration travel in one bulk request, applied
        shard by shard, so its entries may land a moment after the
        registration this batch read: they are awaited (a realtime ``mget``)
        before the refresh that makes them visible to the search.
        """
        alias = self.names.entries
        bands = {b for e in entries for b in e.lsh_bands}
        clusters = {e.cluster for e in entries}
        with write_side_errors(alias, "near-duplicate second look"):
            self._await(unseen)
            self.client.indices.refresh(index=alias)
            hits = self.client.search(
                index=alias, body=second_look_query(bands, clusters, self.max_candidates)
            )["hits"]["hits"]
        batch = [
            Member(id=e.id, cluster=e.cluster, values=tuple(e.minhash), bands=tuple(e.lsh_bands))
            for e in entries
        ]
        plan = plan_clusters(batch, members(hits))
        changed = merge_clusters(self.client, alias, plan.merges) if plan.merges else 0
        touched = {*plan.clusters.values(), *plan.merges.values()}
        counted = count_clusters(self.client, alias, touched)
        return changed + propagate_summaries(
            self.client, alias, {c: s for c, s in counted.items() if s.size > 1}
        )

    def _await(self, ids: Collection[str]) -> None:
        """Wait (briefly) until entries another worker is writing exist.

        One whose write failed never appears; its worker retries the batch and
        then sees this batch's entries, so giving up after a while is safe.
        """
        waiting = sorted(ids)
        for attempt in range(AWAIT_TRIES):
            docs = self.client.mget(
                index=self.names.entries, body={"ids": waiting}, params={"_source": "false"}
            )["docs"]
            waiting = [d["_id"] for d in docs if not d.get("found")]
            if not waiting:
                return
            time.sleep(AWAIT_PAUSE_S * (attempt + 1))
        logger.warning(
            "entries registered by another worker did not appear", extra={"ids": waiting[:10]}
        )

    def _msearch(self, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        with write_side_errors(self.names.entries, "entry lookup"):
            raw = self.client.msearch(body=requests)
        responses: list[dict[str, Any]] = raw["responses"]
        for response in responses:
            error = response.get("error")
            if error:
                kind = error.get("type") if isinstance(error, dict) else str(error)
                if kind == "index_not_found_exception":
                    raise IndexMissingError(f"{self.names.entries} missing; run `newsfacet setup`")
                raise IndexingError(f"entry lookup failed: {kind}")
        return responses
