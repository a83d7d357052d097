"""Search latency through the handler beside the same main query sent straight to OpenSearch,
at growing index sizes, and cold start.

**Index.** Entries are made of real text (``bench/data/articles.jsonl.gz``: 98 English
news articles, their outlets and spaCy entities): each takes a window of 2-6
paragraphs of one article, with every eighth word swapped for a word of the
corpus's vocabulary (so that no two texts are the same and term statistics keep
growing with the index, as in news), the article's outlet and entities, a date
within three and a half years, and 0-2 cited outlets. One entry in ten is a
near-duplicate copy of an earlier one under another outlet, in its cluster;
every member of a cluster carries the cluster's size and first copies, as ingest
stores them. Entries are generated in blocks of 1,000 (clusters stay inside a
block) and bulk loaded at full speed, two requests in flight, refresh off; the
load time of each tier is a figure. After loading, the index is refreshed and
left to finish its merges (no force-merge: a live index is not force-merged).

**Tiers.** 100,000 and 300,000 entries by default; ``NEWSFACET_BENCH_1M=1`` adds
1,000,000 (``NEWSFACET_BENCH_TIERS=100000,300000`` picks any). Each tier extends
the previous one.

**Shapes** (each request through SearchFunction's handler, in process, with API
Gateway events): ``q`` only (no facets), ``q`` with the default facets, an
entity filter, newest first over everything, page two of a ``q`` search (its
cursor), ``dedup=false``, and ``facet_stories=true``. The handler's requests to
OpenSearch are recorded; its first search (the page query) is then sent
straight to OpenSearch with the same client settings, alternating with the
handler, so both meet the same load. Round trips are the handler's requests per
search.

**OpenSearch** heap (used/max), segments and store size after each tier.

Also measured at each tier, straight to OpenSearch, to decide two choices:
story counts (cardinality) over the ``cluster`` keyword against over the
numeric ``cluster_hash``; and a date-ordered page without aggregations with
``track_total_hits`` exact against capped at 10,000.
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data" / "articles.jsonl.gz"
PREFIX = "bench-search"
BLOCK = 1_000
ROUNDS = 30
WARMUP = 3
COLD_REPEAT = 5
DEFAULT_TIERS = (100_000, 300_000)
MILLION_TIERS = (100_000, 300_000, 1_000_000)

Params = list[tuple[str, str]]


def tiers() -> tuple[int, ...]:
    chosen = os.environ.get("NEWSFACET_BENCH_TIERS")
    if chosen:
        return tuple(sorted(int(t) for t in chosen.split(",")))
    if os.environ.get("NEWSFACET_BENCH_1M") == "1":
        return MILLION_TIERS
    return DEFAULT_TIERS


# -- the index ---------------------------------------------------------------------------


def _articles() -> list[dict[str, Any]]:
    with gzip.open(DATA, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def documents(seed: int = 7) -> Iterator[list[dict[str, Any]]]:
    """Stored entry documents in blocks of ``BLOCK``, deterministic for a seed."""
    from newsfacet.index.entries import entry_document
    from newsfacet.ingest.clusters import combine
    from newsfacet.models.entry import Entity, Entry

    rng = random.Random(seed)
    articles = _articles()
    vocabulary = sorted(
        {w for a in articles for p in a["paragraphs"] for w in p.split() if w.isalpha()}
    )
    weights = [1 / (rank + 1) for rank in range(len(articles))]  # a few big outlets
    outlets = [a["outlet"] for a in articles]
    start = datetime(2021, 1, 1, tzinfo=UTC)
    now = datetime.now(UTC)
    number = 0
    while True:
        block: list[Entry] = []
        for _ in range(BLOCK):
            entry_id = hashlib.sha256(f"bench-{number}".encode()).hexdigest()[:32]
            number += 1
            originals = [e for e in block if e.cluster == e.id]
            if originals and rng.random() < 0.1:
                leader = rng.choice(originals[-200:])
                body = leader.body + " (Syndicated copy.)"
                published = (leader.published or start) + timedelta(hours=rng.randint(1, 48))
                article = rng.choices(articles, weights)[0]
                cluster, mentions = leader.cluster, leader.entities
            else:
                article = rng.choices(articles, weights)[0]
                paragraphs = article["paragraphs"]
                first = rng.randrange(len(paragraphs))
                window = range(first, min(first + rng.randint(2, 6), len(paragraphs)))
                words = "\n".join(paragraphs[i] for i in window).split(" ")
                for i in range(rng.randrange(8), len(words), 8):
                    words[i] = rng.choice(vocabulary)
                body = " ".join(words)
                found = sorted({tuple(e) for i in window for e in article["entities"][i]})
                mentions = [
                    Entity(start=0, end=0, text=name, type=kind, canonical=name)
                    for kind, name in found
                ]
                published = start + timedelta(seconds=rng.randrange(int(3.5 * 365 * 86400)))
                cluster = entry_id
            block.append(
                Entry(
                    id=entry_id,
                    title=" ".join(body.split()[:12]),
                    body=body,
                    published=published,
                    outlet=article["outlet"],
                    outlet_name=article["outlet"],
                    url=article["url"],
                    language="en",
                    entities=list(mentions),
                    cited_outlets=rng.sample(outlets, rng.choice([0, 0, 1, 2])),
                    fingerprint=entry_id,
                    cluster=cluster,
                    sources=[],
                )
            )
        groups: dict[str, list[Entry]] = {}
        for entry in block:
            groups.setdefault(entry.cluster, []).append(entry)
        summaries = {
            c: combine(c, [], members) for c, members in groups.items() if len(members) > 1
        }
        yield [entry_document(e, now=now, summary=summaries.get(e.cluster)) for e in block]


def load(client: Any, alias: str, blocks: Iterator[list[dict[str, Any]]], count: int) -> float:
    """Bulk load ``count`` more entries at full speed; the seconds it took (refresh included)."""
    from opensearchpy.helpers import parallel_bulk

    def actions() -> Iterator[dict[str, Any]]:
        for _ in range(count // BLOCK):
            for doc in next(blocks):
                yield {"_index": alias, "_id": doc["id"], "_source": doc}

    started = time.perf_counter()
    client.indices.put_settings(index=alias, body={"index": {"refresh_interval": "-1"}})
    for ok, item in parallel_bulk(
        client, actions(), thread_count=2, chunk_size=1000, request_timeout=300
    ):
        if not ok:
            raise RuntimeError(item)
    client.indices.put_settings(index=alias, body={"index": {"refresh_interval": "1s"}})
    client.indices.refresh(index=alias, request_timeout=600)
    return time.perf_counter() - started


def settle(client: Any, alias: str, limit_s: float = 1800) -> float:
    """Wait for the merges loading started to finish; the seconds waited."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit_s:
        stats = client.indices.stats(index=alias, metric="merge")
        if stats["_all"]["primaries"]["merges"]["current"] == 0:
            break
        time.sleep(2)
    client.indices.refresh(index=alias, request_timeout=600)
    return time.perf_counter() - started


