"""The entry: the unit of search, as stored in OpenSearch."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

EntityType = Literal["PERSON", "ORG", "LOC"]


class Entity(BaseModel):
    """One mention of a named entity, with its canonical key."""

    start: int
    end: int
    text: str
    type: EntityType
    canonical: str

    @property
    def key(self) -> str:
        return f"{self.type}:{self.canonical}"


class Source(BaseModel):
    """An object an entry was read from."""

    bucket: str
    key: str
    version_id: str | None = None
    etag: str | None = None
    first_seen: datetime
    last_seen: datetime


class Entry(BaseModel):
    """A whole article or one post of a live blog, ready to index."""

    id: str
    kind: Literal["article", "liveblog_post"] = "article"
    title: str | None = None
    body: str
    published: datetime | None = None
    published_source: str | None = None
    outlet: str | None = None
    outlet_name: str | None = None
    url: str | None = None
    language: str | None = None
    authors: list[str] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)
    cited_outlets: list[str] = Field(default_factory=list)
    document_title: str | None = None
    position: int = 0
    fingerprint: str
    lsh_bands: list[str] = Field(default_factory=list)
    # MinHash values (ingest/minhash.py); stored unindexed for candidate verification.
    minhash: list[int] = Field(default_factory=list)
    cluster: str
    sources: list[Source] = Field(default_factory=list)
