"""Search latency through the handler vs. straight to OpenSearch, and cold start.

Loads 100,000 entries (``NEWSFACET_BENCH_ENTRIES`` to change) built from real
article text (bench/data/articles.jsonl.gz: 98 English news articles, their
outlets and spaCy entities), with dates over three and a half years and one
entry in ten a near-duplicate copy of an earlier one under another outlet.

Figures, all measured in this run:

* p50/p99 of typical faceted searches through SearchFunction's handler (API
  Gateway events, in process) and of the page query alone sent straight to
  OpenSearch with the same client; their ratio is the handler's overhead
  (validation, entity resolution, the "also reported by" lookup, mapping).
* Cold start: import time of the search handler module against ``import boto3``
  alone, and import plus the first /search request, each in fresh interpreters.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data" / "articles.jsonl.gz"
PREFIX = "bench-search"
ROUNDS = 20
WARMUP = 3
COLD_REPEAT = 5


def _articles() -> list[dict[str, Any]]:
    with gzip.open(DATA, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def _documents(count: int) -> Any:
    """Stored entry documents, deterministic for a given count."""
    from newsfacet.index.entries import entry_document
    from newsfacet.models.entry import Entity, Entry

    rng = random.Random(7)
    articles = _articles()
    weights = [1 / (rank + 1) for rank in range(len(articles))]  # a few big outlets
    outlets = [a["outlet"] for a in articles]
    start = datetime(2021, 1, 1, tzinfo=UTC)
    now = datetime.now(UTC)
    made: list[tuple[str, str, str, datetime]] = []  # id, cluster, body, published
    for number in range(count):
        entry_id = hashlib.sha256(f"bench-{number}".encode()).hexdigest()[:32]
        if made and rng.random() < 0.1:
            _, cluster, body, published = rng.choice(made[-5000:])
            body += " (Syndicated copy.)"
            published += timedelta(hours=rng.randint(1, 48))
            article = rng.choices(articles, weights)[0]
            window_entities: set[tuple[str, str]] = set()
        else:
            article = rng.choices(articles, weights)[0]
            paragraphs = article["paragraphs"]
            first = rng.randrange(len(paragraphs))
            window = range(first, min(first + rng.randint(2, 6), len(paragraphs)))
            body = "\n".join(paragraphs[i] for i in window)
            window_entities = {tuple(e) for i in window for e in article["entities"][i]}  # type: ignore[misc]
            published = start + timedelta(seconds=rng.randrange(int(3.5 * 365 * 86400)))
            cluster = entry_id
        made.append((entry_id, cluster, body, published))
        entry = Entry(
            id=entry_id,
            title=" ".join(body.split()[:12]),
            body=body,
            published=published,
            outlet=article["outlet"],
            outlet_name=article["outlet"],
            url=article["url"],
            language="en",
            entities=[
                Entity(start=0, end=0, text=name, type=kind, canonical=name)  # type: ignore[arg-type]
                for kind, name in sorted(window_entities)
            ],
            cited_outlets=rng.sample(outlets, rng.choice([0, 0, 1, 2])),
            fingerprint=entry_id,
            cluster=cluster,
            sources=[],
        )
        yield entry_document(entry, now=now)


def _load(client: Any, alias: str, count: int) -> float:
    from opensearchpy.helpers import streaming_bulk

    started = time.perf_counter()
    client.indices.put_settings(index=alias, body={"index": {"refresh_interval": "-1"}})
    actions = ({"_index": alias, "_id": d["id"], "_source": d} for d in _documents(count))
    for ok, item in streaming_bulk(
        client, actions, chunk_size=1000, max_retries=3, raise_on_error=True, request_timeout=120
    ):
        if not ok:
            raise RuntimeError(item)
    client.indices.put_settings(index=alias, body={"index": {"refresh_interval": "1s"}})
    client.indices.refresh(index=alias, request_timeout=300)
    client.indices.forcemerge(index=alias, max_num_segments=1, request_timeout=600)
    return time.perf_counter() - started


def _top(client: Any, alias: str, field: str, n: int) -> list[str]:
    raw = client.search(
        index=alias, body={"size": 0, "aggs": {"t": {"terms": {"field": field, "size": n}}}}
    )
    return [b["key"] for b in raw["aggregations"]["t"]["buckets"]]


Params = list[tuple[str, str]]


def _queries(client: Any, alias: str) -> list[tuple[Params, Params]]:
    """Typical faceted searches: (what the handler gets, the same with canonical entity keys)."""
    outlets = _top(client, alias, "outlet", 3)
    person = _top(client, alias, "entities_person", 1)[0]
    place = _top(client, alias, "entities_loc", 2)[1]
    by_name = [("q", "market | economy"), ("sort", "newest"), ("interval", "month")]
    plain: list[Params] = [
        [("q", "government")],
        [("q", "police"), ("outlet", outlets[0]), ("outlet", outlets[2])],
        [("entity", f"PERSON:{person}"), ("from", "2022-01-01"), ("to", "2022-12-31")],
        [("sort", "newest"), ("lang", "en")],
    ]
    # The last one names a place; the handler resolves it (one more request).
    return [(p, p) for p in plain] + [
        ([*by_name, ("entity", place)], [*by_name, ("entity", f"LOC:{place}")])
    ]


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered), 1),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 1),
    }


def _direct_body(params: Params) -> dict[str, Any]:
    """The page query the service sends first, built by the same code."""
    from newsfacet.models.api import SearchQuery
    from newsfacet.search.facets import build_aggregations
    from newsfacet.search.params import build_params
    from newsfacet.search.query import build_page_query

    raw: dict[str, Any] = {"entity": [], "outlet": [], "lang": []}
    for key, value in params:
        if key in raw:
            raw[key].append(value)
        else:
            raw[key] = value
    built = build_params(SearchQuery.model_validate(raw))
    # Names resolve in the handler; the direct query gets the canonical key.
    return build_page_query(
        built, fetch_size=21, search_after=None, aggregations=build_aggregations(built)
    )


def _cold_start(overrides: dict[str, str]) -> dict[str, float]:
    env = {
        **overrides,
        "PYTHONPATH": f"{ROOT / 'functions'}",
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
        "heavy_modules_loaded": heavy,  # type: ignore[dict-item]
    }


def run(ctx: Any) -> dict[str, Any]:
    from newsfacet.config import IndexNames, Settings
    from newsfacet.index.client import build_client
    from newsfacet.index.setup import delete_indices, ensure_indices
    from newsfacet_cli.local.apigw import http_api_event
    from newsfacet_cli.local.invoke import load_handler
    from newsfacet_cli.local.template import Template

    count = int(os.environ.get("NEWSFACET_BENCH_ENTRIES", "100000"))
    url = ctx.opensearch_url()
    # Straight queries use a client built like the function's (same compression, pool).
    client = build_client(
        Settings(
            opensearch_url=url,
            index_prefix=PREFIX,  # type: ignore[arg-type]
            opensearch_timeout_s=60,
        )
    )
    alias = f"{PREFIX}-entries"
    delete_indices(client, IndexNames(PREFIX))
    ensure_indices(client, IndexNames(PREFIX))
    load_s = _load(client, alias, count)
    overrides = {
        "NEWSFACET_OPENSEARCH_URL": url,
        "NEWSFACET_OPENSEARCH_AUTH": "none",
        "NEWSFACET_INDEX_PREFIX": PREFIX,
        "NEWSFACET_CURSOR_SECRET": "bench-cursor-secret",
        "NEWSFACET_CURSOR_SECRET_ARN": "",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
    handler, context = load_handler(Template(ROOT / "template.yaml"), "SearchFunction", overrides)
    queries = _queries(client, alias)
    through, direct = [], []
    per_query = []
    for params, canonical in queries:
        event = http_api_event("GET", "/search?" + urlencode(params), {}, b"")
        body = _direct_body(canonical)
        mine, theirs = [], []
        for round_no in range(WARMUP + ROUNDS):
            started = time.perf_counter()
            reply = handler(event, context)
            took = (time.perf_counter() - started) * 1000
            assert reply["statusCode"] == 200, reply["body"][:500]
            started = time.perf_counter()
            client.search(index=alias, body=body)
            took_direct = (time.perf_counter() - started) * 1000
            if round_no >= WARMUP:
                mine.append(took)
                theirs.append(took_direct)
        through += mine
        direct += theirs
        per_query.append(
            {
                "query": urlencode(params),
                "handler_p50_ms": round(statistics.median(mine), 1),
                "direct_p50_ms": round(statistics.median(theirs), 1),
            }
        )
    handler_stats, direct_stats = _percentiles(through), _percentiles(direct)
    figures = {
        "entries": count,
        "load_s": round(load_s, 1),
        "handler": handler_stats,
        "direct_opensearch": direct_stats,
        "handler_overhead_p50_ratio": round(handler_stats["p50_ms"] / direct_stats["p50_ms"], 2),
        "handler_overhead_p99_ratio": round(handler_stats["p99_ms"] / direct_stats["p99_ms"], 2),
        "per_query": per_query,
        "cold_start": _cold_start(overrides),
    }
    delete_indices(client, IndexNames(PREFIX))
    return figures