def node_figures(client: Any, alias: str) -> dict[str, Any]:
    jvm = next(iter(client.nodes.stats(metric="jvm")["nodes"].values()))["jvm"]["mem"]
    stats = client.indices.stats(index=alias, metric="segments,store,docs")["_all"]["primaries"]
    return {
        "heap_used_mb": round(jvm["heap_used_in_bytes"] / 2**20),
        "heap_max_mb": round(jvm["heap_max_in_bytes"] / 2**20),
        "heap_used_percent": jvm["heap_used_percent"],
        "segments": stats["segments"]["count"],
        "store_mb": round(stats["store"]["size_in_bytes"] / 2**20),
        "docs": stats["docs"]["count"],
    }


# -- requests ----------------------------------------------------------------------------


class Recorder:
    """Every request a client of this process sends, while recording is on."""

    def __init__(self) -> None:
        self.on = False
        self.calls: list[tuple[str, str, Any, Any]] = []

    def install(self) -> None:
        from opensearchpy.transport import Transport

        original = Transport.perform_request
        recorder = self

        def perform(
            transport: Any, method: str, url: str, params: Any = None, body: Any = None, **kw: Any
        ) -> Any:
            if recorder.on:
                recorder.calls.append((method, url, copy.deepcopy(params), copy.deepcopy(body)))
            return original(transport, method, url, params=params, body=body, **kw)

        Transport.perform_request = perform  # type: ignore[method-assign,assignment]

    def take(self) -> list[tuple[str, str, Any, Any]]:
        calls, self.calls = self.calls, []
        return calls


