"""Dedup against a real OpenSearch: exact copies merge, near-copies cluster, stories don't."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from newsfacet.ingest.service import IngestService
from newsfacet.models.document import ObjectRef
from tests.conftest import ROOT, seed_paths

pytestmark = pytest.mark.integration

POSTS = json.loads((ROOT / "tests" / "data" / "liveblog-posts.json").read_text("utf-8"))
SEED_000 = "000_6816b149e7280501.txt"
SEED_001 = "001_2e1da8ca0f3204d9.txt"


@pytest.fixture
def service(settings: Any, os_client: Any, moto_aws: dict[str, Any]) -> IngestService:
    """The ingest service exactly as the function builds it."""
    from newsfacet.wiring import ingest_service

    return ingest_service(settings)


def _upload(moto_aws: dict[str, Any], path: Path, key: str | None = None) -> ObjectRef:
    key = key or f"seeds/{path.name}"
    return _put(moto_aws, key, path.read_bytes())


def _put(moto_aws: dict[str, Any], key: str, body: bytes) -> ObjectRef:
    moto_aws["s3"].put_object(Bucket=moto_aws["bucket"], Key=key, Body=body)
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


def _posts_object(name: str) -> bytes:
    """A snapshot's hand-split posts as a JSON array: dedup tested apart from the splitter."""
    return json.dumps([{"title": p["title"], "text": p["text"]} for p in POSTS[name]]).encode()


def test_ingesting_every_seed_twice_changes_nothing(
    service: IngestService, moto_aws: dict[str, Any], os_client: Any, settings: Any
) -> None:
    refs = [_upload(moto_aws, path) for path in seed_paths()]
    assert {r.status for r in service.ingest(refs)} == {"indexed"}
    first = _state(os_client, settings.index_names.entries)
    assert len(first) >= len(refs)

    reports = service.ingest(refs)

    assert _state(os_client, settings.index_names.entries) == first
    assert sum(r.created for r in reports) == 0
    assert {r.status for r in reports} == {"indexed"}


def test_rewrites_and_translations_of_one_story_stay_separate(
    service: IngestService, moto_aws: dict[str, Any], os_client: Any, settings: Any
) -> None:
    paths = [p for p in seed_paths() if p.name[:3] in {"002", "003", "004"}]
    service.ingest([_upload(moto_aws, path) for path in paths])

    stored = _stored(os_client, settings.index_names.entries)
    clusters_by_file: dict[str, set[str]] = {}
    for entry in stored.values():
        (name,) = _source_keys(entry)  # no entry is shared between two of these files
        clusters_by_file.setdefault(name, set()).add(entry["cluster"])
    assert set(clusters_by_file) == {p.name for p in paths}
    all_clusters = [c for clusters in clusters_by_file.values() for c in clusters]
    assert len(all_clusters) == len(set(all_clusters)), "two seeds ended in one cluster"


@pytest.mark.parametrize("batches", [[[SEED_000, SEED_001]], [[SEED_000], [SEED_001]]])
def test_shared_live_blog_posts_are_stored_once_with_both_files_as_sources(
    batches: list[list[str]],
    service: IngestService,
    moto_aws: dict[str, Any],
    os_client: Any,
    settings: Any,
) -> None:
    """The same whether both snapshots arrive in one batch or one after the other."""
    for batch in batches:
        refs = [_put(moto_aws, f"seeds/{name}", _posts_object(name)) for name in batch]
        assert {r.status for r in service.ingest(refs)} == {"indexed"}

    stored = _stored(os_client, settings.index_names.entries)
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


def worker(settings: Any, s3: Any) -> IngestService:
    """An ingest service with a client of its own, as a second Lambda container has."""
    from newsfacet.index.client import build_client
    from newsfacet.index.entries import EntryIndex
    from newsfacet.index.learned import LearnedIndex
    from newsfacet.ingest.reports import IngestConfig
    from newsfacet.storage import S3ObjectStore

    client, names = build_client(settings), settings.index_names
    return IngestService(
        store=S3ObjectStore(s3),
        learned=LearnedIndex(client, lines_index=names.lines, aliases_index=names.aliases),
        entries=EntryIndex(client, names),
        config=IngestConfig(max_object_bytes=settings.max_object_bytes, tag_entities=False),
    )


