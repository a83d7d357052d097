"""Near-duplicate clusters in the index: one terms query for candidates, a lower-only merge.

Race-free by construction rather than by locking. Every entry's cluster is
the smallest cluster id of its verified near-duplicate group
(:func:`newsfacet.ingest.minhash.plan_clusters`), and the index only ever
lowers a stored cluster id (:data:`LOWER_CLUSTER_SCRIPT`). A worker decides
before writing, writes with ``refresh=wait_for`` (its writes are searchable
when the bulk call returns), then looks again. Of two workers writing
near-duplicates at the same moment, the one whose write became visible last
sees the other's entry in its second look (a refresh shows every write made
before it), so at least one of them computes the shared minimum and lowers the
other's cluster to it. Lowering is commutative and idempotent, so any number
of such corrections, in any order, end where a sequential run would.

Per-band "claim" documents created with ``op_type=create`` were the other
option; a band collision is not a near-duplicate (it still needs
verification) and an entry has 32 band keys that two workers may win in
different halves, so claims would still need this merge step.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import OpenSearchException

from newsfacet.errors import IndexingError
from newsfacet.index.bulk import run_bulk
from newsfacet.ingest.minhash import Member

# Lowers an entry's cluster to the one its group maps to; never raises it.
LOWER_CLUSTER_SCRIPT = """
def target = params.merges[ctx._source.cluster];
if (target != null && target.compareTo(ctx._source.cluster) < 0) {
  ctx._source.cluster = target;
} else {
  ctx.op = 'noop';
}
"""

MAX_CANDIDATES = 500
MERGE_ROUNDS = 20
MERGE_PAGE = 1000


def candidates_query(bands: Collection[str], size: int = MAX_CANDIDATES) -> dict[str, Any]:
    """Stored entries sharing any band key: one terms query, whatever the index size."""
    return {
        "size": size,
        "track_total_hits": False,
        "_source": ["cluster", "minhash", "lsh_bands"],
        "query": {"bool": {"filter": [{"terms": {"lsh_bands": sorted(set(bands))}}]}},
    }


def members(hits: list[dict[str, Any]]) -> list[Member]:
    return [
        Member(
            id=hit["_id"],
            cluster=str(hit["_source"].get("cluster") or hit["_id"]),
            values=tuple(hit["_source"].get("minhash") or ()),
            bands=tuple(hit["_source"].get("lsh_bands") or ()),
        )
        for hit in hits
    ]


def merge_clusters(client: OpenSearch, alias: str, merges: dict[str, str]) -> int:
    """Lower every stored entry of each old cluster to its new cluster id.

    Finds the members with a search and lowers each with a scripted update
    (through the bulk core), repeating until no entry holds an old id: this
    needs only the painless module, not update-by-query.

    Returns:
        How many stored entries had their cluster lowered.
    """
    lowered = 0
    # Entries the script left alone: another worker lowered them already, and a
    # search may still see their old id until the next refresh. Not asked again.
    settled: list[str] = []
    for _round in range(MERGE_ROUNDS):
        query: dict[str, Any] = {"filter": [{"terms": {"cluster": sorted(merges)}}]}
        if settled:
            query["must_not"] = [{"ids": {"values": settled}}]
        try:
            hits = client.search(
                index=alias,
                body={"size": MERGE_PAGE, "_source": False, "query": {"bool": query}},
            )["hits"]["hits"]
        except OpenSearchException as exc:
            raise IndexingError(f"cluster merge failed: {exc}", alias=alias) from exc
        if not hits:
            return lowered
        actions = [
            {
                "_op_type": "update",
                "_index": alias,
                "_id": hit["_id"],
                "retry_on_conflict": 10,
                "script": {
                    "lang": "painless",
                    "source": LOWER_CLUSTER_SCRIPT,
                    "params": {"merges": merges},
                },
            }
            for hit in hits
        ]
        verdicts = run_bulk(client, actions, refresh="wait_for")
        lowered += sum(v.status == "updated" for v in verdicts)
        settled += [h["_id"] for h, v in zip(hits, verdicts, strict=True) if v.status == "noop"]
        failed = [v.reason for v in verdicts if v.status in {"rejected", "retry"}]
        if failed:
            raise IndexingError("cluster merge not stored", alias=alias, reason=failed[0])
    raise IndexingError("cluster merge did not finish", alias=alias, clusters=sorted(merges)[:20])
