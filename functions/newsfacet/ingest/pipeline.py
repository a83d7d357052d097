"""The ingest path for one object: read, parse, enrich, write.

Every stage here is pure; the object store, the entry writer and the failure
log come in through :class:`IngestDeps`, so the same code runs in the Lambda,
in the CLI (``newsfacet parse``) and in unit tests without AWS.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from newsfacet.errors import InputError, NoContentError
from newsfacet.ingest.assemble import assemble_document
from newsfacet.ingest.boilerplate import select_template, template_candidates
from newsfacet.ingest.dates import parse_datetime
from newsfacet.ingest.extract import ExtractedArticle, extract_article
from newsfacet.ingest.fingerprint import content_id
from newsfacet.ingest.metadata import canonical_outlet, canonical_url, domain_of
from newsfacet.ingest.minhash import sign_entries
from newsfacet.ingest.outlets import known_outlet
from newsfacet.models.document import ObjectRef, ParsedDocument
from newsfacet.models.entry import Entry, Source


class ObjectStore(Protocol):
    def read(self, ref: ObjectRef, *, limit: int) -> tuple[bytes, ObjectRef]:
        """Return the object's bytes and a ref completed with size, etag and metadata."""
        ...


class EntryWriter(Protocol):
    def write(self, entries: Sequence[Entry]) -> WriteReport: ...


class EntityTagger(Protocol):
    def tag_documents(self, documents: Sequence[Sequence[Entry]]) -> None:
        """Set ``entities`` on every entry; each inner sequence is one document's entries."""
        ...


class NearDuplicateIndex(Protocol):
    def assign(self, entries: Sequence[Entry]) -> None:
        """Before writing: set each entry's cluster from its stored near-duplicates."""
        ...

    def reconcile(self, entries: Sequence[Entry]) -> int:
        """After writing: merge clusters that concurrent writers split; return entries changed."""
        ...


class FailureLog(Protocol):
    def record(self, error: InputError, ref: ObjectRef) -> None: ...


class LineStats(Protocol):
    """Per-outlet counts of the documents each line appeared in (the learned template layer)."""

    def line_counts(self, outlet: str, hashes: Sequence[str]) -> dict[str, int]:
        """How many earlier documents of ``outlet`` carried each line hash."""
        ...

    def record_lines(self, outlet: str, document: str, hashes: Sequence[str]) -> None:
        """Count ``document`` once for each of its line hashes."""
        ...


@dataclass
class TemplateLearning:
    """The learned layer's store and its threshold (``NEWSFACET_TEMPLATE_LINE_MIN_DOCS``)."""

    stats: LineStats
    min_docs: int = 3


# Entries written per bulk call while a large object streams through.
WRITE_BATCH_ENTRIES = 500


@dataclass
class WriteReport:
    created: int = 0
    updated: int = 0
    failed: list[str] = field(default_factory=list)


@dataclass
class ParseResult:
    """Documents parsed from one object, and the articles inside it that failed."""

    ref: ObjectRef
    documents: list[ParsedDocument] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)


@dataclass
class IngestReport:
    key: str
    documents: int = 0
    entries: int = 0
    created: int = 0
    updated: int = 0
    errors: list[InputError] = field(default_factory=list)


@dataclass
class IngestDeps:
    store: ObjectStore
    writer: EntryWriter
    failures: FailureLog
    max_object_bytes: int
    templates: TemplateLearning | None = None
    # Optional so the offline parser and tests of earlier stages can leave them out.
    entities: EntityTagger | None = None
    clusters: NearDuplicateIndex | None = None


