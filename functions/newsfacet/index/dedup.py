"""Near-duplicate clusters in the index: one terms query for candidates, a lower-only merge.

Race-free by construction rather than by locking. Every entry's cluster is
the smallest cluster id of its verified near-duplicate group
(:func:`newsfacet.ingest.minhash.plan_clusters`), and the index only ever
lowers a stored cluster id (:data:`LOWER_CLUSTER_SCRIPT`). A worker decides
before writing and writes without waiting for a refresh, registering its
entries' band keys and changed clusters in the recent-writes index
(``index/recent.py``) in the same request; OpenSearch applies the updates of
one registry document one at a time. Of two workers writing near-duplicates at
the same moment, the one that registers second receives the first's entry id
in the answer; it refreshes and looks again (:func:`second_look_query`), so at
least one of them computes the shared minimum and lowers the other's cluster
to it.
Lowering is commutative and idempotent, so any number of such corrections, in
any order, end where a sequential run would.

Cluster summaries (size, first copies, members: ``ingest/clusters.py``)
follow the same rule: a stored summary is only replaced by one at least as
large (:data:`SUMMARY_SCRIPT`), a cluster's membership only grows, and the
worker that registers a cluster second recounts it from the index
(:func:`count_clusters`) after its refresh.

Per-band "claim" documents created with ``op_type=create`` were the other
option; a band collision is not a near-duplicate (it still needs
verification) and an entry has 32 band keys that two workers may win in
different halves, so claims would still need this merge step.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import OpenSearchException

from newsfacet.errors import IndexingError
from newsfacet.index.bulk import run_bulk
from newsfacet.ingest.clusters import (
    MEMBER_CAP,
    STORED_COPIES,
    ClusterSummary,
    cluster_hash,
    copy_from_source,
)
from newsfacet.ingest.minhash import Member

# Sets a cluster's summary on a member, unless it has moved to another cluster
# or already holds a larger summary (membership only grows, so larger is newer).
_SET_SUMMARY = """
def s = params.summaries[ctx._source.cluster];
if (s != null) {
  def size = ctx._source.cluster_size;
  if (size == null || size < s.cluster_size
      || (size == s.cluster_size && ctx._source.cluster_members != s.cluster_members)) {
    ctx._source.cluster_size = s.cluster_size;
    ctx._source.cluster_copies = s.cluster_copies;
    ctx._source.cluster_members = s.cluster_members;
    changed = true;
  }
}
"""

# Lowers an entry's cluster to the one its group maps to (never raises it), then
# takes the summary of the cluster it is in, if one is given.
LOWER_CLUSTER_SCRIPT = (
    """
boolean changed = false;
def target = params.merges[ctx._source.cluster];
if (target != null && target.compareTo(ctx._source.cluster) < 0) {
  ctx._source.cluster = target;
  ctx._source.cluster_hash = params.hashes[target];
  changed = true;
}
"""
    + _SET_SUMMARY
    + """
