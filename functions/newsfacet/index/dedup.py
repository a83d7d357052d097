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

MERGE_ATTEMPTS = 5


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
        """Lower every stored entry of each old cluster to its new cluster id."""
        lowered = 0
        for _attempt in range(MERGE_ATTEMPTS):
            try:
                result = self.client.update_by_query(
                    index=self.alias,
                    body={
                        "query": {"terms": {"cluster": sorted(merges)}},
                        "script": {
                            "lang": "painless",
                            "source": LOWER_CLUSTER_SCRIPT,
                            "params": {"merges": merges},
                        },
                    },
                    params={"conflicts": "proceed", "refresh": "true"},
                )
            except OpenSearchException as exc:
                raise IndexingError(f"cluster merge failed: {exc}", alias=self.alias) from exc
            lowered += int(result.get("updated", 0))
            # A conflict means another writer touched that entry meanwhile; run again
            # so the lower-only script sees its new version.
            if not result.get("version_conflicts"):
                return lowered
        raise IndexingError(
            "cluster merge kept conflicting with concurrent writes",
            alias=self.alias,
            clusters=sorted(merges)[:20],
        )
