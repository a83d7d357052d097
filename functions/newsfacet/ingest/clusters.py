"""What every member of a story cluster carries: its size, its first copies, its members.

Search shows one hit per story with "also reported by" (the cluster's other
copies) and the cluster's size. Both are kept on every member of a cluster
of two or more entries, so the page query's own hits carry them and search
needs no second request. They change only when a cluster gains members or two
clusters merge, and that is decided here, at ingest, where clusters are
assigned (:func:`newsfacet.ingest.minhash.plan_clusters`).

A singleton stores nothing: no summary means "a cluster of one" to search.

Pure: the summaries a batch starts from come in as data (every stored member
of a cluster carries its cluster's summary, so any candidate the lookup
returns brings it), and the result says what to write where.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from newsfacet.models.entry import Entry

# "Also reported by" shows up to this many copies besides the hit itself; the
# first MAX_COPIES + 1 are stored so that each member can leave itself out.
MAX_COPIES = 10
STORED_COPIES = MAX_COPIES + 1
# Member ids stored on each member. A cluster up to this size is updated on
# every member whenever it changes; a larger one (a wire story republished by
# hundreds of sites) updates its listed members each time and every member only
# when its size doubles (``index/entries.py``), so a stored size is exact up to
# here and otherwise within a factor of two: updating all n members for each
# new one would cost n² writes.
MEMBER_CAP = 100


@dataclass(frozen=True)
class ClusterCopy:
    """One member as "also reported by" lists it."""

    id: str
    title: str | None = None
    outlet: str | None = None
    outlet_name: str | None = None
    url: str | None = None
    published: str | None = None  # ISO 8601, as stored

    def order(self) -> tuple[int, str, str]:
        # Oldest first, undated last, then by id: the same order for every worker.
        return (self.published is None, self.published or "", self.id)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "outlet": self.outlet,
            "outlet_name": self.outlet_name,
            "url": self.url,
            "published": self.published,
        }


@dataclass(frozen=True)
class ClusterSummary:
    """A cluster as its members store it."""

    cluster: str
    size: int
    copies: tuple[ClusterCopy, ...] = ()
    # Sorted; every member when ``size <= MEMBER_CAP``, else the first MEMBER_CAP.
    members: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """Whether ``members`` lists every member."""
        return len(self.members) >= self.size

    def fields(self) -> dict[str, Any]:
        """The stored form (``cluster_size``, ``cluster_copies``, ``cluster_members``)."""
        return {
            "cluster_size": self.size,
            "cluster_copies": [c.to_json() for c in self.copies],
            "cluster_members": list(self.members),
        }


@dataclass(frozen=True)
class SummaryPlan:
    """The summaries a batch writes: on its own entries, and onto stored members."""

    # final cluster id -> its summary (clusters of two or more whose membership changed)
    summaries: dict[str, ClusterSummary] = field(default_factory=dict)
    # stored entry id -> the cluster it belongs to now (its own, or the one it merges into)
    updates: dict[str, str] = field(default_factory=dict)
    # final cluster id -> the stored clusters merging into it
    merged_from: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # clusters with members no summary lists, every one of which must be found and
    # updated: a merge of a large cluster, or a large cluster whose size doubled
    search_members: frozenset[str] = frozenset()


_COPY_FIELDS = {"title", "outlet", "outlet_name", "url", "published"}


def cluster_hash(cluster: str) -> int:
    """A 64-bit number per cluster id, stored beside it for counting distinct stories.

    A cardinality aggregation over a numeric field hashes the number it reads;
    over a keyword it first looks each document's term up by ordinal, which is
    most of its cost on a large index.
    """
    return int.from_bytes(
        hashlib.blake2b(cluster.encode(), digest_size=8).digest(), "big", signed=True
    )


def copy_of(entry: Entry) -> ClusterCopy:
    # The JSON form the entry is stored in, so copies read back compare equal.
    return copy_from_source(entry.id, entry.model_dump(mode="json", include=_COPY_FIELDS))


def copy_from_source(entry_id: str, source: Mapping[str, Any]) -> ClusterCopy:
    """A stored entry (its ``_source``) as a copy."""
    published = source.get("published")
    return ClusterCopy(
        id=entry_id,
        title=source.get("title"),
        outlet=source.get("outlet"),
        outlet_name=source.get("outlet_name"),
        url=source.get("url"),
        published=str(published) if published is not None else None,
    )


def stored_summary(entry_id: str, source: Mapping[str, Any]) -> ClusterSummary:
    """The summary a stored entry carries; a cluster of one if it carries none."""
    cluster = str(source.get("cluster") or entry_id)
    size = source.get("cluster_size")
    if not isinstance(size, int) or size < 2:
        return ClusterSummary(cluster, 1, (copy_from_source(entry_id, source),), (entry_id,))
    copies = tuple(
        copy_from_source(str(c["id"]), c)
        for c in source.get("cluster_copies") or ()
        if isinstance(c, dict) and c.get("id")
    )
    members = tuple(str(m) for m in source.get("cluster_members") or ())
    return ClusterSummary(cluster, size, copies, members)


def best_summaries(found: Iterable[ClusterSummary]) -> dict[str, ClusterSummary]:
    """One summary per stored cluster: the largest seen (members may lag while it grows)."""
    best: dict[str, ClusterSummary] = {}
    for summary in found:
        known = best.get(summary.cluster)
        if known is None or (summary.size, len(summary.members)) > (
            known.size,
            len(known.members),
        ):
            best[summary.cluster] = summary
    return best


def combine(cluster: str, parts: Sequence[ClusterSummary], new: Sequence[Entry]) -> ClusterSummary:
    """The summary of ``cluster`` made of stored clusters ``parts`` and ``new`` entries.

    Stored clusters are disjoint (every entry has one cluster), so their sizes
    add up; new entries are in none of them.
    """
    copies = {c.id: c for part in parts for c in part.copies}
    copies.update({e.id: copy_of(e) for e in new})
    members = sorted({m for part in parts for m in part.members} | {e.id for e in new})
    return ClusterSummary(
        cluster=cluster,
        size=sum(p.size for p in parts) + len(new),
        copies=tuple(sorted(copies.values(), key=ClusterCopy.order)[:STORED_COPIES]),
        members=tuple(members[:MEMBER_CAP]),
    )


def plan_summaries(
    entries: Sequence[Entry],
    *,
    found: Mapping[str, ClusterSummary],
    stored_ids: Iterable[str],
    merges: Mapping[str, str],
) -> SummaryPlan:
    """The summary of every cluster the batch changed, and which stored members take it.

    Args:
        entries: the batch's entries with their final clusters.
        found: the summary each stored entry the lookup met carries, by entry id
            (batch entries that exist already, and near-duplicate candidates).
        stored_ids: batch entries that exist already (they are counted in
            their stored cluster, not as new).
        merges: stored cluster -> the lower cluster it joins.
    """
    stored = best_summaries(found.values())
    existing = set(stored_ids)
    new_by_cluster: dict[str, list[Entry]] = {}
    for entry in entries:
        if entry.id not in existing:
            new_by_cluster.setdefault(entry.cluster, []).append(entry)
    summaries: dict[str, ClusterSummary] = {}
    updates: dict[str, str] = {}
    merged_from: dict[str, tuple[str, ...]] = {}
    search: set[str] = set()
    for target in sorted({e.cluster for e in entries}):
        parts = [s for c, s in sorted(stored.items()) if merges.get(c, c) == target]
        new = new_by_cluster.get(target, [])
        if not new and len(parts) < 2:
            continue  # nothing joined, nothing merged: the stored summary stands
        summary = combine(target, parts, new)
        if summary.size < 2:
            continue
        summaries[target] = summary
        merged_from[target] = tuple(p.cluster for p in parts if p.cluster != target)
        for part in parts:
            updates.update(dict.fromkeys(part.members, target))
        if not all(p.complete for p in parts) and (
            merged_from[target] or _doubled(max(p.size for p in parts), summary.size)
        ):
            search.add(target)
    # A member whose summary lags behind another member's (an update that failed
    # and was not retried yet) takes the larger one.
    for entry_id, summary in sorted(found.items()):
        best = stored[summary.cluster]
        if summary.size < best.size and entry_id not in updates:
            target = merges.get(summary.cluster, summary.cluster)
            summaries.setdefault(target, best)
            updates[entry_id] = target
    return SummaryPlan(summaries, updates, merged_from, frozenset(search))


def unseen_writes(
    written: Sequence[Entry],
    *,
    existing: Iterable[str],
    known: Iterable[str],
    summaries: Iterable[ClusterSummary],
    recent: Iterable[str],
    created: Iterable[str],
) -> set[str]:
    """Entries another worker wrote at the same moment that this batch's lookup did not see.

    Those others registered under the batch's band keys or clusters
    (``recent``), and any entry the batch took for new that turned out to
    exist when written (two workers carrying the same text at once).

    Args:
        written: the batch's entries that were written.
        existing: ids of batch entries the lookup found stored.
        known: ids the batch's lookup returned (stored entries and candidates).
        summaries: the cluster summaries it returned (their members are known too).
        recent: ids others registered under the batch's keys in the last minutes.
        created: ids of ``written`` that the write created (the rest existed).
    """
    seen = {*known, *(e.id for e in written)}
    seen.update(m for s in summaries for m in s.members)
    stored = set(existing)
    new = set(created)
    surprised = {e.id for e in written if e.id not in stored and e.id not in new}
    return (set(recent) - seen) | surprised


def _doubled(before: int, after: int) -> bool:
    """Whether a power of two lies in (before, after]: a large cluster's turn for every member."""
    return after.bit_length() > before.bit_length()
