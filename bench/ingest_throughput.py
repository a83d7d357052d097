"""Entries per second through the whole ingest service, with entities on and off.

Inputs are real: the five seed files and the 97 article texts in
``bench/data/articles.jsonl``, each as one uploaded text object in moto's S3.
They go through the ingest service exactly as the function builds it, in
batches of ten objects (an SQS batch): read, parse, entities, MinHash, the
lookup round, the bulk write and the second look, against the real
OpenSearch. The same objects go through twice, into fresh indices: once with
entities (spaCy NER, aliases, the alias table) and once without, the baseline
that shows what NER costs.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT / "bench" / "data" / "articles.jsonl"
PREFIX = "bench-ingest"
BUCKET = "bench-ingest-articles"
BATCH = 10


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
    import boto3
    from moto import mock_aws

    from newsfacet.config import IndexNames, Settings
    from newsfacet.index.client import build_client
    from newsfacet.index.entries import EntryIndex
    from newsfacet.index.learned import LearnedIndex
    from newsfacet.index.setup import delete_indices, ensure_indices
    from newsfacet.ingest.entities import load_pipeline
    from newsfacet.ingest.service import IngestConfig, IngestService
    from newsfacet.models.document import ObjectRef
    from newsfacet.storage import S3ObjectStore

    names = IndexNames(f"{PREFIX}-{'ner' if entities else 'plain'}")
    settings = Settings(opensearch_url=url, index_prefix=names.prefix, opensearch_timeout_s=30)  # type: ignore[arg-type]
    client = build_client(settings)
    delete_indices(client, names)
    ensure_indices(client, names)
    if entities:
        load_pipeline()  # the container's one-time cost, kept out of the rate
    entries = 0
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        for key, data in objects:
            s3.put_object(Bucket=BUCKET, Key=key, Body=data)
        service = IngestService(
            store=S3ObjectStore(s3),
            learned=LearnedIndex(client, lines_index=names.lines, aliases_index=names.aliases),
            entries=EntryIndex(client, names),
            config=IngestConfig(max_object_bytes=settings.max_object_bytes, tag_entities=entities),
        )
        refs = [ObjectRef(bucket=BUCKET, key=key) for key, _ in objects]
        try:
            started = time.perf_counter()
            for start in range(0, len(refs), BATCH):
                reports = service.ingest(refs[start : start + BATCH])
                entries += sum(r.entries for r in reports)
            elapsed = time.perf_counter() - started
        finally:
            delete_indices(client, names)
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
