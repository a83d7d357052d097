"""Near-duplicate clusters in the index: one terms query for candidates, a lower-only merge.

Race-free by construction rather than by locking. Every entry's cluster is
the smallest cluster id of its verified near-duplicate group
(:func:`newsfacet.ingest.minhash.plan_clusters`), and the index only ever
lowers a stored cluster id (:data:`LOWER_CLUSTER_SCRIPT`). A worker decides
before writing, writes and refreshes, then looks again. Of two workers
writing near-duplicates at the same moment, the one whose second look comes
last sees the other's entry (a refresh makes every write before it visible),
so at least one of them computes the shared minimum and lowers the other
entry's cluster to it. Lowering is commutative and idempotent, so any number
of such corrections, in any order, end in the same state as a sequential run.

Per-band "claim" documents created with ``op_type=create`` were the other
option; they serialise writers on a band key, but a band collision is not a
near-duplicate (it still needs verification) and an entry has 32 band keys
that two workers may win in different halves, so claims would still need
this merge step. The merge alone is simpler and needs no extra index.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import OpenSearchException
from opensearchpy.helpers import streaming_bulk

from newsfacet.errors import IndexingError
from newsfacet.ingest.minhash import JACCARD_THRESHOLD, ClusterPlan, Member, plan_clusters
from newsfacet.models.entry import Entry

logger = logging.getLogger(__name__)

# Lowers an entry's cluster to the one its group maps to; never raises it.
LOWER_CLUSTER_SCRIPT = """
def target = params.merges[ctx._source.cluster];
if (target != null && target.compareTo(ctx._source.cluster) < 0) {
  ctx._source.cluster = target;
} else {
  ctx.op = 'noop';
}
"""

MERGE_ROUNDS = 20
MERGE_PAGE = 1000


class ClusterIndex:
    """Finds near-duplicate candidates by LSH band keys and keeps clusters merged."""

    def __init__(
        self,
        client: OpenSearch,
        alias: str,
        *,
        threshold: float = JACCARD_THRESHOLD,
        max_candidates: int = 500,
    ) -> None:
        self.client = client
        self.alias = alias
        self.threshold = threshold
        self.max_candidates = max_candidates

    def candidates(self, band_keys: Sequence[str]) -> list[Member]:
        """Stored entries sharing a band key: one terms query, whatever the index size."""
        if not band_keys:
            return []
        body: dict[str, Any] = {
            "size": self.max_candidates,
            "track_total_hits": False,
            "_source": ["cluster", "minhash", "lsh_bands"],
            "query": {"bool": {"filter": [{"terms": {"lsh_bands": sorted(set(band_keys))}}]}},
        }
        try:
            response = self.client.search(index=self.alias, body=body)
        except OpenSearchException as exc:
            raise IndexingError(f"near-duplicate lookup failed: {exc}", alias=self.alias) from exc
        found = []
        for hit in response["hits"]["hits"]:
            source = hit["_source"]
            found.append(
                Member(
                    id=hit["_id"],
                    cluster=str(source.get("cluster") or hit["_id"]),
                    values=tuple(source.get("minhash") or ()),
                    bands=tuple(source.get("lsh_bands") or ()),
                )
            )
        return found

    def plan(self, entries: Sequence[Entry]) -> ClusterPlan:
        """Decide the cluster of each entry from the candidates stored now."""
        batch = [
            Member(id=e.id, cluster=e.cluster, values=tuple(e.minhash), bands=tuple(e.lsh_bands))
            for e in entries
        ]
        keys = [key for e in entries for key in e.lsh_bands]
        return plan_clusters(batch, self.candidates(keys), threshold=self.threshold)

    def assign(self, entries: Sequence[Entry]) -> None:
        """Before writing: give each entry the cluster of its stored near-duplicates."""
        plan = self.plan(entries)
        for entry in entries:
            entry.cluster = plan.clusters.get(entry.id, entry.cluster)

    def reconcile(self, entries: Sequence[Entry]) -> int:
        """After writing and refreshing: look again and lower any cluster a concurrent write split.

        Returns:
            How many stored entries had their cluster lowered.
        """
        if not any(e.lsh_bands for e in entries):
            return 0
        plan = self.plan(entries)
        for entry in entries:
            entry.cluster = plan.clusters.get(entry.id, entry.cluster)
        if not plan.merges:
            return 0
        return self.merge(plan.merges)

    def merge(self, merges: dict[str, str]) -> int:
        """Lower every stored entry of each old cluster to its new cluster id.

        Finds the members with a search and lowers each with a scripted update
        (retried on version conflicts), repeating until no entry holds an old
        id: this needs only the painless module, not update-by-query.
        """
        lowered = 0
        for _round in range(MERGE_ROUNDS):
            try:
                hits = self.client.search(
                    index=self.alias,
                    body={
                        "size": MERGE_PAGE,
                        "_source": False,
                        "query": {"bool": {"filter": [{"terms": {"cluster": sorted(merges)}}]}},
                    },
                )["hits"]["hits"]
            except OpenSearchException as exc:
                raise IndexingError(f"cluster merge failed: {exc}", alias=self.alias) from exc
            if not hits:
                return lowered
            actions = (
                {
                    "_op_type": "update",
                    "_index": self.alias,
                    "_id": hit["_id"],
                    "retry_on_conflict": 10,
                    "script": {
                        "lang": "painless",
                        "source": LOWER_CLUSTER_SCRIPT,
                        "params": {"merges": merges},
                    },
                }
                for hit in hits
            )
            try:
                for ok, item in streaming_bulk(
                    self.client, actions, raise_on_error=False, raise_on_exception=False
                ):
                    result = item.get("update", {})
                    if ok and result.get("result") == "updated":
                        lowered += 1
                    elif not ok and int(result.get("status", 500)) != 404:
                        raise IndexingError(
                            "cluster merge rejected", alias=self.alias, item=result.get("error")
                        )
                self.client.indices.refresh(index=self.alias)
            except OpenSearchException as exc:
                raise IndexingError(f"cluster merge failed: {exc}", alias=self.alias) from exc
        raise IndexingError(
            "cluster merge did not finish", alias=self.alias, clusters=sorted(merges)[:20]
        )