def test_near_duplicates_ingested_at_once_by_two_workers_end_in_one_cluster(
    settings: Any, os_client: Any, moto_aws: dict[str, Any]
) -> None:
    workers = [worker(settings, moto_aws["s3"]), worker(settings, moto_aws["s3"])]
    pairs = _near_duplicate_pairs()
    assert len(pairs) >= 4

    def run(service: IngestService, text: str, key: str, start: threading.Barrier) -> None:
        ref = _put(moto_aws, key, json.dumps({"text": text}).encode())
        start.wait(timeout=30)
        (report,) = service.ingest([ref])
        assert report.status == "indexed", report.retry

    with ThreadPoolExecutor(max_workers=2) as pool:
        for round_number, (original, copy) in enumerate(pairs):
            start = threading.Barrier(2)
            futures = [
                pool.submit(run, workers[i], text, f"r{round_number}/{i}", start)
                for i, text in enumerate((original, copy))
            ]
            for future in futures:
                future.result(timeout=60)  # re-raises a worker's error here

    stored = _stored(os_client, settings.index_names.entries)
    assert len(stored) == 2 * len(pairs)
    clusters: dict[str, set[str]] = {}
    for entry in stored.values():
        round_key = entry["sources"][0]["key"].split("/", 1)[0]  # "r3/0" -> "r3"
        clusters.setdefault(round_key, set()).add(entry["cluster"])
    assert all(len(c) == 1 for c in clusters.values()), clusters
    assert len({next(iter(c)) for c in clusters.values()}) == len(pairs)
    # Each member carries its story's size and copies (what search shows as "also
    # reported by"), whichever worker wrote first.
    by_round: dict[str, set[str]] = {}
    for entry_id, entry in stored.items():
        by_round.setdefault(entry["sources"][0]["key"].split("/", 1)[0], set()).add(entry_id)
    for ids in by_round.values():
        for entry_id in ids:
            assert stored[entry_id]["cluster_size"] == 2
            assert {c["id"] for c in stored[entry_id]["cluster_copies"]} == ids
            assert set(stored[entry_id]["cluster_members"]) == ids


def test_copies_joining_a_story_at_once_leave_every_member_with_the_whole_story(
    settings: Any, os_client: Any, moto_aws: dict[str, Any]
) -> None:
    """Three workers add copies of one stored story at the same moment."""
    original, _ = _near_duplicate_pairs()[0]
    first = worker(settings, moto_aws["s3"])
    (report,) = first.ingest(
        [_put(moto_aws, "story/original", json.dumps({"text": original}).encode())]
    )
    assert report.status == "indexed"
    sentences = original.split(". ")
    copies = [
        ". ".join(s for i, s in enumerate(sentences) if i != drop) + f" (copy {drop})"
        for drop in (1, 2, 3)
    ]
    workers = [worker(settings, moto_aws["s3"]) for _ in copies]
    refs = [
        _put(moto_aws, f"story/copy-{i}", json.dumps({"text": text}).encode())
        for i, text in enumerate(copies)
    ]
    start = threading.Barrier(len(workers))

    def run(service: IngestService, ref: ObjectRef) -> str:
        start.wait(timeout=30)
        (done,) = service.ingest([ref])
        return done.status

    with ThreadPoolExecutor(max_workers=len(workers)) as pool:
        statuses = list(pool.map(run, workers, refs))
    assert statuses == ["indexed"] * len(workers)

    stored = _stored(os_client, settings.index_names.entries)
    assert len(stored) == 4
    assert len({e["cluster"] for e in stored.values()}) == 1
    for entry in stored.values():
        assert entry["cluster_size"] == 4
        assert {c["id"] for c in entry["cluster_copies"]} == set(stored)


def test_both_live_blog_snapshots_through_the_whole_ingest_path(
    service: IngestService, moto_aws: dict[str, Any], os_client: Any, settings: Any
) -> None:
    paths = [p for p in seed_paths() if p.name in {SEED_000, SEED_001}]
    for path in paths:
        service.ingest([_upload(moto_aws, path)])

    stored = _stored(os_client, settings.index_names.entries)
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


def test_setup_gives_entries_stored_before_cluster_summaries_their_fields(
    service: IngestService, moto_aws: dict[str, Any], os_client: Any, settings: Any
) -> None:
    """An index written before mapping revision 3: setup fills the fields once."""
    from newsfacet.index.setup import ensure_indices
    from newsfacet.ingest.clusters import cluster_hash

    paths = [p for p in seed_paths() if p.name in {SEED_000, SEED_001}]
    service.ingest([_upload(moto_aws, path) for path in paths])
    alias = settings.index_names.entries
    written = _stored(os_client, alias)
    # Strip the new fields, as entries stored by the previous revision lack them.
    for entry_id in written:
        os_client.update(
            index=alias,
            id=entry_id,
            body={
                "script": {
                    "source": "for (f in params.f) { ctx._source.remove(f) }",
                    "params": {
                        "f": ["cluster_hash", "cluster_size", "cluster_copies", "cluster_members"]
                    },
                }
            },
        )
    legacy = _stored(os_client, alias)
    assert not any("cluster_hash" in e or "cluster_size" in e for e in legacy.values())

    done = ensure_indices(os_client, settings.index_names)

    assert any("cluster fields filled" in line for line in done)
    after = _stored(os_client, alias)
    for entry_id, entry in written.items():
        diff = {k for k in {*entry, *after[entry_id]} if entry.get(k) != after[entry_id].get(k)}
        assert not diff, (entry_id, {k: (entry.get(k), after[entry_id].get(k)) for k in diff})
    assert not any(
        "cluster fields" in line for line in ensure_indices(os_client, settings.index_names)
    )
    assert all(e["cluster_hash"] == cluster_hash(e["cluster"]) for e in written.values())
    assert any(e.get("cluster_size") == 2 for e in written.values())  # the live-blog intros
