"""The ingest path for one object: read, parse, enrich, write.

Every stage here is pure; the object store, the entry writer and the failure
log come in through :class:`IngestDeps`, so the same code runs in the Lambda,
in the CLI (``newsfacet parse``) and in unit tests without AWS.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from newsfacet.errors import InputError, NoContentError
from newsfacet.ingest.dates import parse_datetime
from newsfacet.ingest.extract import extract_article
from newsfacet.ingest.fingerprint import content_id
from newsfacet.ingest.metadata import canonical_outlet, domain_of
from newsfacet.ingest.minhash import sign_entries
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
    # Optional so the offline parser and tests of earlier stages can leave them out.
    entities: EntityTagger | None = None
    clusters: NearDuplicateIndex | None = None


def parse_object(data: bytes, ref: ObjectRef, *, limit: int) -> ParseResult:
    """Turn an object's bytes into parsed documents; one bad article does not sink the rest."""
    from newsfacet.ingest.formats import read_articles

    result = ParseResult(ref=ref)
    _fmt, articles = read_articles(data, key=ref.key, limit=limit)
    for item in articles:
        if isinstance(item, InputError):
            result.errors.append(item)
            continue
        try:
            document = extract_article(item, key=ref.key)
        except InputError as exc:
            result.errors.append(exc)
            continue
        if _fmt == "jsonl":
            document.format = "jsonl"
        apply_object_metadata(document, ref)
        result.documents.append(document)
    if not result.documents and not result.errors:
        result.errors.append(NoContentError(key=ref.key))
    return result


def apply_object_metadata(document: ParsedDocument, ref: ObjectRef) -> None:
    """Fill what the file lacks from S3 metadata, then the key prefix, then last-modified.

    Precedence, highest first: the file itself (JSON fields, page metadata,
    trailing lines), ``x-amz-meta-*`` on the object, the ``<outlet-domain>/``
    key prefix, and for the date only, the object's last-modified time.
    """
    meta = {k.lower().removeprefix("x-amz-meta-"): v for k, v in ref.metadata.items()}
    if document.url is None and meta.get("url"):
        document.url = meta["url"]
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
        document.outlet, document.outlet_name = outlet, name_for_domain
    elif name is not None:
        document.outlet, document.outlet_name = None, name
    if document.published is None and meta.get("published"):
        document.published = parse_datetime(meta["published"])
        document.published_source = "object_metadata" if document.published else None
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
    parsed = parse_object(data, ref, limit=deps.max_object_bytes)
    report = IngestReport(key=ref.key, documents=len(parsed.documents), errors=parsed.errors)
    if not parsed.documents and parsed.errors:
        raise parsed.errors[0]
    for error in parsed.errors:
        deps.failures.record(error, ref)
    entries, written = index_documents(parsed.documents, ref, deps, now=now)
    report.entries = len(entries)
    report.created, report.updated = written.created, written.updated
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