def iter_documents(
    data: bytes, ref: ObjectRef, *, limit: int, templates: TemplateLearning | None = None
) -> Iterator[ParsedDocument | InputError]:
    """Parse an object's articles one at a time; a bad article yields its error, the rest go on.

    A JSON Lines object of many thousand articles is never held parsed all at
    once. With ``templates``, lines this outlet's earlier documents share are
    removed as template, and each document's lines are counted for the next ones.

    Raises:
        InputError: the object as a whole is unusable (empty, binary, corrupt gzip...).
    """
    from newsfacet.ingest.formats import read_articles

    fmt, articles = read_articles(data, key=ref.key, limit=limit)
    for item in articles:
        if isinstance(item, InputError):
            yield item
            continue
        try:
            article = extract_article(item, key=ref.key, fmt=fmt)
            apply_object_metadata(article, ref)
            document = assemble_document(article, template=_learned(article, ref, templates))
        except InputError as exc:
            yield exc
            continue
        apply_last_modified(document, ref)
        yield document


def parse_object(
    data: bytes, ref: ObjectRef, *, limit: int, templates: TemplateLearning | None = None
) -> ParseResult:
    """All of :func:`iter_documents` at once, for callers that want a list."""
    result = ParseResult(ref=ref)
    for item in iter_documents(data, ref, limit=limit, templates=templates):
        if isinstance(item, InputError):
            result.errors.append(item)
        else:
            result.documents.append(item)
    if not result.documents and not result.errors:
        result.errors.append(NoContentError(key=ref.key))
    return result


def _learned(
    article: ExtractedArticle, ref: ObjectRef, templates: TemplateLearning | None
) -> set[str]:
    """Look up which of the article's lines are its outlet's template, then count this one."""
    if templates is None or article.outlet is None:
        return set()
    candidates = list(template_candidates(article.paragraphs))
    if not candidates:
        return set()
    counts = templates.stats.line_counts(article.outlet, candidates)
    # A document is counted once per line, keyed by its URL when it has one, so
    # two snapshots of the same live blog do not make its posts look like template.
    identity = article.url or f"{ref.bucket}/{ref.key}#{article.title or ''}"
    templates.stats.record_lines(article.outlet, identity, candidates)
    return select_template(counts, min_docs=templates.min_docs)


def apply_object_metadata(document: ExtractedArticle, ref: ObjectRef) -> None:
    """Fill what the file lacks from S3 metadata, then the key prefix.

    Precedence, highest first: the file itself (JSON fields, page metadata,
    trailing lines, a decoded Google News link), ``x-amz-meta-*`` on the
    object, the ``<outlet-domain>/`` key prefix. Page furniture naming the
    outlet and, for the date, live-blog stamps and the object's last-modified
    time come later (see ``assemble_document`` and :func:`apply_last_modified`).
    """
    meta = {k.lower().removeprefix("x-amz-meta-"): v for k, v in ref.metadata.items()}
    document.url = canonical_url(document.url) or canonical_url(meta.get("url"))
    outlet, name = canonical_outlet(document.outlet)
    if outlet is None:
        outlet = domain_of(document.url)
    if outlet is None and meta.get("outlet"):
        outlet, name = canonical_outlet(meta["outlet"])
    if outlet is None and "/" in ref.key:
        prefix = ref.key.split("/", 1)[0]
        if "." in prefix:
            outlet, name = canonical_outlet(prefix)
    if outlet is not None:
        _, name_for_domain = canonical_outlet(outlet)
        # The page's own site name beats a bare domain when our table does not know it.
        page_name = document.outlet_name if not known_outlet(outlet) else None
        document.outlet, document.outlet_name = outlet, page_name or name_for_domain
    elif name is not None:
        document.outlet, document.outlet_name = None, name
    if document.published is None and meta.get("published"):
        document.published = parse_datetime(meta["published"])
        document.published_source = "object_metadata" if document.published else None


def apply_last_modified(document: ParsedDocument, ref: ObjectRef) -> None:
    """The last resort for the date: when the object was uploaded, flagged in the warnings."""
    if document.published is None and ref.last_modified is not None:
        document.published = ref.last_modified.astimezone(UTC)
        document.published_source = "s3_last_modified"
        document.warnings.append("no publication time found; using the upload time")