def _top(client: Any, alias: str, field: str, n: int) -> list[str]:
    raw = client.search(
        index=alias, body={"size": 0, "aggs": {"t": {"terms": {"field": field, "size": n}}}}
    )
    return [b["key"] for b in raw["aggregations"]["t"]["buckets"]]


def shapes(client: Any, alias: str) -> dict[str, Params]:
    person = _top(client, alias, "entities_person", 1)[0]
    return {
        "q_only": [("q", "government"), ("facets", "none")],
        "q_facets": [("q", "government")],
        "entity_filter": [("entity", f"PERSON:{person}")],
        "date_sort": [("sort", "newest")],
        "page_two": [("q", "police")],
        "dedup_off": [("q", "government"), ("dedup", "false")],
        "facet_stories": [("q", "government"), ("facet_stories", "true")],
    }


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered), 1),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 1),
    }


def _event(params: Params) -> dict[str, Any]:
    from newsfacet_cli.local.apigw import http_api_event

    return http_api_event("GET", "/search?" + urlencode(params), {}, b"")


def _page_query(calls: list[tuple[str, str, Any, Any]]) -> tuple[str, str, Any, Any]:
    """The handler's main query: the first sorted search of the entries.

    Not simply its first search: a fresh container also reads the learned alias
    table and the date range the index holds (each cached for minutes), and
    replaying one of those as "the main query" would compare the handler with
    a cheap lookup.
    """
    return next(
        c for c in calls if c[1].endswith("/_search") and isinstance(c[3], dict) and "sort" in c[3]
    )


def measure_shape(
    handler: Any, context: Any, client: Any, recorder: Recorder, params: Params, *, page_two: bool
) -> dict[str, Any]:
    """Handler and direct main query, alternating, ``ROUNDS`` times after ``WARMUP``."""
    event = _event(params)
    if page_two:
        first = handler(event, context)
        cursor = json.loads(first["body"])["next_cursor"]
        event = _event([*params, ("cursor", cursor)])
    mine, theirs, trips = [], [], []
    main: tuple[str, str, Any, Any] | None = None
    for round_no in range(WARMUP + ROUNDS):
        recorder.on = True
        started = time.perf_counter()
        reply = handler(event, context)
        took = (time.perf_counter() - started) * 1000
        recorder.on = False
        calls = recorder.take()
        assert reply["statusCode"] == 200, reply["body"][:500]
        if main is None and round_no >= WARMUP:
            main = _page_query(calls)
        method, url, query, body = main or _page_query(calls)
        started = time.perf_counter()
        client.transport.perform_request(method, url, params=query, body=body)
        took_direct = (time.perf_counter() - started) * 1000
        if round_no >= WARMUP:
            mine.append(took)
            theirs.append(took_direct)
            trips.append(len(calls))
    handler_stats, direct_stats = _percentiles(mine), _percentiles(theirs)
    return {
        "handler": handler_stats,
        "direct": direct_stats,
        "p50_ratio": round(handler_stats["p50_ms"] / direct_stats["p50_ms"], 2),
        "p99_ratio": round(handler_stats["p99_ms"] / direct_stats["p99_ms"], 2),
        "round_trips": statistics.median(trips),
        "requests": [f"{c[0]} {c[1].split('/', 2)[-1]}" for c in calls],
        "main_query": main[3] if main else None,
    }


