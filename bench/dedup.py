"""Near-duplicate detection: decision time as the index grows, and precision/recall.

Decision time. Entries are synthetic but made of real text: each is 5-10
sentences drawn from the article texts in ``bench/data/articles.jsonl`` (main
text of the extraction-dev pages), and one in ten stored entries is an edited
copy of an earlier one, in its cluster. The index is filled by bulk loading to
1k, 10k and 100k entries (and 1M with ``NEWSFACET_BENCH_1M=1``); at each size
200 decisions are timed: what ingest
runs per entry before writing (one terms query on the band keys, then
verification) for 100 edited copies of stored entries and 100 new texts. The
baseline beside it is a GET of one entry by id at the same size.

Precision and recall. A labelled set of text pairs, built here from real text
(see :func:`labelled_pairs`): near-duplicates are a text and a re-publication
of it (a sentence dropped, a line of boilerplate added, a few words changed,
two of these together, or all three with two sentences dropped); not
near-duplicates are different texts, texts that quote two of each other's
sentences (same story, other words), texts of which only the first half is
reused, and the seed rewrites 002-004 and the two live-blog snapshots as
wholes. A pair is detected when the two share a band key and
their estimated Jaccard similarity reaches the threshold; every threshold from
0.3 to 0.9 is scored and the one ingest uses is marked.
"""

from __future__ import annotations

import json
import os
import random
import re
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT / "bench" / "data" / "articles.jsonl"
SIZES = (1_000, 10_000, 100_000)
MILLION_SIZES = (*SIZES, 1_000_000)
PROBES = 100
PASSES = 3  # every probe is decided three times; medians over all of them
PREFIX = "bench-dedup"
BOILERPLATE = [
    "Sign up to our free breaking news emails.",
    "Read more: the latest updates from our correspondents.",
    "This article was amended on Tuesday to correct a spelling.",
    "Follow us on social media for more stories like this one.",
]


def _articles() -> list[str]:
    return [json.loads(line)["text"] for line in ARTICLES.read_text("utf-8").splitlines()]


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text.replace("\n", " ")) if s.strip()]


def sentence_pool() -> list[str]:
    return [s for text in _articles() for s in _sentences(text) if len(s.split()) >= 6]


def synthetic_text(pool: list[str], vocabulary: list[str], rng: random.Random) -> str:
    """5-10 real sentences, every fourth word swapped for a random word of the corpus.

    Drawing whole sentences from a pool of about 1,400 would make unrelated
    entries share sentences far more often than real news does (at 100k
    entries each sentence would recur ~500 times), and band collisions would
    grow with the index for that reason alone. The swapped words keep each
    entry's word 3-shingles its own, as separately written articles are.
    """
    words = " ".join(rng.sample(pool, rng.randint(5, 10))).split()
    for i in range(rng.randrange(4), len(words), 4):
        words[i] = rng.choice(vocabulary)
    return " ".join(words)