def build_entries(document: ParsedDocument, ref: ObjectRef, *, now: datetime) -> list[Entry]:
    """Give each entry draft its id, its source and the document's shared metadata."""
    source = Source(
        bucket=ref.bucket,
        key=ref.key,
        version_id=ref.version_id,
        etag=ref.etag,
        first_seen=now,
        last_seen=now,
    )
    entries: list[Entry] = []
    seen: set[str] = set()
    kind = "liveblog_post" if len(document.entries) > 1 else "article"
    for position, draft in enumerate(document.entries):
        entry_id = content_id(f"{draft.title or ''}\n{draft.text}")
        if entry_id in seen:
            continue  # a live blog that repeats a post inside itself
        seen.add(entry_id)
        published = draft.published or document.published
        entries.append(
            Entry(
                id=entry_id,
                kind=kind,
                title=draft.title or document.title,
                body=draft.text,
                published=published,
                published_source=(
                    "liveblog"
                    if draft.published and kind == "liveblog_post"
                    else document.published_source
                ),
                outlet=document.outlet,
                outlet_name=document.outlet_name,
                url=document.url,
                language=document.language,
                authors=[draft.author] if draft.author else document.authors,
                cited_outlets=document.cited_outlets,
                document_title=document.title,
                position=position,
                fingerprint=entry_id,
                cluster=entry_id,
                sources=[source],
            )
        )
    return entries


def ingest_object(ref: ObjectRef, deps: IngestDeps, *, now: datetime | None = None) -> IngestReport:
    """Read one object and index its entries.

    Raises:
        InputError: the whole object is unusable (empty, too large, binary...).
            Articles that fail inside an otherwise good object are recorded in
            the failure log and returned in the report instead.
        IndexingError: OpenSearch did not take the entries; retry later.
    """
    now = now or datetime.now(UTC)
    data, ref = deps.store.read(ref, limit=deps.max_object_bytes)
    report = IngestReport(key=ref.key)
    seen: set[str] = set()
    groups: list[list[Entry]] = []

    def flush() -> None:
        _, written = index_entries(groups, deps)
        report.created += written.created
        report.updated += written.updated
        groups.clear()

    items = iter_documents(data, ref, limit=deps.max_object_bytes, templates=deps.templates)
    for item in items:
        if isinstance(item, InputError):
            report.errors.append(item)
            deps.failures.record(item, ref)
            continue
        report.documents += 1
        group = []
        for entry in build_entries(item, ref, now=now):
            if entry.id not in seen:  # a post two articles of one object share
                seen.add(entry.id)
                group.append(entry)
        groups.append(group)  # one document's entries: names fold inside it
        if sum(map(len, groups)) >= WRITE_BATCH_ENTRIES:
            flush()
    if report.documents == 0:
        raise report.errors[0] if report.errors else NoContentError(key=ref.key)
    flush()
    report.entries = len(seen)
    return report


def index_documents(
    documents: Sequence[ParsedDocument], ref: ObjectRef, deps: IngestDeps, *, now: datetime
) -> tuple[list[Entry], WriteReport]:
    """Build the entries of parsed documents and index them (see :func:`index_entries`)."""
    return index_entries([build_entries(doc, ref, now=now) for doc in documents], deps)


def index_entries(
    per_document: Sequence[Sequence[Entry]], deps: IngestDeps
) -> tuple[list[Entry], WriteReport]:
    """Entries, grouped by document -> entities -> signatures -> clusters -> index.

    Grouping matters for entities only: names fold inside one document
    ("Gladkov" after "Vyacheslav Gladkov" in another post of the same page).

    Returns:
        The entries as written (with entities, band keys and clusters, each id
        once) and the writer's report.
    """
    if deps.entities is not None:
        deps.entities.tag_documents(per_document)
    entries = list(_unique(entry for group in per_document for entry in group))
    sign_entries(entries)
    if deps.clusters is not None:
        deps.clusters.assign(entries)
    written = deps.writer.write(entries)
    if deps.clusters is not None:
        # A second look after the write closes the race with concurrent workers.
        deps.clusters.reconcile(entries)
    return entries, written


def _unique(entries: Iterable[Entry]) -> Iterable[Entry]:
    seen: set[str] = set()
    for entry in entries:
        if entry.id not in seen:
            seen.add(entry.id)
            yield entry
