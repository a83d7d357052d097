"""Entries per second through the whole ingest path, with entities on and off.

Inputs are real: the five seed files and the 97 article texts in
``bench/data/articles.jsonl``, each as one uploaded text object. For every
object the bench runs what the ingest function runs after reading it from S3:
parse (format, extraction, boilerplate, live-blog split), entities, MinHash
and the cluster decision, bulk index, refresh and the post-write cluster
check, against the real OpenSearch. The same objects go through twice, into
fresh indices: once with entities (spaCy NER + aliases + the alias table) and
once without, which is the baseline that shows what NER costs.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT / "bench" / "data" / "articles.jsonl"
PREFIX = "bench-ingest"


def _objects() -> list[tuple[str, bytes]]:
    objects = [
        (f"seeds/{p.name}", p.read_bytes())
        for p in sorted((ROOT / "samples" / "seeds").glob("*.txt"))
    ]
    for line in ARTICLES.read_text("utf-8").splitlines():
        row = json.loads(line)
        objects.append((f"articles/{row['source']}.txt", row["text"].encode("utf-8")))
    return objects


def _run_once(url: str, entities: bool, objects: list[tuple[str, bytes]]) -> dict[str, Any]:
    from newsfacet.config import Settings
    from newsfacet.index.aliases import IndexAliasTable, alias_index_name
    from newsfacet.index.client import build_client
    from newsfacet.index.dedup import ClusterIndex
    from newsfacet.index.setup import delete_indices, ensure_indices
    from newsfacet.index.writer import EntryIndexWriter, FailureIndexLog
    from newsfacet.ingest.entities import SpacyEntityTagger, load_pipeline
    from newsfacet.ingest.pipeline import IngestDeps, index_documents, parse_object
    from newsfacet.models.document import ObjectRef

    prefix = f"{PREFIX}-{'ner' if entities else 'plain'}"
    settings = Settings(
        opensearch_url=url,
        index_prefix=prefix,  # type: ignore[arg-type]
        opensearch_timeout_s=30,
    )
    client = build_client(settings)
    delete_indices(client, prefix)
    ensure_indices(client, prefix)
    if entities:
        load_pipeline()  # the container's one-time cost, kept out of the rate
    deps = IngestDeps(
        store=None,  # type: ignore[arg-type]  # objects are handed over already read
        writer=EntryIndexWriter(client, settings.entries_alias),
        failures=FailureIndexLog(client, settings.failures_index),
        max_object_bytes=settings.max_object_bytes,
        entities=(
            SpacyEntityTagger(IndexAliasTable(client, alias_index_name(prefix)))
            if entities
            else None
        ),
        clusters=ClusterIndex(client, settings.entries_alias),
    )
    entries = 0
    try:
        started = time.perf_counter()
        for key, data in objects:
            ref = ObjectRef(bucket="bench", key=key, etag="1")
            parsed = parse_object(data, ref, limit=settings.max_object_bytes)
            written, _ = index_documents(parsed.documents, ref, deps, now=datetime.now(UTC))
            entries += len(written)
        elapsed = time.perf_counter() - started
    finally:
        delete_indices(client, prefix)
    return {
        "objects": len(objects),
        "entries": entries,
        "seconds": round(elapsed, 2),
        "entries_per_s": round(entries / elapsed, 1),
        "ms_per_object": round(elapsed / len(objects) * 1000, 1),
    }


def run(ctx: Any) -> dict[str, Any]:
    url = ctx.opensearch_url()
    objects = _objects()
    _run_once(url, False, objects[:5])  # warm up imports and connections
    plain = _run_once(url, False, objects)
    with_entities = _run_once(url, True, objects)
    return {
        "with_entities": with_entities,
        "baseline_entities_off": plain,
        "ner_share_of_time": round(1 - plain["seconds"] / with_entities["seconds"], 2),
    }
