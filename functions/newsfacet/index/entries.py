"""The entries index on the write side: the ingest service's ``EntryStore``.

* :meth:`EntryIndex.lookup`: one ``msearch`` for the batch: which entries
  exist already (their cluster and stored entities) and the stored entries
  sharing an LSH band key with any of the batch's (near-duplicate candidates).
* :meth:`EntryIndex.write`: the batch's entries, learned template lines,
  learned aliases and failure records in one bulk request through the bulk
  core, with ``refresh=wait_for`` so the second look sees them.
* :meth:`EntryIndex.reconcile`: that second look (``index/dedup.py``).

An entry is upserted by its content id. One that exists already gains the
batch's sources (or nothing, if that exact object version is listed), so
re-delivered events and second snapshots never create copies.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import OpenSearchException

from newsfacet.config import IndexNames
from newsfacet.curation.table import stored_entity_fields
from newsfacet.errors import IndexingError, IndexMissingError
from newsfacet.index.bulk import run_bulk
from newsfacet.index.client import write_side_errors
from newsfacet.index.dedup import candidates_query, members, merge_clusters
from newsfacet.index.failures import failure_action
from newsfacet.index.learned import alias_actions, line_actions
from newsfacet.ingest.minhash import Member, plan_clusters
from newsfacet.ingest.ports import Stored, StoredEntry, WriteBatch, WriteResult
from newsfacet.models.entry import Entity, Entry

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


def entry_document(entry: Entry, *, now: datetime) -> dict[str, Any]:
    """The stored form of an entry: canonical entity keys, and names split by type for facets."""
    doc = entry.model_dump(mode="json", exclude={"entities", "entity_keys"})
    doc.update(stored_entity_fields(entry.tagged_keys, entry.filed_keys))
    doc["mentions"] = [e.model_dump() for e in entry.entities]
    doc["source_count"] = len(entry.sources)
    doc["indexed_at"] = doc["updated_at"] = now.isoformat()
    return doc


def entry_action(entry: Entry, alias: str, *, now: datetime) -> dict[str, Any]:
    doc = entry_document(entry, now=now)
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
                "_source": ["cluster", "mentions"],
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
        found = members(responses[1]["hits"]["hits"]) if bands else []
        return Stored(entries=entries, candidates=found)

    def write(self, batch: WriteBatch) -> WriteResult:
        now = datetime.now(UTC)
        names = self.names
        entries = [entry_action(e, names.entries, now=now) for e in batch.entries]
        lines: list[tuple[int, dict[str, Any]]] = [
            (i, action)
            for i, seen in enumerate(batch.lines)
            for action in line_actions([seen], names.lines, now=now)
        ]
        aliases = list(alias_actions(batch.aliases, names.aliases, now=now))
        failures = [failure_action(r, names.failures, now=now) for r in batch.failures]
        actions = [*entries, *(a for _, a in lines), *aliases, *failures]
        if not actions:
            return WriteResult()
        try:
            verdicts = run_bulk(self.client, actions, refresh="wait_for")
        except OpenSearchException as exc:  # e.g. a serialisation error before any answer
            raise IndexingError(f"bulk request failed: {exc}") from exc
        cut = iter(verdicts)
        entry_verdicts = {e.id: next(cut) for e in batch.entries}
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
        )

    def reconcile(self, entries: Sequence[Entry]) -> int:
        bands = {b for e in entries for b in e.lsh_bands}
        if not bands:
            return 0
        with write_side_errors(self.names.entries, "near-duplicate second look"):
            hits = self.client.search(
                index=self.names.entries, body=candidates_query(bands, self.max_candidates)
            )["hits"]["hits"]
        batch = [
            Member(id=e.id, cluster=e.cluster, values=tuple(e.minhash), bands=tuple(e.lsh_bands))
            for e in entries
        ]
        plan = plan_clusters(batch, members(hits))
        if not plan.merges:
            return 0
        return merge_clusters(self.client, self.names.entries, plan.merges)

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