def _timed(client: Any, alias: str, body: dict[str, Any], rounds: int = 15) -> float:
    samples = []
    for round_no in range(3 + rounds):
        started = time.perf_counter()
        client.search(index=alias, body=body, request_timeout=120)
        if round_no >= 3:
            samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 1)


def _cardinality(body: Any, **change: Any) -> Any:
    """The same body with every cardinality aggregation changed (or removed, change=None)."""
    if isinstance(body, dict):
        out = {}
        for key, value in body.items():
            if isinstance(value, dict) and "cardinality" in value:
                if change.get("drop"):
                    continue
                value = {**value, "cardinality": {**value["cardinality"], **change}}
            out[key] = _cardinality(value, **change)
        return out
    if isinstance(body, list):
        return [_cardinality(v, **change) for v in body]
    return body


def choices(client: Any, alias: str, measured: dict[str, Any]) -> dict[str, Any]:
    """Two decisions, each measured straight to OpenSearch on this tier."""
    stories = measured["facet_stories"]["main_query"]
    date_page = {
        k: v for k, v in measured["date_sort"]["main_query"].items() if k not in {"aggs", "pit"}
    }
    facets = measured["q_facets"]["main_query"]
    return {
        "facet_stories_on_cluster_keyword_ms": _timed(
            client, alias, _cardinality(stories, field="cluster")
        ),
        "facet_stories_on_cluster_keyword_ordinals_ms": _timed(
            client, alias, _cardinality(stories, field="cluster", execution_hint="ordinals")
        ),
        "facet_stories_on_cluster_hash_ms": _timed(
            client, alias, _cardinality(stories, field="cluster_hash")
        ),
        "q_facets_story_count_on_cluster_keyword_ms": _timed(
            client, alias, _cardinality(facets, field="cluster")
        ),
        "q_facets_story_count_on_cluster_hash_ms": _timed(
            client, alias, _cardinality(facets, field="cluster_hash")
        ),
        "q_facets_without_story_count_ms": _timed(client, alias, _cardinality(facets, drop=True)),
        "date_page_no_aggs_exact_total_ms": _timed(
            client, alias, {**date_page, "track_total_hits": True}
        ),
        "date_page_no_aggs_total_capped_10000_ms": _timed(
            client, alias, {**date_page, "track_total_hits": 10_000}
        ),
    }


def measure_tier(
    handler: Any, context: Any, client: Any, alias: str, recorder: Recorder
) -> dict[str, Any]:
    measured = {
        name: measure_shape(handler, context, client, recorder, params, page_two=name == "page_two")
        for name, params in shapes(client, alias).items()
    }
    decided = choices(client, alias, measured)
    for figures in measured.values():
        figures.pop("main_query")
    return {"shapes": measured, "choices": decided}


def growth(results: dict[str, Any]) -> dict[str, Any]:
    """p50 of the largest tier over the smallest, per shape (handler and direct)."""
    sizes = sorted(results, key=int)
    low, high = results[sizes[0]]["shapes"], results[sizes[-1]]["shapes"]
    return {
        name: {
            "handler_p50": round(
                high[name]["handler"]["p50_ms"] / low[name]["handler"]["p50_ms"], 2
            ),
            "direct_p50": round(high[name]["direct"]["p50_ms"] / low[name]["direct"]["p50_ms"], 2),
        }
        for name in low
    }


# -- cold start --------------------------------------------------------------------------


