"""Dedup against a real OpenSearch: exact copies merge, near-copies cluster, stories don't."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from newsfacet.ingest.pipeline import IngestDeps, index_documents, ingest_object
from newsfacet.models.document import EntryDraft, ObjectRef, ParsedDocument
from tests.conftest import ROOT, seed_paths

pytestmark = pytest.mark.integration

POSTS = json.loads((ROOT / "tests" / "data" / "liveblog-posts.json").read_text("utf-8"))
SEED_000 = "000_6816b149e7280501.txt"
SEED_001 = "001_2e1da8ca0f3204d9.txt"
NOW = datetime(2023, 5, 24, 12, 0, tzinfo=UTC)


@pytest.fixture
def deps(settings: Any, os_client: Any, moto_aws: dict[str, Any]) -> IngestDeps:
    from newsfacet.wiring import ingest_deps

    return ingest_deps(settings)


def _upload(moto_aws: dict[str, Any], path: Path, key: str | None = None) -> ObjectRef:
    key = key or f"seeds/{path.name}"
    moto_aws["s3"].put_object(Bucket=moto_aws["bucket"], Key=key, Body=path.read_bytes())
    return ObjectRef(bucket=moto_aws["bucket"], key=key)


def _stored(client: Any, alias: str) -> dict[str, dict[str, Any]]:
    client.indices.refresh(index=alias)
    hits = client.search(index=alias, body={"size": 1000, "query": {"match_all": {}}})
    return {hit["_id"]: hit["_source"] for hit in hits["hits"]["hits"]}


def _source_keys(entry: dict[str, Any]) -> set[str]:
    return {source["key"].rsplit("/", 1)[-1] for source in entry["sources"]}


def _state(client: Any, alias: str) -> dict[str, tuple[Any, ...]]:
    """What a second ingest must not change: cluster, sources and entities of every entry."""
    return {
        entry_id: (
            entry["cluster"],
            sorted((s["key"], s["etag"], s["version_id"]) for s in entry["sources"]),
            entry["entities"],
            entry["lsh_bands"],
        )
        for entry_id, entry in _stored(client, alias).items()
    }


def _posts_document(name: str) -> ParsedDocument:
    return ParsedDocument(
        format="text",
        title=f"live blog {name}",
        entries=[EntryDraft(title=p["title"], text=p["text"]) for p in POSTS[name]],
    )


def test_ingesting_every_seed_twice_changes_nothing(
    deps: IngestDeps, moto_aws: dict[str, Any], os_client: Any, settings: Any
) -> None:
    refs = [_upload(moto_aws, path) for path in seed_paths()]
    for ref in refs:
        ingest_object(ref, deps)
    first = _state(os_client, settings.entries_alias)
    assert len(first) >= len(refs)

    reports = [ingest_object(ref, deps) for ref in refs]

    assert _state(os_client, settings.entries_alias) == first
    assert sum(r.created for r in reports) == 0


def test_rewrites_and_translations_of_one_story_stay_separate(
    deps: IngestDeps, moto_aws: dict[str, Any], os_client: Any, settings: Any
) -> None:
    paths = [p for p in seed_paths() if p.name[:3] in {"002", "003", "004"}]
    for path in paths:
        ingest_object(_upload(moto_aws, path), deps)

    stored = _stored(os_client, settings.entries_alias)
    clusters_by_file: dict[str, set[str]] = {}
    for entry in stored.values():
        (name,) = _source_keys(entry)  # no entry is shared between two of these files
        clusters_by_file.setdefault(name, set()).add(entry["cluster"])
    assert set(clusters_by_file) == {p.name for p in paths}
    all_clusters = [c for clusters in clusters_by_file.values() for c in clusters]
    assert len(all_clusters) == len(set(all_clusters)), "two seeds ended in one cluster"


def test_shared_live_blog_posts_are_stored_once_with_both_files_as_sources(
    deps: IngestDeps, os_client: Any, settings: Any
) -> None:
    for name in (SEED_000, SEED_001):
        ref = ObjectRef(bucket="newsfacet-articles", key=f"seeds/{name}", etag=name[:3])
        index_documents([_posts_document(name)], ref, deps, now=NOW)

    stored = _stored(os_client, settings.entries_alias)
    by_title: dict[str | None, list[dict[str, Any]]] = {}
    for entry in stored.values():
        by_title.setdefault(entry["title"], []).append(entry)
    shared = [
        "Anti-Russia fighters using US-made armoured vehicles for incursion into Russia - Report",
        "Russia ‘forcefully mobilising’ AWOL soldiers in Ukraine, British intelligence says",
        "Russian PM says relations with China at ‘unprecedented’ high level",
        "Kyiv denies EU’s Josep Borrell’s claim that Ukrainian pilots training on F-16 jets",
    ]
    for title in shared:
        (entry,) = by_title[title]
        assert _source_keys(entry) == {SEED_000, SEED_001}
        assert entry["source_count"] == 2
    unique_posts = len(POSTS[SEED_000]) + len(POSTS[SEED_001]) - len(shared)
    assert len(stored) == unique_posts

    # The opening post differs by one word ("Meanwhile,") between the snapshots:
    # two entries, one cluster, so search shows it once.
    intros = [e for e in stored.values() if e["body"].startswith("Pro-Ukraine fighters")]
    assert len(intros) == 2
    assert len({e["cluster"] for e in intros}) == 1
    assert len({e["cluster"] for e in stored.values()}) == unique_posts - 1


def _near_duplicate_pairs() -> list[tuple[str, str]]:
    """Distinct stories, each with a lightly edited copy (a sentence dropped, a word changed)."""
    texts = [p["text"] for p in POSTS[SEED_001] if len(p["text"].split()) > 60]
    pairs = []
    for text in texts:
        sentences = text.split(". ")
        edited = (
            ". ".join(sentences[:-1]).replace(" the ", " a ", 1) if len(sentences) > 2 else text
        )
        pairs.append((text, edited + " (updated)"))
    return pairs


def test_near_duplicates_ingested_at_once_by_two_workers_end_in_one_cluster(
    settings: Any, os_client: Any, moto_aws: dict[str, Any]
) -> None:
    from newsfacet.index.client import build_client
    from newsfacet.index.dedup import ClusterIndex
    from newsfacet.index.writer import EntryIndexWriter, FailureIndexLog
    from newsfacet.storage import S3ObjectStore

    def worker_deps() -> IngestDeps:
        # Each worker has its own client, as two Lambda containers would.
        client = build_client(settings)
        return IngestDeps(
            store=S3ObjectStore(moto_aws["s3"]),
            writer=EntryIndexWriter(client, settings.entries_alias),
            failures=FailureIndexLog(client, settings.failures_index),
            max_object_bytes=settings.max_object_bytes,
            clusters=ClusterIndex(client, settings.entries_alias),
        )

    workers = [worker_deps(), worker_deps()]
    pairs = _near_duplicate_pairs()
    assert len(pairs) >= 4

    def run(deps: IngestDeps, text: str, key: str, start: threading.Barrier) -> None:
        document = ParsedDocument(format="text", entries=[EntryDraft(text=text)])
        ref = ObjectRef(bucket="newsfacet-articles", key=key)
        start.wait(timeout=30)
        index_documents([document], ref, deps, now=NOW)

    with ThreadPoolExecutor(max_workers=2) as pool:
        for round_number, (original, copy) in enumerate(pairs):
            start = threading.Barrier(2)
            futures = [
                pool.submit(run, workers[i], text, f"r{round_number}/{i}", start)
                for i, text in enumerate((original, copy))
            ]
            for future in futures:
                future.result(timeout=60)  # re-raises a worker's error here

    stored = _stored(os_client, settings.entries_alias)
    assert len(stored) == 2 * len(pairs)
    clusters: dict[str, set[str]] = {}
    for entry in stored.values():
        round_key = entry["sources"][0]["key"].split("/", 1)[0]  # "r3/0" -> "r3"
        clusters.setdefault(round_key, set()).add(entry["cluster"])
    assert all(len(c) == 1 for c in clusters.values()), clusters
    assert len({next(iter(c)) for c in clusters.values()}) == len(pairs)


def test_both_live_blog_snapshots_through_the_whole_ingest_path(
    deps: IngestDeps, moto_aws: dict[str, Any], os_client: Any, settings: Any
) -> None:
    paths = [p for p in seed_paths() if p.name in {SEED_000, SEED_001}]
    for path in paths:
        ingest_object(_upload(moto_aws, path), deps)

    stored = _stored(os_client, settings.entries_alias)
    shared = [e for e in stored.values() if _source_keys(e) == {SEED_000, SEED_001}]
    titles = {e["title"] for e in shared}
    assert "Russian PM says relations with China at ‘unprecedented’ high level" in titles
    assert (
        "Kyiv denies EU’s Josep Borrell’s claim that Ukrainian pilots training on F-16 jets"
        in titles
    )
    assert len(shared) >= 4
    # The opening post, which differs by "Meanwhile,", is two entries of one cluster.
    intros = [e for e in stored.values() if "Pro-Ukraine fighters are believed" in e["body"]]
    assert {frozenset(_source_keys(e)) for e in intros} == {
        frozenset({SEED_000}),
        frozenset({SEED_001}),
    }
    assert len({e["cluster"] for e in intros}) == 1
