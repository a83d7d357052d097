"""Entries per second through the whole ingest service: entities off, on, and cross-document.

Inputs are real: the five seed files and the 97 article texts in
``bench/data/articles.jsonl``, each as one uploaded text object in moto's S3
(the 82 articles with a URL carry it as ``x-amz-meta-url``, as an uploader
gives it, so their entries have an outlet). They go through the ingest service exactly as
the function builds it (``wiring``), in batches of ten objects (an SQS batch):
read, parse, entities, MinHash, the lookup round, the bulk write and the second
look, against the real OpenSearch, into fresh indices each time:

* ``baseline_entities_off``: no entity tagging (what NER costs);
* ``before_cross_document``: entities, without the curation table and the
  stored-full-names lookup (ingest as it was before them);
* ``with_entities``: the whole chain as deployed: the curation head in the
  batch's ``mget``, the table, and one search for full names per batch that
  has a lone surname left.

The last two alternate over ``ROUNDS`` rounds (machine load drifts); each
figure is its best round.
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
ROUNDS = 2

Obj = tuple[str, bytes, dict[str, str]]


def _objects() -> list[Obj]:
    objects: list[Obj] = [
        (f"seeds/{p.name}", p.read_bytes(), {})
        for p in sorted((ROOT / "samples" / "seeds").glob("*.txt"))
    ]
    for line in ARTICLES.read_text("utf-8").splitlines():
        row = json.loads(line)
        key = f"articles/{row['source']}.txt"
        metadata = {"url": row["url"]} if row.get("url") else {}  # 15 rows have no URL
        objects.append((key, row["text"].encode("utf-8"), metadata))
    return objects


def _run_once(
    url: str, entities: bool, objects: list[Obj], *, cross_document: bool = True, name: str = ""
) -> dict[str, Any]:
    import boto3
    from moto import mock_aws

    from newsfacet.config import IndexNames, Settings
    from newsfacet.curation.store import CurationCache, CurationIndex
    from newsfacet.index.client import build_client
    from newsfacet.index.entries import EntryIndex
    from newsfacet.index.learned import LearnedIndex
    from newsfacet.index.people import KnownPeople
    from newsfacet.index.setup import delete_indices, ensure_indices
    from newsfacet.ingest.entities import load_pipeline
    from newsfacet.ingest.service import IngestConfig, IngestService
    from newsfacet.models.document import ObjectRef
    from newsfacet.storage import S3ObjectStore
    from newsfacet.wiring import INGEST_CURATION_TTL_S

    names = IndexNames(f"{PREFIX}-{name or ('ner' if entities else 'plain')}")
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
        for key, data, metadata in objects:
            s3.put_object(Bucket=BUCKET, Key=key, Body=data, Metadata=metadata)
        # As newsfacet.wiring builds it; before_cross_document leaves out the new parts.
        curation = CurationCache(
            CurationIndex(client, names.curation), probe_s=INGEST_CURATION_TTL_S
        )
        service = IngestService(
            store=S3ObjectStore(s3),
            learned=LearnedIndex(
                client,
                lines_index=names.lines,
                aliases_index=names.aliases,
                curation=curation if cross_document else None,
            ),
            entries=EntryIndex(client, names),
            people=KnownPeople(client, names.entries) if cross_document else None,
            config=IngestConfig(max_object_bytes=settings.max_object_bytes, tag_entities=entities),
        )
        refs = [ObjectRef(bucket=BUCKET, key=key) for key, _, _ in objects]
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
    before: list[dict[str, Any]] = []
    whole: list[dict[str, Any]] = []
    for _ in range(ROUNDS):
        before.append(_run_once(url, True, objects, cross_document=False, name="before"))
        whole.append(_run_once(url, True, objects, name="ner"))
    best_before = max(before, key=lambda r: r["entries_per_s"])
    with_entities = max(whole, key=lambda r: r["entries_per_s"])
    return {
        "with_entities": with_entities,
        "before_cross_document": best_before,
        "with_over_before": round(with_entities["entries_per_s"] / best_before["entries_per_s"], 3),
        "rounds_entries_per_s": {
            "before_cross_document": [r["entries_per_s"] for r in before],
            "with_entities": [r["entries_per_s"] for r in whole],
        },
        "baseline_entities_off": plain,
        "ner_share_of_time": round(1 - plain["seconds"] / with_entities["seconds"], 2),
    }