def edit(text: str, rng: random.Random, kind: str) -> str:
    """A re-publication of ``text``: what aggregators and second snapshots change."""
    sentences = _sentences(text)
    drops = 2 if kind == "heavy" else int(kind in {"drop", "drop+words"})
    for _ in range(drops):
        if len(sentences) > 3:
            del sentences[rng.randrange(1, len(sentences))]
    if kind in {"boilerplate", "boilerplate+words", "heavy"}:
        sentences.insert(rng.randrange(len(sentences) + 1), rng.choice(BOILERPLATE))
    words = " ".join(sentences).split()
    if kind.endswith("words") or kind == "heavy":
        for _ in range(max(1, len(words) // 40)):  # about 2.5% of the words
            i = rng.randrange(len(words))
            words[i] = words[i].upper() if rng.random() < 0.5 else words[i] + "s"
    return " ".join(words)


def labelled_pairs(seed: int = 7) -> list[tuple[str, str, bool, str]]:
    """(a, b, is_near_duplicate, kind) for every pair of the labelled set."""
    rng = random.Random(seed)
    articles = [t for t in _articles() if len(_sentences(t)) >= 6]
    pairs: list[tuple[str, str, bool, str]] = []
    for index, text in enumerate(articles):
        base = " ".join(_sentences(text)[:10])
        for kind in ("drop", "boilerplate", "words", "drop+words", "boilerplate+words", "heavy"):
            pairs.append((base, edit(base, rng, kind), True, kind))
        other = articles[(index + 1 + rng.randrange(len(articles) - 1)) % len(articles)]
        other_base = " ".join(_sentences(other)[:10])
        pairs.append((base, other_base, False, "different"))
        quoted = _sentences(base)[:2] + _sentences(other_base)[2:8]
        pairs.append((base, " ".join(quoted), False, "same story, two sentences quoted"))
        half = _sentences(base)[:5] + _sentences(other_base)[5:10]
        pairs.append((base, " ".join(half), False, "half of the text reused"))
    seeds = {p.name[:3]: p.read_text("utf-8") for p in (ROOT / "samples" / "seeds").glob("*.txt")}
    for a, b in (("002", "003"), ("002", "004"), ("003", "004"), ("000", "001")):
        pairs.append((seeds[a], seeds[b], False, "seed rewrites / snapshots"))
    posts = json.loads((ROOT / "tests" / "data" / "liveblog-posts.json").read_text("utf-8"))
    intros = [posts[name][0]["text"] for name in posts if name.endswith(".txt")]
    pairs.append((intros[0], intros[1], True, "seed live-blog intro, two snapshots"))
    return pairs


def precision_recall() -> dict[str, Any]:
    from newsfacet.ingest.minhash import JACCARD_THRESHOLD, estimated_jaccard, sign_text

    scored = []
    for a, b, label, kind in labelled_pairs():
        sa, sb = sign_text(a), sign_text(b)
        if sa is None or sb is None:
            raise ValueError(f"labelled pair too short to sign ({kind})")
        candidate = bool(set(sa.bands) & set(sb.bands))
        scored.append((candidate, estimated_jaccard(sa.values, sb.values), label, kind))
    table = {}
    for step in range(30, 95, 5):
        threshold = step / 100
        tp = sum(1 for c, j, lab, _ in scored if c and j >= threshold and lab)
        fp = sum(1 for c, j, lab, _ in scored if c and j >= threshold and not lab)
        fn = sum(1 for c, j, lab, _ in scored if lab and not (c and j >= threshold))
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        table[f"{threshold:.2f}"] = {"p": round(precision, 3), "r": round(recall, 3)}

    def f1(cell: dict[str, float]) -> float:
        return 2 * cell["p"] * cell["r"] / (cell["p"] + cell["r"]) if cell["p"] + cell["r"] else 0.0

    best = max(table, key=lambda t: (f1(table[t]), t))
    by_kind: dict[str, list[float]] = {}
    for _, similarity, _, kind in scored:
        by_kind.setdefault(kind, []).append(similarity)
    return {
        "pairs": len(scored),
        "positives": sum(1 for s in scored if s[2]),
        "threshold": JACCARD_THRESHOLD,
        "at_threshold": table[f"{JACCARD_THRESHOLD:.2f}"],
        "best_f1_threshold": float(best),
        "by_threshold": table,
        "estimated_jaccard_by_kind": {
            kind: {
                "min": round(min(v), 3),
                "median": round(statistics.median(v), 3),
                "max": round(max(v), 3),
            }
            for kind, v in by_kind.items()
        },
    }


def _make_docs(args: tuple[int, int, int]) -> list[dict[str, Any]]:
    """Stored-entry documents start..stop (run in worker processes: signing is CPU-bound)."""
    from newsfacet.index.entries import entry_document
    from newsfacet.ingest.fingerprint import content_id
    from newsfacet.ingest.minhash import sign_text
    from newsfacet.models.entry import Entry, Source

    start, stop, seed = args
    pool = sentence_pool()
    vocabulary = sorted({w for sentence in pool for w in sentence.split()})
    now = datetime(2024, 1, 1, tzinfo=UTC)
    docs = []
    previous: tuple[str, str] | None = None
    for number in range(start, stop):
        rng = random.Random(seed * 1_000_003 + number)
        if previous is not None and number % 10 == 0:
            text, cluster = edit(previous[0], rng, "drop+words"), previous[1]
        else:
            text, cluster = synthetic_text(pool, vocabulary, rng), ""
        signature = sign_text(text)
        entry_id = content_id(f"{number}\n{text}")
        entry = Entry(
            id=entry_id,
            body=text,
            fingerprint=entry_id,
            cluster=cluster or entry_id,
            minhash=list(signature.values) if signature else [],
            lsh_bands=list(signature.bands) if signature else [],
            sources=[
                Source(bucket="bench", key=f"synthetic/{number}", first_seen=now, last_seen=now)
            ],
        )
        docs.append(
            {
                "_index": f"{PREFIX}-entries",
                "_id": entry_id,
                "_source": entry_document(entry, now=now),
            }
        )
        previous = (text, entry.cluster)
    return docs


def _load(client: Any, start: int, stop: int) -> None:
    from opensearchpy.helpers import bulk

    step = 2_000
    ranges = [(a, min(a + step, stop), 1) for a in range(start, stop, step)]
    with ProcessPoolExecutor(max_workers=2) as pool:
        for docs in pool.map(_make_docs, ranges):
            bulk(client, docs, chunk_size=1_000, request_timeout=120)
    client.indices.refresh(index=f"{PREFIX}-entries")


def _probes(stored: int) -> list[Any]:
    """100 edited copies of stored entries and 100 new texts, as entries ready for a decision."""
    from newsfacet.ingest.fingerprint import content_id
    from newsfacet.ingest.minhash import sign_entry
    from newsfacet.models.entry import Entry

    rng = random.Random(stored)
    pool = sentence_pool()
    vocabulary = sorted({w for sentence in pool for w in sentence.split()})
    texts = []
    for number in rng.sample([n for n in range(stored) if n % 10], PROBES):
        original = _make_docs((number, number + 1, 1))[0]["_source"]["body"]
        texts.append(edit(original, rng, "boilerplate+words"))
    texts += [synthetic_text(pool, vocabulary, rng) for _ in range(PROBES)]
    entries = []
    for text in texts:
        entry_id = content_id(text)
        entries.append(
            sign_entry(Entry(id=entry_id, body=text, fingerprint=entry_id, cluster=entry_id))
        )
    return entries


def _settle(client: Any) -> None:
    """Refresh and wait (up to a minute) for the merges bulk loading started to finish."""
    client.indices.refresh(index=f"{PREFIX}-entries")
    for _ in range(60):
        stats = client.indices.stats(index=f"{PREFIX}-entries", metric="merge")
        if stats["_all"]["primaries"]["merges"]["current"] == 0:
            return
        time.sleep(1)


def _segments(client: Any) -> int:
    stats = client.indices.stats(index=f"{PREFIX}-entries", metric="segments")
    return int(stats["_all"]["primaries"]["segments"]["count"])


def _time_decisions(
    client: Any, decide: Any, probes: list[Any], ids: list[str]
) -> tuple[list[float], list[float], int]:
    """Each probe decided ``PASSES`` times, alternating with a GET by id (the baseline)."""
    timings, gets, joined = [], [], 0
    # Decision and baseline alternate, so both see the same load on a shared machine.
    for entry, entry_id in zip(probes * PASSES, ids * 2 * PASSES, strict=False):
        started = time.perf_counter()
        plan, _ = decide(entry)
        timings.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        client.get(index=f"{PREFIX}-entries", id=entry_id, params={"_source": "false"})
        gets.append((time.perf_counter() - started) * 1000)
        # joined: takes a stored cluster, or is lower and pulls that cluster to itself
        joined += plan.clusters[entry.id] != entry.id or bool(plan.merges)
    return timings, gets, joined // PASSES


def decision_times(client: Any) -> dict[str, Any]:
    from newsfacet.config import IndexNames
    from newsfacet.index.entries import EntryIndex
    from newsfacet.ingest.minhash import Member, plan_clusters

    index = EntryIndex(client, IndexNames(PREFIX))

    def decide(entry: Any) -> Any:
        """What ingest does per batch: one lookup (ids + LSH candidates), then the pure plan."""
        stored = index.lookup([entry.id], entry.lsh_bands)
        member = Member(entry.id, entry.cluster, tuple(entry.minhash), tuple(entry.lsh_bands))
        return plan_clusters([member], stored.candidates), stored

    out: dict[str, Any] = {}
    loaded = 0
    sizes = MILLION_SIZES if os.environ.get("NEWSFACET_BENCH_1M") == "1" else SIZES
    for size in sizes:
        load_started = time.perf_counter()
        _load(client, loaded, size)
        loaded = size
        load_s = time.perf_counter() - load_started
        _settle(client)
        probes = _probes(size)
        for probe in probes[:5]:  # warm the connection and caches
            decide(probe)
        ids = [
            h["_id"]
            for h in client.search(
                index=f"{PREFIX}-entries",
                body={"size": len(probes), "_source": False, "query": {"match_all": {}}},
            )["hits"]["hits"]
        ]
        timings, gets, joined = _time_decisions(client, decide, probes, ids)
        candidates = [len(decide(entry)[1].candidates) for entry in probes]
        out[str(size)] = {
            "decision_ms_median": round(statistics.median(timings), 2),
            "decision_ms_p95": round(sorted(timings)[int(len(timings) * 0.95)], 2),
            "baseline_get_by_id_ms_median": round(statistics.median(gets), 2),
            "probes_joining_a_cluster": f"{joined}/{len(probes)} ({PROBES} are edited copies)",
            "candidates_per_decision_mean": round(statistics.mean(candidates), 2),
            "segments": _segments(client),
            "load_s": round(load_s, 1),
        }
    # What the growth is made of: the same decisions once the index is one segment.
    client.indices.forcemerge(index=f"{PREFIX}-entries", max_num_segments=1, request_timeout=3600)
    _settle(client)
    merged, _, _ = _time_decisions(client, decide, probes, ids)
    out[str(sizes[-1])]["one_segment_decision_ms_median"] = round(statistics.median(merged), 2)
    first, last = out[str(sizes[0])], out[str(sizes[-1])]
    out["largest"] = sizes[-1]
    out["ratio_largest_over_1k"] = round(
        last["decision_ms_median"] / first["decision_ms_median"], 2
    )
    out["baseline_ratio_largest_over_1k"] = round(
        last["baseline_get_by_id_ms_median"] / first["baseline_get_by_id_ms_median"], 2
    )
    return out


def run(ctx: Any) -> dict[str, Any]:
    from newsfacet.config import IndexNames, Settings
    from newsfacet.index.client import build_client
    from newsfacet.index.setup import delete_indices, ensure_indices

    settings = Settings(
        opensearch_url=ctx.opensearch_url(), index_prefix=PREFIX, opensearch_timeout_s=60
    )
    client = build_client(settings)
    delete_indices(client, IndexNames(PREFIX))
    ensure_indices(client, IndexNames(PREFIX))
    client.indices.put_settings(index=f"{PREFIX}-entries", body={"refresh_interval": "-1"})
    try:
        return {"near_duplicates": precision_recall(), "decision_time": decision_times(client)}
    finally:
        delete_indices(client, IndexNames(PREFIX))
