"""Near-duplicate signatures and the pure part of the cluster decision.

An entry's body becomes a set of word 3-shingles (over :func:`normalise_text`,
so case, quotes and spacing do not matter), then a 128-permutation MinHash
(datasketch). The signature is cut into 32 bands of 4 rows; each band hashes
to one short key stored on the entry (``lsh_bands``). Two entries whose
shingle sets have Jaccard similarity J share at least one band key with
probability 1 - (1 - J**4)**32: 0.95 at J = 0.55, 0.99 at J = 0.6, 0.9998 at
J = 0.7, and 0.23 at J = 0.3. Every candidate a band key brings is then verified by its estimated
Jaccard similarity against :data:`JACCARD_THRESHOLD` (chosen from the
measurements in ``bench/dedup.py``), so band collisions cost a comparison,
never a wrong cluster.

Looking candidates up by exact keys costs the same whatever the index holds:
that is what keeps the decision time flat as the index grows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from newsfacet.ingest.fingerprint import normalise_text
from newsfacet.models.entry import Entry

NUM_PERM = 128
BANDS = 32
ROWS = NUM_PERM // BANDS
SHINGLE_WORDS = 3
SEED = 1
SCHEME = "affine32"
# Below this many words a text has too few shingles for a meaningful estimate
# (and short texts would pile into a few very common band keys): such entries
# are deduplicated by their exact fingerprint only.
MIN_WORDS = 8
# Verified estimated Jaccard at or above this joins a cluster. Chosen on the
# labelled pairs of bench/dedup.py: re-publications (edits, added boilerplate,
# dropped sentences) score 0.55-1.0, texts reusing half of another up to 0.53,
# rewrites of one story below 0.3; 0.55 gave the best F1 there.
JACCARD_THRESHOLD = 0.55


@dataclass(frozen=True)
class Signature:
    """A MinHash signature and the LSH band keys derived from it."""

    values: tuple[int, ...]
    bands: tuple[str, ...]


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """Word n-grams of the normalised text."""
    return _shingles(normalise_text(text).split(), size)


def _shingles(words: Sequence[str], size: int) -> set[str]:
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


@lru_cache(maxsize=1)
def _permutations() -> Any:
    from datasketch import MinHash  # imports numpy (and scipy); only ingest pays for it

    # The scheme is explicit so signatures stored by one datasketch version stay
    # comparable with those computed by the next.
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


def sign_text(text: str) -> Signature | None:
    """The MinHash signature and band keys of a text, or None if it is too short to compare."""
    from datasketch import MinHash

    words = normalise_text(text).split()
    if len(words) < MIN_WORDS:
        return None
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, permutations=_permutations(), scheme=SCHEME)
    minhash.update_batch([s.encode("utf-8") for s in _shingles(words, SHINGLE_WORDS)])
    values = tuple(int(v) for v in minhash.hashvalues)
    return Signature(values=values, bands=band_keys(values))


def band_keys(values: Sequence[int]) -> tuple[str, ...]:
    """One key per band: the band number and a short hash of its rows."""
    raw = b"".join(v.to_bytes(8, "little") for v in values)
    width = ROWS * 8
    keys = []
    for band in range(BANDS):
        rows = raw[band * width : (band + 1) * width]
        keys.append(f"{band:02d}:{hashlib.blake2b(rows, digest_size=8).hexdigest()}")
    return tuple(keys)


def estimated_jaccard(a: Sequence[int], b: Sequence[int]) -> float:
    """The share of equal MinHash values: an unbiased estimate of the Jaccard similarity."""
    if len(a) != len(b) or not a:
        return 0.0
    return sum(1 for x, y in zip(a, b, strict=True) if x == y) / len(a)


@dataclass(frozen=True)
class Member:
    """An entry taking part in a cluster decision: one of the batch, or one found in the index."""

    id: str
    cluster: str
    values: tuple[int, ...]
    bands: tuple[str, ...] = ()


@dataclass
class ClusterPlan:
    """The cluster every batch entry gets, and the stored clusters that must be lowered to it."""

    clusters: dict[str, str] = field(default_factory=dict)
    # old cluster id -> new (lower) cluster id, for entries already in the index
    merges: dict[str, str] = field(default_factory=dict)


def plan_clusters(
    batch: Sequence[Member], found: Iterable[Member], *, threshold: float = JACCARD_THRESHOLD
) -> ClusterPlan:
    """Group verified near-duplicates and give each group its lowest cluster id.

    ``batch`` holds the entries being ingested (their ``cluster`` is their own
    id unless they are known to be stored already), ``found`` the stored
    entries that share a band key with any of them. Pairs that share a band
    and whose estimated Jaccard reaches ``threshold`` are linked; each linked
    group takes the smallest cluster id among its members. Because the result
    depends only on the set of members, never on arrival order, two workers
    that see the same entries reach the same answer, and one that sees more
    only ever lowers an id: the lower-only merge in the index converges.

    Returns:
        The cluster for every batch entry, and the stored cluster ids to
        lower (``merges``), which the caller applies in the index.
    """
    members: dict[str, Member] = {}
    for member in [*found, *batch]:
        seen = members.get(member.id)
        members[member.id] = member if seen is None else _combine(seen, member)
    stored = {m.id for m in found}
    parent = {member_id: member_id for member_id in members}

    def root(node: str) -> str:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    by_band: dict[str, list[str]] = {}
    for member in members.values():
        for key in member.bands:
            by_band.setdefault(key, []).append(member.id)
    batch_ids = {m.id for m in batch}
    checked: set[tuple[str, str]] = set()
    for ids in by_band.values():
        for i, left in enumerate(ids):
            for right in ids[i + 1 :]:
                # Only pairs touching the batch matter: stored pairs were decided before.
                if left not in batch_ids and right not in batch_ids:
                    continue
                pair = (left, right) if left < right else (right, left)
                if pair in checked:
                    continue
                checked.add(pair)
                similarity = estimated_jaccard(members[left].values, members[right].values)
                if similarity >= threshold:
                    parent[root(left)] = root(right)
    lowest: dict[str, str] = {}
    for member in members.values():
        group = root(member.id)
        lowest[group] = min(lowest.get(group, member.cluster), member.cluster, member.id)
    plan = ClusterPlan()
    for member in members.values():
        target = lowest[root(member.id)]
        if member.id in batch_ids:
            plan.clusters[member.id] = target
        if member.id in stored and member.cluster > target:
            plan.merges[member.cluster] = min(target, plan.merges.get(member.cluster, target))
    return plan


def assign_clusters(
    entries: Sequence[Entry], stored: Mapping[str, str], found: Sequence[Member]
) -> tuple[list[Entry], ClusterPlan]:
    """Each entry's cluster: the lowest id of its verified near-duplicate group.

    Args:
        entries: the batch's entries, signed.
        stored: cluster of each batch entry that exists already, by id.
        found: stored near-duplicate candidates (sharing a band key).
    """
    batch = [
        Member(
            id=e.id,
            cluster=stored.get(e.id, e.cluster),
            values=tuple(e.minhash),
            bands=tuple(e.lsh_bands),
        )
        for e in entries
    ]
    plan = plan_clusters(batch, found)
    assigned = [
        e.model_copy(update={"cluster": plan.clusters.get(e.id, e.cluster)}) for e in entries
    ]
    return assigned, plan


def _combine(a: Member, b: Member) -> Member:
    """The same entry seen twice (stored and in the batch): keep the lower cluster."""
    return Member(
        id=a.id,
        cluster=min(a.cluster, b.cluster),
        values=a.values or b.values,
        bands=tuple(dict.fromkeys([*a.bands, *b.bands])),
    )


def sign_entry(entry: Entry) -> Entry:
    """The entry with its MinHash values and band keys (none for very short texts)."""
    signature = sign_text(entry.body)
    return entry.model_copy(
        update={
            "minhash": list(signature.values) if signature else [],
            "lsh_bands": list(signature.bands) if signature else [],
        }
    )
