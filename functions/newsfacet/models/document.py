"""What ingest reads: an object in the bucket, the raw articles inside it, and entry drafts."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Format = Literal["text", "html", "json", "jsonl"]
# Where an entry's publication time came from; None (with a warning) when no source gives one.
# The upload time is never one of them: it is kept apart, as ``ingested_at``.
PublishedSource = Literal["page", "text", "object_metadata", "liveblog"]


class ObjectRef(BaseModel):
    """Where an object lives, and what S3 told us about it."""

    bucket: str
    key: str
    version_id: str | None = None
    etag: str | None = None
    size: int | None = None
    last_modified: datetime | None = None
    metadata: dict[str, str] = Field(default_factory=dict)
    # The first article to read (JSON Lines line number, JSON array index): a large
    # object is ingested in parts, each message carrying where its part starts.
    start: int = 0

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    def user_metadata(self) -> dict[str, str]:
        """``x-amz-meta-*`` values by lower-case name without the prefix (``url``, ``outlet``)."""
        return {k.lower().removeprefix("x-amz-meta-"): v for k, v in self.metadata.items()}


class RawArticle(BaseModel):
    """One article as a format decoder found it, before extraction.

    Exactly one of ``text`` and ``html`` is set. The other fields carry
    whatever the container (JSON fields) said.
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
    """An entry before it has an id, entities and fingerprints: a whole article or one post."""

    model_config = ConfigDict(frozen=True)

    title: str | None = None
    text: str
    author: str | None = None
    published: datetime | None = None
    # Outlets this entry's own text cites as sources (never the publisher).
    cited_outlets: tuple[str, ...] = ()
