"""The ingest service: a batch of objects in, every object accounted for.

One straight line per batch, with I/O only at its ends and between the pure
stages of ``ingest/pipeline.py``::

    read each object                       ObjectStore.read
    decode .. metadata                     open_object            (pure)
    learned template lines, one lookup     LearnedStore.line_counts
    clean .. entries, fingerprints         prepare_unit, sign_unit (pure)
    stored entries + LSH candidates        EntryStore.lookup
    entities (stored ones reused), clusters tag_unit, plan_clusters (pure)
    cluster summaries                      plan_summaries (pure)
    one bulk write (and registration)      EntryStore.write
    merges; a second look only for         EntryStore.reconcile
    concurrent writers

Every object ends in exactly one state: ``indexed`` (all its entries),
``partial`` (some articles or entries rejected, each recorded), ``rejected``
(recorded once, with the reason) or ``retry`` (a dependency failed: only these
are retried). A very large object (JSON Lines of thousands of articles) is
cut into units of ``unit_articles``; a normal batch is one unit, so the
number of round trips is fixed per batch, not per object.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from newsfacet.errors import (
    EntryRejectedError,
    InputError,
    NoContentError,
    ProcessingError,
    TransientError,
)
from newsfacet.ingest.clusters import plan_summaries
from newsfacet.ingest.minhash import ClusterPlan, Member, plan_clusters
from newsfacet.ingest.pipeline import Unit, open_object, prepare_unit, sign_unit, tag_unit
from newsfacet.ingest.ports import (
    EntryStore,
    FailureRecord,
    LearnedStore,
    ObjectStore,
    Stored,
    StoredEntry,
    WriteBatch,
    WriteResult,
)
from newsfacet.ingest.template_lines import LineCount, LineKey, LineTally, line_keys
from newsfacet.models.article import Article
from newsfacet.models.document import ObjectRef
from newsfacet.models.entry import Entry

logger = logging.getLogger(__name__)

Status = Literal["indexed", "partial", "rejected", "retry"]
# Objects read ahead of the one being parsed (each held in memory until parsed).
READ_AHEAD = 4
ObjectKey = tuple[str, str, str | None, str | None]


@dataclass
class ObjectReport:
    """What became of one object."""

    ref: ObjectRef
    articles: int = 0
    entries: int = 0
    created: int = 0
    updated: int = 0
    # Rejections recorded for this object: the object itself, or its articles or entries.
    errors: list[InputError] = field(default_factory=list)
    # Set when a dependency failed: the object is retried whatever else happened.
    retry: str | None = None
    whole_object_rejected: bool = False

    @property
    def status(self) -> Status:
        if self.retry is not None:
            return "retry"
        if self.whole_object_rejected or (self.errors and self.entries == 0):
            return "rejected"
        return "partial" if self.errors else "indexed"


@dataclass(frozen=True)
class IngestConfig:
    max_object_bytes: int
    template_min_docs: int = 3
    learn_templates: bool = True
    tag_entities: bool = True
    # Articles per unit of work (one lookup round and one bulk write each).
    unit_articles: int = 200


def _key(ref: ObjectRef) -> ObjectKey:
    return (ref.bucket, ref.key, ref.version_id, ref.etag)


class IngestService:
    def __init__(
        self,
        store: ObjectStore,
        learned: LearnedStore,
        entries: EntryStore,
        config: IngestConfig,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.learned = learned
        self.entries = entries
        self.config = config
        self.clock = clock

    def ingest(self, refs: Sequence[ObjectRef]) -> list[ObjectReport]:
        """Ingest a batch; one report per ref, in order (a repeated ref shares its report)."""
        run = _Run(self, self.clock())
        first: dict[tuple[str, str, str | None], ObjectReport] = {}
        reports: list[ObjectReport] = []
        for ref in refs:
            seen = first.get((ref.bucket, ref.key, ref.version_id))
            if seen is None:
                seen = first[(ref.bucket, ref.key, ref.version_id)] = ObjectReport(ref)
                run.objects.append(seen)
            reports.append(seen)
        run.go()
        return reports


class _Run:
    """One batch in flight: the objects' reports and the failure records still to write."""

    def __init__(self, service: IngestService, now: datetime) -> None:
        self.service = service
        self.config = service.config
        self.now = now
        self.objects: list[ObjectReport] = []
        self.owners: dict[ObjectKey, ObjectReport] = {}
        self.failures: list[tuple[ObjectReport, FailureRecord]] = []
        self._unit_owners: list[ObjectReport] = []

    def go(self) -> None:
        unit: list[Article] = []
        for article in self._articles():
            unit.append(article)
            if len(unit) >= self.config.unit_articles:
                self._unit(unit)
                unit = []
        if unit or self.failures:
            self._unit(unit)

    # -- reading ---------------------------------------------------------------------
    def _reads(self) -> Iterator[tuple[ObjectReport, Future[tuple[bytes, ObjectRef]]]]:
        """Each object's read, started up to ``READ_AHEAD`` objects ahead of the one parsed.

        A GET is a round trip of tens of milliseconds; reading the next objects
        while this one is parsed keeps them off the batch's time.
        """
        limit = self.config.max_object_bytes
        with ThreadPoolExecutor(max_workers=READ_AHEAD) as pool:
            pending: deque[tuple[ObjectReport, Future[tuple[bytes, ObjectRef]]]] = deque()
            for report in self.objects:
                pending.append(
                    (report, pool.submit(self.service.store.read, report.ref, limit=limit))
                )
                if len(pending) > READ_AHEAD:
                    yield pending.popleft()
            yield from pending

    def _articles(self) -> Iterator[Article]:
        """Every article of every object, lazily; object and article rejections noted."""
        for report, read in self._reads():
            try:
                data, ref = read.result()
            except InputError as error:
                self._reject(report, error, whole=True)
                continue
            except TransientError as error:
                report.retry = error.message
                continue
            report.ref = ref
            self.owners[_key(ref)] = report
            found = 0
            try:
                for item in open_object(data, ref, limit=self.config.max_object_bytes):
                    found += 1
                    if isinstance(item, InputError):
                        self._reject(report, item)
                    else:
                        report.articles += 1
                        yield item
            except InputError as error:
                self._reject(report, error, whole=True)
                continue
            except Exception as exc:  # noqa: BLE001 - recorded as the object's failure, not lost
                failure = ProcessingError(key=ref.key, stage="decode", exception=exc)
                self._reject(report, failure, whole=True)
                continue
            if found == 0:
                self._reject(report, NoContentError(key=ref.key), whole=True)

    def _reject(self, report: ObjectReport, error: InputError, *, whole: bool = False) -> None:
        report.errors.append(error)
        report.whole_object_rejected = report.whole_object_rejected or whole
        self.failures.append((report, FailureRecord(report.ref, error)))

    # -- one unit of work -------------------------------------------------------------
    def _unit(self, articles: list[Article]) -> None:
        self._unit_owners = [self.owners[_key(a.ref)] for a in articles]
        try:
            self._process(articles)
        except TransientError as error:
            logger.warning("unit failed; its objects are retried", extra={"reason": error.message})
            for report in [*self._unit_owners, *(r for r, _ in self.failures)]:
                report.retry = error.message
        self.failures = []

    def _process(self, articles: list[Article]) -> None:
        service, config = self.service, self.config
        counts: dict[LineKey, LineCount] = {}
        if config.learn_templates and articles:
            counts = service.learned.line_counts(line_keys(articles))
        tally = LineTally(counts, config.template_min_docs)
        unit = prepare_unit(articles, tally, now=self.now)
        for article, error in unit.rejected:
            self._reject(self.owners[_key(article.ref)], error)
        unit = sign_unit(unit)
        entries = list(unit.entries.values())
        stored = service.entries.lookup(
            [e.id for e in entries], sorted({b for e in entries for b in e.lsh_bands})
        )
        if config.tag_entities and entries:
            reuse = {i: s.entities for i, s in stored.entries.items()}
            unit = tag_unit(unit, known=service.learned.aliases(), reuse=reuse)
        entries, plan = self._clusters(unit, stored.entries, stored.candidates)
        summaries = plan_summaries(
            entries, found=stored.summaries, stored_ids=stored.entries, merges=plan.merges
        )
        result = service.entries.write(
            WriteBatch(
                entries=entries,
                lines=tally.observed if config.learn_templates else (),
                aliases=unit.learned,
                failures=[record for _, record in self.failures],
                summaries=summaries,
            )
        )
        self._fold(entries, self.failures, result)
        service.learned.remember(
            {key: alias for key, alias in unit.learned.items() if result.aliases[key].written}
        )
        written = [e for e in entries if result.entries[e.id].written]
        if written:
            service.entries.reconcile(
                written,
                unseen=_unseen(written, stored, result),
                merges=plan.merges,
                summaries=summaries,
            )

    @staticmethod
    def _clusters(
        unit: Unit, stored: Mapping[str, StoredEntry], found: Sequence[Member]
    ) -> tuple[list[Entry], ClusterPlan]:
        """Each entry's cluster: the lowest id of its verified near-duplicate group."""
        batch = [
            Member(
                id=e.id,
                cluster=stored[e.id].cluster if e.id in stored else e.cluster,
                values=tuple(e.minhash),
                bands=tuple(e.lsh_bands),
            )
            for e in unit.entries.values()
        ]
        plan = plan_clusters(batch, found)
        entries = [
            e.model_copy(update={"cluster": plan.clusters.get(e.id, e.cluster)})
            for e in unit.entries.values()
        ]
        return entries, plan

    def _fold(
        self,
        entries: list[Entry],
        failures: list[tuple[ObjectReport, FailureRecord]],
        result: WriteResult,
    ) -> None:
        """Fold the bulk verdicts back onto the objects they came from."""
        for (report, record), verdict in zip(failures, result.failures, strict=True):
            if verdict.status == "retry":
                report.retry = f"failure record for {record.ref.key} not stored: {verdict.reason}"
            elif verdict.status == "rejected":
                logger.error(
                    "failure record rejected by the index",
                    extra={"key": record.ref.key, "reason": verdict.reason},
                )
        learning = [*result.lines, *result.aliases.values()]
        if any(v.status == "retry" for v in learning):
            for report in {id(r): r for r in self._unit_owners}.values():
                report.retry = "learned template lines or aliases not stored"
        if rejected := sum(v.status == "rejected" for v in learning):
            logger.error("learned data rejected by the index", extra={"items": rejected})
        rejected_entries: list[tuple[ObjectReport, FailureRecord]] = []
        for entry in entries:
            verdict = result.entries[entry.id]
            owners = self._entry_owners(entry)
            for position, report in enumerate(owners):
                report.entries += 1
                if verdict.status == "created" and position == 0:
                    report.created += 1
                elif verdict.written:
                    report.updated += 1
                elif verdict.status == "retry":
                    report.retry = f"entry {entry.id} not stored: {verdict.reason}"
                else:
                    report.entries -= 1
                    error = EntryRejectedError(
                        key=report.ref.key, entry_id=entry.id, reason=verdict.reason or "rejected"
                    )
                    report.errors.append(error)
                    rejected_entries.append((report, FailureRecord(report.ref, error)))
        if rejected_entries:
            # Known only after the write: recorded with a second, small bulk request.
            again = self.service.entries.write(
                WriteBatch(failures=[record for _, record in rejected_entries])
            )
            self._fold([], rejected_entries, again)

    def _entry_owners(self, entry: Entry) -> list[ObjectReport]:
        owners = []
        for source in entry.sources:
            report = self.owners.get((source.bucket, source.key, source.version_id, source.etag))
            if report is not None and report not in owners:
                owners.append(report)
        return owners


def _unseen(written: Sequence[Entry], stored: Stored, result: WriteResult) -> set[str]:
    """Entries another worker wrote at the same moment that this batch's lookup did not see.

    Those others registered under the batch's band keys or clusters, and any
    entry the batch took for new that turned out to exist when written (two
    workers carrying the same text at once).
    """
    known = {*stored.entries, *stored.summaries, *(e.id for e in written)}
    known.update(m for s in stored.summaries.values() for m in s.members)
    surprised = {
        e.id
        for e in written
        if e.id not in stored.entries and result.entries[e.id].status != "created"
    }
    return (set(result.recent) - known) | surprised