if (!changed) { ctx.op = 'noop'; }
"""
)

SUMMARY_SCRIPT = LOWER_CLUSTER_SCRIPT

# What a candidate brings besides its signature: its cluster's summary, and what
# it would show as a copy if it has none (a cluster of one).
_CANDIDATE_SOURCE = [
    "cluster",
    "minhash",
    "lsh_bands",
    "cluster_size",
    "cluster_copies",
    "cluster_members",
    "title",
    "outlet",
    "outlet_name",
    "url",
    "published",
]
STORED_SOURCE = ["cluster", "mentions", *_CANDIDATE_SOURCE[3:]]
COPY_FIELDS = ["id", "title", "outlet", "outlet_name", "url", "published"]

MAX_CANDIDATES = 500
MERGE_ROUNDS = 20
MERGE_PAGE = 1000


def candidates_query(bands: Collection[str], size: int = MAX_CANDIDATES) -> dict[str, Any]:
    """Stored entries sharing any band key: one terms query, whatever the index size."""
    return {
        "size": size,
        "track_total_hits": False,
        "_source": _CANDIDATE_SOURCE,
        "query": {"bool": {"filter": [{"terms": {"lsh_bands": sorted(set(bands))}}]}},
    }


def second_look_query(
    bands: Collection[str], clusters: Collection[str], size: int = MAX_CANDIDATES
) -> dict[str, Any]:
    """Stored entries sharing a band key, or in one of ``clusters`` (after a refresh)."""
    should: list[dict[str, Any]] = [{"terms": {"lsh_bands": sorted(set(bands))}}]
    if clusters:
        should.append({"terms": {"cluster": sorted(set(clusters))}})
    return {
        "size": size,
        "track_total_hits": False,
        "_source": _CANDIDATE_SOURCE,
        "query": {"bool": {"should": should, "minimum_should_match": 1}},
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


def summary_params(
    merges: Mapping[str, str], summaries: Mapping[str, ClusterSummary]
) -> dict[str, Any]:
    """The parameters of :data:`LOWER_CLUSTER_SCRIPT`."""
    return {
        "merges": dict(merges),
        "hashes": {target: cluster_hash(target) for target in set(merges.values())},
        "summaries": {c: s.fields() for c, s in summaries.items()},
    }


def merge_clusters(
    client: OpenSearch,
    alias: str,
    merges: dict[str, str],
    summaries: Mapping[str, ClusterSummary] | None = None,
) -> int:
    """Lower every stored entry of each old cluster to its new cluster id.

    Finds the members with a search and lowers each with a scripted update
    (through the bulk core), repeating until no entry holds an old id: this
    needs only the painless module, not update-by-query. A lowered entry
    takes the summary of its new cluster when ``summaries`` has it.

    Returns:
        How many stored entries had their cluster lowered.
    """
    params = summary_params(merges, summaries or {})
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
                    "params": params,
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


def propagate_summaries(
    client: OpenSearch, alias: str, summaries: Mapping[str, ClusterSummary]
) -> int:
    """Give every member of each cluster its summary, finding the members with searches.

    For clusters whose members no summary lists in full (a large cluster), and
    after a second look. Pages through the members by id; no refresh needed.

    Returns:
        How many entries took a new summary.
    """
    if not summaries:
        return 0
    params = summary_params({}, summaries)
    changed = 0
    after: list[Any] | None = None
    while True:
        body: dict[str, Any] = {
            "size": MERGE_PAGE,
            "_source": False,
            "track_total_hits": False,
            "sort": [{"id": "asc"}],
            "query": {"bool": {"filter": [{"terms": {"cluster": sorted(summaries)}}]}},
        }
        if after is not None:
            body["search_after"] = after
        try:
            hits = client.search(index=alias, body=body)["hits"]["hits"]
        except OpenSearchException as exc:
            raise IndexingError(f"cluster summary update failed: {exc}", alias=alias) from exc
        if not hits:
            return changed
        actions = [
            {
                "_op_type": "update",
                "_index": alias,
                "_id": hit["_id"],
                "retry_on_conflict": 10,
                "script": {"lang": "painless", "source": SUMMARY_SCRIPT, "params": params},
            }
            for hit in hits
        ]
        verdicts = run_bulk(client, actions)
        changed += sum(v.status == "updated" for v in verdicts)
        failed = [v.reason for v in verdicts if v.status in {"rejected", "retry"}]
        if failed:
            raise IndexingError("cluster summary not stored", alias=alias, reason=failed[0])
        after = hits[-1]["sort"]


def count_clusters_query(clusters: Collection[str]) -> dict[str, Any]:
    """Every cluster's size, first copies (oldest first) and first member ids, from the index."""
    return {
        "size": 0,
        "track_total_hits": False,
        "query": {"bool": {"filter": [{"terms": {"cluster": sorted(set(clusters))}}]}},
        "aggs": {
            "clusters": {
                "terms": {"field": "cluster", "size": len(set(clusters))},
                "aggs": {
                    "copies": {
                        "top_hits": {
                            "size": STORED_COPIES,
                            "sort": [
                                {"published": {"order": "asc", "missing": "_last"}},
                                {"id": "asc"},
                            ],
                            "_source": COPY_FIELDS,
                        }
                    },
                    "members": {
                        "top_hits": {"size": MEMBER_CAP, "sort": [{"id": "asc"}], "_source": False}
                    },
                },
            }
        },
    }


def count_clusters(
    client: OpenSearch, alias: str, clusters: Collection[str]
) -> dict[str, ClusterSummary]:
    """The summary of each cluster as the index holds it now (after a refresh)."""
    if not clusters:
        return {}
    try:
        raw = client.search(index=alias, body=count_clusters_query(clusters))
    except OpenSearchException as exc:
        raise IndexingError(f"cluster count failed: {exc}", alias=alias) from exc
    found = {}
    for bucket in raw.get("aggregations", {}).get("clusters", {}).get("buckets", []):
        cluster = str(bucket["key"])
        copies = tuple(
            copy_from_source(h["_id"], h["_source"]) for h in bucket["copies"]["hits"]["hits"]
        )
        members = tuple(h["_id"] for h in bucket["members"]["hits"]["hits"])
        found[cluster] = ClusterSummary(cluster, int(bucket["doc_count"]), copies, members)
    return found
