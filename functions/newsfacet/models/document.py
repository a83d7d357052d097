"""A document is one uploaded object; it yields one or more entry drafts."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

Format = Literal["text", "html", "json", "jsonl"]
PublishedSource = Literal["object_metadata", "page", "text", "liveblog", "s3_last_modified"]


class ObjectRef(BaseModel):
    """Where an object lives, and what S3 told us about it."""

    bucket: str
    key: str
    version_id: str | None = None
    etag: str | None = None
    size: int | None = None
    last_modified: datetime | None = None
    metadata: dict[str, str] = Field(default_factory=dict)

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


class RawArticle(BaseModel):
    """One article as a format decoder found it, before cleaning.

    Exactly one of ``text`` and ``html`` is set. The other fields carry
    whatever the container (JSON fields, trailing lines, page metadata) said.
    """

    text: str | None = None
    html: str | None = None
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: datetime | None = None
    authors: list[str] = Field(default_factory=list)
    language: str | None = None
    position: int = 0


class EntryDraft(BaseModel):
    """An entry before it has an id, entities and fingerprints."""

    title: str | None = None
    text: str
    author: str | None = None
    published: datetime | None = None


class ParsedDocument(BaseModel):
    """Everything ingest learned from one article, minus indexing."""

    format: Format
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    outlet_name: str | None = None
    published: datetime | None = None
    published_source: PublishedSource | None = None
    language: str | None = None
    authors: list[str] = Field(default_factory=list)
    cited_outlets: list[str] = Field(default_factory=list)
    entries: list[EntryDraft] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    # Paragraphs cleaning took out, each with the rule that did: {"rule", "line"}.
    removed: list[dict[str, str]] = Field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(entry.text for entry in self.entries)
