"""The article record: one immutable value that every ingest stage reads and returns anew.

Each stage fills its own part and hands on a copy (``dataclasses.replace``):
extraction the paragraphs and what the file claims, the metadata stage the
decided URL/outlet/date/authors, cleaning the kept paragraphs and what it
removed, splitting the entries. No stage edits what an earlier one decided.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from newsfacet.models.document import EntryDraft, Format, ObjectRef, PublishedSource


@dataclass(frozen=True, slots=True)
class Claims:
    """What the file itself says about the article, before any other source is consulted."""

    title: str | None = None
    url: str | None = None
    # A domain or a display name, as the file wrote it ("bbc.co.uk", "Reuters").
    outlet: str | None = None
    # The page's own name for its site (og:site_name), used when our table lacks the domain.
    site_name: str | None = None
    published: datetime | None = None
    published_source: PublishedSource | None = None
    authors: tuple[str, ...] = ()
    # "By Jane Doe" lines above a scraped story: authors, below the file's own fields.
    byline_authors: tuple[str, ...] = ()
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Metadata:
    """URL, outlet, date and authors, decided once (``ingest/metadata.py``)."""

    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    outlet_name: str | None = None
    published: datetime | None = None
    published_source: PublishedSource | None = None
    authors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Removal:
    """A paragraph cleaning (or extraction) took out, and the rule that did."""

    rule: str
    line: str


@dataclass(frozen=True, slots=True)
class Article:
    """One article of one object, as far as the stages have taken it."""

    ref: ObjectRef
    format: Format
    paragraphs: tuple[str, ...]
    claims: Claims = field(default_factory=Claims)
    # Its place in the object (JSON array index or JSON Lines line number; 0 otherwise).
    position: int = 0
    # True when a structural extractor read the page: text-layout heuristics do not apply.
    from_html: bool = False
    # Posts the page declares itself (schema.org LiveBlogPosting), before splitting.
    posts: tuple[EntryDraft, ...] = ()
    meta: Metadata = field(default_factory=Metadata)
    # Decided by the cleaning stage: posts to split rather than one story.
    live_blog: bool = False
    entries: tuple[EntryDraft, ...] = ()
    language: str | None = None
    removed: tuple[Removal, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The kept text: entries once split, the paragraphs before."""
        if self.entries:
            return "\n\n".join(entry.text for entry in self.entries)
        return "\n".join(self.paragraphs)

    @property
    def identity(self) -> str:
        """What counts as one document for the learned template layer: its URL, else its place.

        Two snapshots of one live blog share a URL, so their shared posts never
        look like the outlet's template.
        """
        return self.meta.url or f"{self.ref.bucket}/{self.ref.key}#{self.position}"
