"""The ingest service: a batch of objects in, every object accounted for.

One straight line per batch, with I/O only at its ends and between the pure
stages of ``ingest/pipeline.py``::

    read each object                       ObjectStore.read
    decode .. metadata                     open_object            (pure)
    learned template lines, one lookup     LearnedStore.line_counts
    clean .. entries, fingerprints         prepare_unit, sign_unit (pure)
    stored entries + LSH candidates        EntryStore.lookup
    entities (stored ones reused), curation tag_unit               (pure)
    full names for lone surnames (if any)  PeopleStore.full_names
    surnames, clusters                     resolve_unit_surnames, plan_clusters (pure)
    cluster summaries                      plan_summaries (pure)
    one bulk write (and registration)      EntryStore.write
    merges; a second look only for         EntryStore.reconcile
    concurrent writers

Every object ends in exactly one state: ``indexed`` (all its entries),
``partial`` (some articles or entries rejected, each recorded), ``rejected``
(recorded once, with the reason) or ``retry`` (a dependency failed, or the
invocation ran out of time before reaching it: only these are retried). A
very large object (JSON Lines of thousands of articles) is cut into units of
``unit_articles``; a normal batch is one unit, so the number of round trips is
fixed per batch, not per object.

Time (``ingest/budget.py``): an object may hold at most ``max_object_chars``
characters of text (the per-object budget; articles past it are recorded as
``over_budget``), and when the caller says how much time is left, a unit is
started only if it fits; the objects not reached are retried (``deferred``),
so a batch never runs into the function's timeout with finished work unsaved.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime

from newsfacet.errors import (
    EntryRejectedError,
    InputError,
    NoContentError,
    OverBudgetError,
    ProcessingError,
    TransientError,
)
from newsfacet.ingest.budget import Clock, TimeBudget
from newsfacet.ingest.clusters import plan_summaries, unseen_writes
from newsfacet.ingest.minhash import assign_clusters
from newsfacet.ingest.pipeline import (
    Unit,
    isolate,
    open_object,
    plan_surname_lookups,
    prepare_unit,
    resolve_unit_surnames,
    sign_unit,
    tag_unit,
)
from newsfacet.ingest.ports import (
    EntryStore,
    FailureRecord,
    LearnedStore,
    ObjectStore,
    PeopleStore,
    WriteBatch,
    WriteResult,
)
from newsfacet.ingest.reports import IngestConfig, ObjectReport
from newsfacet.ingest.template_lines import LineCount, LineKey, LineTally, line_keys
from newsfacet.models.article import Article
from newsfacet.models.curation_table import CurationTable
from newsfacet.models.document import ObjectRef
from newsfacet.models.entry import Entry

logger = logging.getLogger(__name__)

# Objects read ahead of the one being parsed (each held in memory until parsed).
READ_AHEAD = 4
ObjectKey = tuple[str, str, str | None, str | None]


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
        people: PeopleStore | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.learned = learned
        self.entries = entries
        self.config = config
        # None: lone surnames resolve against the batch's own entries only.
        self.people = people
        self.clock = clock

    def ingest(
        self,
        refs: Sequence[ObjectRef],
        *,
        time_left: Clock | None = None,
        in_parts: bool = False,
    ) -> list[ObjectReport]:
        """Ingest a batch; one report per ref, in order (a repeated ref shares its report).

        Args:
            refs: the objects, in the order to ingest them.
            time_left: seconds this invocation has left (the Lambda context's); None
                for no deadline.
            in_parts: the caller can hand the rest of an object past its budget to a
                later invocation (``ObjectReport.continue_at``); otherwise that rest
                is recorded as ``over_budget``.
        """
        run = _Run(self, self.clock(), TimeBudget(self.config, time_left), in_parts=in_parts)
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

    def __init__(
        self, service: IngestService, now: datetime, budget: TimeBudget, *, in_parts: bool
    ) -> None:
        self.service = service
        self.in_parts = in_parts
        self.config = service.config
        self.now = now
        self.budget = budget
        self.objects: list[ObjectReport] = []
        # Index in ``objects`` of the object being read.
        self._reading = 0
        self.owners: dict[ObjectKey, ObjectReport] = {}
        self.failures: list[tuple[ObjectReport, FailureRecord]] = []
        self._unit_owners: list[ObjectReport] = []

    def go(self) -> None:
        unit: list[Article] = []
        for article in self._articles():
            if not self.budget.fits([*unit, article]):
                if unit:
                    self._unit(unit)
                    unit = []
                if not self.budget.fits([article]):
                    self._defer()
                    return
            unit.append(article)
            if len(unit) >= self.config.unit_articles:
                self._unit(unit)
                unit = []
        if unit or self.failures:
            self._unit(unit)

    def _defer(self) -> None:
        """Out of time: the object being read and those after it are retried, untouched by this
        invocation except for what is already stored (idempotent)."""
        if self.failures:
            self._unit([])  # records of objects already finished
        for report in self.objects[self._reading :]:
            if report.retry is None:
                report.retry = "deferred: the invocation's time ran out before this object"
                report.deferred = True
        logger.warning(
            "out of time; objects deferred",
            extra={
                "deferred": len(self.objects) - self._reading,
                "time_left_s": self.budget.left(),
            },
        )

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
        for index, (report, read) in enumerate(self._reads()):
            self._reading = index
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
                        continue
                    if report.chars + len(item.text) > self.config.max_object_chars:
                        if self.in_parts and report.articles > 0:
                            report.continue_at = item.position  # the next part starts here
                            break
                        over = OverBudgetError(
                            key=ref.key,
                            chars=report.chars + len(item.text),
                            limit=self.config.max_object_chars,
                            position=item.position,
                        )
                        self._reject(report, over)
                        break
                    report.chars += len(item.text)
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
        except Exception as exc:  # noqa: BLE001 - a bug must not send the batch to the DLQ unrecorded
            self._fail_unit(exc)
        self.failures = []

    def _fail_unit(self, exc: Exception) -> None:
        """An unforeseen error outside any article's stages: every object of the unit is recorded
        as ``processing_failed`` (not retried: the same input would fail the same way)."""
        logger.exception("unit failed on an unforeseen error; its objects are recorded as failed")
        for report in {id(r): r for r in self._unit_owners}.values():
            if report.retry is None:
                self._reject(
                    report, ProcessingError(key=report.ref.key, stage="unit", exception=exc)
                )
                report.whole_object_rejected = True
        pending = self.failures
        try:
            result = self.service.entries.write(WriteBatch(failures=[r for _, r in pending]))
        except TransientError as error:
            for report, _ in pending:
                report.retry = error.message
            return
        self._fold([], pending, result)

    def _process(self, articles: list[Article]) -> None:
        service, config = self.service, self.config
        counts: dict[LineKey, LineCount] = {}
        if config.learn_templates and articles:
            counts = service.learned.line_counts(line_keys(articles))
        tally = LineTally(counts, config.template_min_docs)
        unit = prepare_unit(articles, tally, now=self.now)
        unit, failed = isolate("fingerprints", unit, sign_unit)
        for article, error in [*unit.rejected, *failed]:
            self._reject(self.owners[_key(article.ref)], error)
        entries = list(unit.entries.values())
        stored = service.entries.lookup(
            [e.id for e in entries], sorted({b for e in entries for b in e.lsh_bands})
        )
        if config.tag_entities and entries:
            reuse = {i: s.entities for i, s in stored.entries.items()}
            curation = service.learned.curation()
            known = service.learned.aliases()
            unit, failed = isolate(
                "entities",
                unit,
                lambda u: tag_unit(u, known=known, reuse=reuse, curation=curation),
            )
            for article, error in failed:
                self._reject(self.owners[_key(article.ref)], error)
            unit = self._known_surnames(unit, reuse.keys(), curation)
        entries, plan = assign_clusters(
            list(unit.entries.values()),
            {i: e.cluster for i, e in stored.entries.items()},
            stored.candidates,
        )
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
                unseen=unseen_writes(
                    written,
                    existing=stored.entries,
                    known={*stored.entries, *stored.summaries},
                    summaries=stored.summaries.values(),
                    recent=result.recent,
                    created={e.id for e in written if result.entries[e.id].status == "created"},
                ),
                merges=plan.merges,
                summaries=summaries,
            )

    def _known_surnames(self, unit: Unit, stored: Collection[str], curation: CurationTable) -> Unit:
        """Lone surnames of new entries, given the full names the outlet already has."""
        lookups = plan_surname_lookups(unit, skip=stored)
        if not lookups:
            return unit
        people = self.service.people
        found = people.full_names(lookups) if people else [[] for _ in lookups]
        return resolve_unit_surnames(unit, lookups, found, curation=curation, skip=stored)

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
