"""The entry: the unit of search, as stored in OpenSearch."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from newsfacet.models.document import PublishedSource

# The entity types, declared once: facets, filters, the mapping and the tagger follow this.
EntityType = Literal["PERSON", "ORG", "LOC"]
ENTITY_TYPES: tuple[EntityType, ...] = get_args(EntityType)


def entity_field(entity_type: EntityType) -> str:
    """The index field holding one type's canonical names (``entities_person``...)."""
    return f"entities_{entity_type.lower()}"


class Entity(BaseModel):
    """One mention of a named entity, with its canonical key."""

    model_config = ConfigDict(frozen=True)

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

    model_config = ConfigDict(frozen=True)

    bucket: str
    key: str
    version_id: str | None = None
    etag: str | None = None
    first_seen: datetime
    last_seen: datetime


class Entry(BaseModel):
    """A whole article or one post of a live blog, ready to index.

    Stages hand on copies (``model_copy``); none edits an entry in place.
    """

    model_config = ConfigDict(frozen=True)

    id: str
    kind: Literal["article", "liveblog_post"] = "article"
    title: str | None = None
    body: str
    # Null when no source gives it (see ``warnings``); never the upload time.
    published: datetime | None = None
    published_source: PublishedSource | None = None
    # When the first object carrying this entry was uploaded (S3 last-modified).
    ingested_at: datetime | None = None
    outlet: str | None = None
    outlet_name: str | None = None
    url: str | None = None
    language: str | None = None
    authors: list[str] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)
    # The keys the entry is filed under after the operator's curation (tag_unit sets
    # them); None: the tagger's own keys. ``entities`` keeps what the tagger said.
    entity_keys: list[str] | None = None
    cited_outlets: list[str] = Field(default_factory=list)
    document_title: str | None = None
    position: int = 0
    fingerprint: str
    lsh_bands: list[str] = Field(default_factory=list)
    # MinHash values (ingest/minhash.py); stored unindexed for candidate verification.
    minhash: list[int] = Field(default_factory=list)
    cluster: str
    sources: list[Source] = Field(default_factory=list)
    # What ingest could not decide or had to guess, in words.
    warnings: list[str] = Field(default_factory=list)

    @property
    def tagged_keys(self) -> list[str]:
        """The tagger's keys (``TYPE:Name``), sorted."""
        return sorted({e.key for e in self.entities})

    @property
    def filed_keys(self) -> list[str]:
        """The keys the entry is filed under: curated when curation ran, else the tagger's."""
        return self.entity_keys if self.entity_keys is not None else self.tagged_keys