def cold_start(overrides: dict[str, str]) -> dict[str, Any]:
    env = {
        **overrides,
        "PYTHONPATH": f"{ROOT / 'functions'}{os.pathsep}{ROOT / 'cli'}",
        "PATH": "/usr/bin:/bin",
        "POWERTOOLS_SERVICE_NAME": "newsfacet",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
    first_request = (
        "import time,sys,json;t=time.perf_counter();sys.path.insert(0,'functions/search');"
        "import app;i=(time.perf_counter()-t)*1000;"
        "from newsfacet_cli.local.apigw import http_api_event;"
        "from newsfacet_cli.local.invoke import LocalContext;"
        "r=app.handler(http_api_event('GET','/search?q=government',{},b''),"
        "LocalContext('SearchFunction',10));assert r['statusCode']==200,r;"
        "heavy=[m for m in ('spacy','trafilatura','aws_xray_sdk','boto3') if m in sys.modules];"
        "print(json.dumps([i,(time.perf_counter()-t)*1000,heavy]))"
    )
    boto3_ms, import_ms, first_ms = [], [], []
    heavy: list[str] = []
    for _ in range(COLD_REPEAT):
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                "import time;t=time.perf_counter();"
                "import boto3;print((time.perf_counter()-t)*1000)",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        boto3_ms.append(float(out.stdout.strip()))
        out = subprocess.run(
            [sys.executable, "-c", first_request], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if out.returncode != 0:
            raise RuntimeError(f"cold start run failed: {out.stderr[-3000:]}")
        imported, total, heavy = json.loads(out.stdout.strip().splitlines()[-1])
        import_ms.append(imported)
        first_ms.append(total)
    boto3_med, import_med = statistics.median(boto3_ms), statistics.median(import_ms)
    return {
        "import_boto3_ms": round(boto3_med, 1),
        "import_search_handler_ms": round(import_med, 1),
        "search_handler_vs_boto3": round(import_med / boto3_med, 2),
        "import_and_first_search_ms": round(statistics.median(first_ms), 1),
        "heavy_modules_loaded": heavy,
    }


def run(ctx: Any) -> dict[str, Any]:
    from newsfacet.config import IndexNames, Settings
    from newsfacet.index.client import build_client
    from newsfacet.index.setup import delete_indices, ensure_indices
    from newsfacet_cli.local.invoke import load_handler
    from newsfacet_cli.local.template import Template

    url = ctx.opensearch_url()
    # Direct queries use a client built like the function's (same compression, pool).
    client = build_client(
        Settings(
            opensearch_url=url,
            index_prefix=PREFIX,
            opensearch_timeout_s=60,
        )
    )
    alias = f"{PREFIX}-entries"
    delete_indices(client, IndexNames(PREFIX))
    ensure_indices(client, IndexNames(PREFIX))
    overrides = {
        "NEWSFACET_OPENSEARCH_URL": url,
        "NEWSFACET_OPENSEARCH_AUTH": "none",
        "NEWSFACET_INDEX_PREFIX": PREFIX,
        "NEWSFACET_CURSOR_SECRET": "bench-cursor-secret",
        "NEWSFACET_CURSOR_SECRET_ARN": "",
        # Refused points in time are logged as warnings, one per search: not figures.
        "POWERTOOLS_LOG_LEVEL": "ERROR",
    }
    handler, context = load_handler(Template(ROOT / "template.yaml"), "SearchFunction", overrides)
    recorder = Recorder()
    recorder.install()
    blocks = documents()
    loaded = 0
    results: dict[str, Any] = {}
    try:
        for tier in tiers():
            load_s = load(client, alias, blocks, tier - loaded)
            merge_s = settle(client, alias)
            results[str(tier)] = {
                "load_s": round(load_s, 1),
                "load_entries_per_s": round((tier - loaded) / load_s),
                "merges_settled_s": round(merge_s, 1),
                **measure_tier(handler, context, client, alias, recorder),
                "opensearch": node_figures(client, alias),
            }
            loaded = tier
            print(f"bench: search_latency tier {tier} done", file=sys.stderr, flush=True)
        figures = {
            "tiers": results,
            "p50_growth_largest_over_smallest": growth(results),
            "cold_start": cold_start(overrides),
        }
    finally:
        delete_indices(client, IndexNames(PREFIX))
    return figures
