"""Ingest end to end against a compute-only run of the same stages on the same documents.

Two sets of real documents, each uploaded as one object per document:

* ``plain``: the five seed files and the 97 article texts of
  ``bench/data/articles.jsonl`` (plain text, as the seeds arrive; the 82
  with a URL carry it as ``x-amz-meta-url``, as an uploader gives it);
* ``html``: the 100 saved English news pages of ``bench/data/extraction-dev``
  (whole HTML pages, their URL as ``x-amz-meta-url``).

**End to end** is the ingest service exactly as the function builds it, in
batches of ten objects (an SQS batch), over S3 (``moto_server`` in a process
of its own on 127.0.0.1, as the local stack runs it: S3 work happens outside
the function's process, as on AWS) and the real OpenSearch (fresh indices):
read, parse, template lines, entities, MinHash, the lookup round, the bulk
write and, when needed, the second look. OpenSearch requests and S3 calls are
counted as they are sent, so the figures include round trips per batch.

**Compute only** runs the very same pure stages (``ingest/pipeline.py``:
``open_object``, ``prepare_unit``, ``sign_unit``, ``tag_unit`` with the
curation table, ``resolve_unit_surnames``, then ``minhash.plan_clusters`` and
``clusters.plan_summaries``) on the same bytes, in the same batches, with what
a batch would have looked up (template-line counts, entries stored by earlier
batches, near-duplicate candidates and their cluster summaries, full names of
people by outlet) kept in memory: no S3, no OpenSearch, no network. Its rate
is the ceiling the end-to-end rate is measured against.

Both run with entities on (spaCy loaded beforehand: the container's one-time
cost is not in either rate), batch by batch in turn (which of the two goes
first alternates), so both meet the same load on a shared machine. The figure
is the ratio of their total times; the pair runs ``NEWSFACET_BENCH_INGEST_REPEAT``
times (default 3) and the median ratio is reported with every run's.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT / "bench" / "data" / "articles.jsonl"
PAGES = ROOT / "bench" / "data" / "extraction-dev"
PREFIX = "bench-ingest"
BUCKET = "bench-ingest-articles"
BATCH = 10
MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Upload:
    key: str
    data: bytes
    metadata: dict[str, str] = field(default_factory=dict)


def plain_objects() -> list[Upload]:
    objects = [
        Upload(f"seeds/{p.name}", p.read_bytes())
        for p in sorted((ROOT / "samples" / "seeds").glob("*.txt"))
    ]
    for line in ARTICLES.read_text("utf-8").splitlines():
        row = json.loads(line)
        meta = {"url": row["url"]} if row.get("url") else {}  # 15 rows have no URL
        objects.append(Upload(f"articles/{row['source']}.txt", row["text"].encode("utf-8"), meta))
    return objects


def html_objects() -> list[Upload]:
    objects = []
    for line in (PAGES / "cases.jsonl").read_text("utf-8").splitlines():
        case = json.loads(line)
        path = PAGES / case["file"]
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        meta = {"url": case["url"]} if case.get("url") else {}
        objects.append(Upload(f"pages/{path.name}", data, meta))
    return objects


# -- compute only -----------------------------------------------------------------------


class _Memory:
    """What earlier batches would have left in the index, kept in memory for the baseline."""

    def __init__(self) -> None:
        from newsfacet.ingest.minhash import Member
        from newsfacet.ingest.template_lines import LineCount, LineKey
        from newsfacet.models.entry import Entity

        self.lines: dict[LineKey, LineCount] = {}
        self.entities: dict[str, tuple[Entity, ...]] = {}
        self.clusters: dict[str, str] = {}
        self.by_band: dict[str, dict[str, Member]] = {}
        self.summaries: dict[str, Any] = {}  # entry id -> its cluster's summary
        self.people: dict[str | None, set[str]] = {}  # outlet -> full PERSON names

    def full_names(self, lookup: Any) -> list[str]:
        """What ``KnownPeople`` would find (without its time window: a baseline's leeway)."""
        from newsfacet.ingest.canonical import fold_key

        return sorted(
            n
            for n in self.people.get(lookup.outlet, ())
            if fold_key(n.rsplit(" ", 1)[-1]) in lookup.surnames
        )

    def found(self, ids: set[str]) -> dict[str, Any]:
        return {i: self.summaries[i] for i in ids if i in self.summaries}

    def line_counts(self, keys: set[Any]) -> dict[Any, Any]:
        return {k: self.lines[k] for k in keys if k in self.lines}

    def candidates(self, bands: set[str]) -> list[Any]:
        found = {m.id: m for b in bands for m in self.by_band.get(b, {}).values()}
        return list(found.values())

    def remember(self, tally: Any, entries: list[Any], plan: Any) -> None:
        from newsfacet.ingest.clusters import ClusterSummary, copy_of
        from newsfacet.ingest.minhash import Member
        from newsfacet.ingest.template_lines import LineCount

        for seen in tally.observed:
            for digest in seen.hashes:
                old = self.lines.get((seen.outlet, digest), LineCount(0))
                if seen.identity not in old.docs:
                    self.lines[(seen.outlet, digest)] = LineCount(
                        old.doc_count + 1, old.docs | {seen.identity}
                    )
        for entry in entries:
            self.entities.setdefault(entry.id, tuple(entry.entities))
            self.clusters[entry.id] = entry.cluster
            member = Member(entry.id, entry.cluster, tuple(entry.minhash), tuple(entry.lsh_bands))
            for band in entry.lsh_bands:
                self.by_band.setdefault(band, {})[entry.id] = member
            self.summaries[entry.id] = plan.summaries.get(entry.cluster) or ClusterSummary(
                entry.cluster, 1, (copy_of(entry),), (entry.id,)
            )
            self.people.setdefault(entry.outlet, set()).update(
                e.canonical for e in entry.entities if e.type == "PERSON" and " " in e.canonical
            )
        for entry_id, target in plan.updates.items():
            self.summaries[entry_id] = plan.summaries[target]


class ComputeOnly:
    """The pure stages of ingest, batch by batch, lookups answered from memory."""

    def __init__(self, known: dict[str, Any]) -> None:
        self.known = known
        self.memory = _Memory()
        self.now = datetime.now(UTC)

    def step(self, batch: list[Upload]) -> int:
        """One batch; the number of entries it made."""
        from newsfacet.errors import InputError
        from newsfacet.ingest.clusters import plan_summaries
        from newsfacet.ingest.minhash import Member, plan_clusters
        from newsfacet.ingest.pipeline import (
            isolate,
            open_object,
            plan_surname_lookups,
            prepare_unit,
            resolve_unit_surnames,
            sign_unit,
            tag_unit,
        )
        from newsfacet.ingest.template_lines import LineTally, line_keys
        from newsfacet.models.curation_table import EMPTY as EMPTY_CURATION
        from newsfacet.models.document import ObjectRef

        memory, now = self.memory, self.now
        articles = []
        for upload in batch:
            ref = ObjectRef(
                bucket=BUCKET,
                key=upload.key,
                etag="e",
                size=len(upload.data),
                last_modified=now,
                metadata=upload.metadata,
            )
            try:
                items = list(open_object(upload.data, ref, limit=MAX_BYTES))
            except InputError:
                continue
            articles += [a for a in items if not isinstance(a, InputError)]
        tally = LineTally(memory.line_counts(line_keys(articles)), 3)
        unit, _ = isolate("fingerprints", prepare_unit(articles, tally, now=now), sign_unit)
        reuse = {i: memory.entities[i] for i in unit.entries if i in memory.entities}
        # The curation table of fresh indices is empty, as the end-to-end run's is.
        unit, _ = isolate(
            "entities",
            unit,
            lambda u: tag_unit(u, known=self.known, reuse=reuse, curation=EMPTY_CURATION),
        )
        lookups = plan_surname_lookups(unit, skip=reuse.keys())
        if lookups:
            found = [memory.full_names(lookup) for lookup in lookups]
            unit = resolve_unit_surnames(
                unit, lookups, found, curation=EMPTY_CURATION, skip=reuse.keys()
            )
        members = [
            Member(e.id, memory.clusters.get(e.id, e.cluster), tuple(e.minhash), tuple(e.lsh_bands))
            for e in unit.entries.values()
        ]
        candidates = memory.candidates({b for e in unit.entries.values() for b in e.lsh_bands})
        plan = plan_clusters(members, candidates)
        entries = [
            e.model_copy(update={"cluster": plan.clusters.get(e.id, e.cluster)})
            for e in unit.entries.values()
        ]
        stored = {e.id for e in entries if e.id in memory.clusters}
        looked_up = stored | {m.id for m in candidates}
        summaries = plan_summaries(
            entries, found=memory.found(looked_up), stored_ids=stored, merges=plan.merges
        )
        memory.remember(tally, entries, summaries)
        return len(entries)


# -- end to end -------------------------------------------------------------------------


def _count_requests(client: Any, counts: Counter[str], spent: defaultdict[str, float]) -> None:
    """Count every HTTP request the client sends, and its time, by endpoint (``_bulk``...)."""
    send: Callable[..., Any] = client.transport.perform_request

    def counting(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        endpoint = next((p for p in reversed(url.split("?")[0].split("/")) if p[:1] == "_"), url)
        counts[f"{method} {endpoint}"] += 1
        started = time.perf_counter()
        try:
            return send(method, url, *args, **kwargs)
        finally:
            spent[f"{method} {endpoint}"] += time.perf_counter() - started

    client.transport.perform_request = counting


@contextmanager
def moto_server() -> Iterator[str]:
    """``moto_server`` on a free port of 127.0.0.1, stopped (by its pid) on the way out."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


class EndToEnd:
    """The ingest service as the function builds it; S3 in moto_server, fresh indices."""

    def __init__(self, url: str, objects: list[Upload], s3_url: str) -> None:
        self.url = url
        self.s3_url = s3_url
        self.objects = objects
        self.opensearch: Counter[str] = Counter()
        self.spent: defaultdict[str, float] = defaultdict(float)
        self.s3_calls: Counter[str] = Counter()

    def __enter__(self) -> EndToEnd:
        import boto3

        from newsfacet.config import IndexNames, Settings
        from newsfacet.index.client import build_client
        from newsfacet.index.setup import delete_indices, ensure_indices
        from newsfacet.wiring import ingest_service

        os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
        self.names = IndexNames(PREFIX)
        settings = Settings(
            opensearch_url=self.url,
            index_prefix=self.names.prefix,
            opensearch_timeout_s=30,
            s3_endpoint_url=self.s3_url,
            max_object_bytes=MAX_BYTES,
        )
        setup = build_client(settings)
        delete_indices(setup, self.names)
        ensure_indices(setup, self.names)
        s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=self.s3_url)
        s3.create_bucket(Bucket=BUCKET)
        for upload in self.objects:
            s3.put_object(Bucket=BUCKET, Key=upload.key, Body=upload.data, Metadata=upload.metadata)
        # The whole service as the function builds it: curation head, known people and all.
        self.service = ingest_service(settings)
        self.client = self.service.entries.client  # type: ignore[attr-defined]
        self.service.store.s3.meta.events.register(  # type: ignore[attr-defined]
            "before-call.s3", lambda model, **_: self.s3_calls.update([model.name])
        )
        _count_requests(self.client, self.opensearch, self.spent)
        return self

    def step(self, batch: list[Upload]) -> int:
        from newsfacet.models.document import ObjectRef

        reports = self.service.ingest([ObjectRef(bucket=BUCKET, key=u.key) for u in batch])
        return sum(r.entries for r in reports)

    def __exit__(self, *exc: object) -> None:
        from newsfacet.index.setup import delete_indices

        del self.client.transport.perform_request  # the counting wrapper
        delete_indices(self.client, self.names)

    def round_trips(self, batches: int) -> dict[str, Any]:
        total = sum(self.opensearch.values())
        return {
            "opensearch_requests": dict(sorted(self.opensearch.items())),
            "opensearch_seconds": {k: round(v, 2) for k, v in sorted(self.spent.items())},
            "opensearch_requests_per_batch": round(total / batches, 2),
            "opensearch_requests_per_object": round(total / len(self.objects), 2),
            "s3_requests_per_object": round(sum(self.s3_calls.values()) / len(self.objects), 2),
        }


def _rate(objects: int, entries: int, elapsed: float) -> dict[str, Any]:
    return {
        "objects": objects,
        "entries": entries,
        "seconds": round(elapsed, 2),
        "objects_per_s": round(objects / elapsed, 2),
    }


def paired_run(url: str, objects: list[Upload], s3_url: str) -> dict[str, Any]:
    """Both runs batch by batch, alternating which goes first, so both meet the same load."""
    compute = ComputeOnly(known={})
    batches = [objects[i : i + BATCH] for i in range(0, len(objects), BATCH)]
    seconds = {"compute": 0.0, "e2e": 0.0}
    made = {"compute": 0, "e2e": 0}
    with EndToEnd(url, objects, s3_url) as e2e:
        runners: dict[str, Callable[[list[Upload]], int]] = {
            "compute": compute.step,
            "e2e": e2e.step,
        }
        for number, batch in enumerate(batches):
            order = ["compute", "e2e"] if number % 2 == 0 else ["e2e", "compute"]
            for name in order:
                started = time.perf_counter()
                made[name] += runners[name](batch)
                seconds[name] += time.perf_counter() - started
        trips = e2e.round_trips(len(batches))
    return {
        "compute_only": _rate(len(objects), made["compute"], seconds["compute"]),
        "end_to_end": {**_rate(len(objects), made["e2e"], seconds["e2e"]), **trips},
        "ratio": round(seconds["compute"] / seconds["e2e"], 3),
    }


def compare(url: str, s3_url: str, name: str, objects: list[Upload], repeat: int) -> dict[str, Any]:
    runs = [paired_run(url, objects, s3_url) for _ in range(repeat)]
    ratios = [r["ratio"] for r in runs]
    middle = sorted(runs, key=lambda r: r["ratio"])[len(runs) // 2]
    return {
        "documents": name,
        "compute_only": middle["compute_only"],
        "end_to_end": middle["end_to_end"],
        "end_to_end_over_compute": round(statistics.median(ratios), 3),
        "ratio_runs": ratios,
    }


def run(ctx: Any) -> dict[str, Any]:
    from newsfacet.ingest.entities import load_alias_matcher, load_pipeline

    url = ctx.opensearch_url()
    repeat = int(os.environ.get("NEWSFACET_BENCH_INGEST_REPEAT", "3"))
    load_pipeline()  # the container's one-time cost, kept out of both rates
    load_alias_matcher()
    plain, html = plain_objects(), html_objects()
    with moto_server() as s3_url:
        paired_run(url, plain[:10], s3_url)  # warm imports, moto and connections
        return {
            "batch_objects": BATCH,
            "plain_text": compare(url, s3_url, "plain", plain, repeat),
            "html": compare(url, s3_url, "html", html, repeat),
        }
