"""The search API's responses (what clients get); the parameters are in ``models/api.py``."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from newsfacet.models.api import (
    BucketInterval,
    CountUnit,
)
from newsfacet.models.entry import EntityType


class ValueRef(BaseModel):
    """How one filter value was understood."""

    parameter: str = Field(description="The parameter it came in (`entity`, `exclude_outlet`...).")
    input: str = Field(description="The value as sent.")
    value: str | None = Field(
        description="What it filters on (canonical key, domain), or null if nothing matched."
    )


class EntityRef(BaseModel):
    """How one ``entity`` parameter was understood."""

    input: str = Field(description="The value as sent.")
    key: str | None = Field(
        description="The canonical key it resolved to (TYPE:Name), or null if nothing matched."
    )


class FacetValue(BaseModel):
    value: str = Field(description="What to send back as a filter (e.g. `PERSON:Name`).")
    label: str | None = Field(
        default=None, description="Display name, when there is one (outlets, entities, dates)."
    )
    count: int = Field(description="Matching entries if this value were (also) selected.")
    stories: int | None = Field(
        default=None,
        description="Distinct stories (clusters) among those entries; with facet_stories=true.",
    )
    selected: bool = False
    excluded: bool = Field(default=False, description="Sent in the matching `exclude_*`.")
    start: datetime | None = Field(
        default=None, description="Date facet: the bucket's first instant (in `tz`)."
    )
    end: datetime | None = Field(
        default=None, description="Date facet: the next bucket's first instant (exclusive)."
    )


class Facet(BaseModel):
    values: list[FacetValue]
    counts: CountUnit = Field(default="entries", description="What `count` counts: always entries.")
    interval: BucketInterval | None = Field(
        default=None, description="Date facet only: bucket width (the `interval` vocabulary)."
    )
    undated: int | None = Field(
        default=None,
        description="Date facet only: matching entries with no publication time (in no bucket).",
    )
    other: int | None = Field(
        default=None, description="Entries with a value beyond those listed (0 when all shown)."
    )


class Copy(BaseModel):
    """Another entry of the same story cluster (a near-duplicate)."""

    id: str
    title: str | None = None
    outlet: str | None = None
    outlet_name: str | None = None
    url: str | None = None
    published: datetime | None = None


class Hit(BaseModel):
    id: str
    title: str | None
    snippet: str = Field(description="HTML-escaped text with <mark> around matches.")
    outlet: str | None
    outlet_name: str | None
    url: str | None
    published: datetime | None = Field(description="Null when no source gives it.")
    published_source: str | None = None
    ingested_at: datetime | None = None
    warnings: list[str] = Field(
        default_factory=list, description="What ingest could not decide or had to guess."
    )
    language: str | None = None
    authors: list[str]
    entities: list[str]
    cited_outlets: list[str]
    cluster: str
    also_reported_by: list[Copy] = Field(
        default_factory=list, description="Other copies of this story (at most 10)."
    )
    copies: int = Field(
        default=1, description="Entries in this story's cluster, this one included."
    )
    score: float | None = None


class Counts(BaseModel):
    entries: int = Field(description="Entries matching every filter.")
    stories: int = Field(
        description=(
            "Distinct stories (clusters) among them (exact up to 40,000, approximate beyond)."
        )
    )
    undated: int = Field(description="Entries among them with no publication time.")


class SearchResponse(BaseModel):
    total: int = Field(
        description="Results the pages hold: `counts.stories` if dedup, else `counts.entries`."
    )
    unit: CountUnit = Field(description="What `total` and the hits count: stories or entries.")
    counts: Counts
    hits: list[Hit]
    facets: dict[str, Facet] = Field(description="Facet counts are entries (see `counts`).")
    next_cursor: str | None = Field(
        description="Send as `cursor` for the next page; null at the end."
    )
    entities: list[EntityRef] = Field(
        default_factory=list, description="How each `entity` parameter was resolved."
    )
    filters: list[ValueRef] = Field(
        default_factory=list,
        description="How each entity and outlet value (included or excluded) was understood.",
    )


class FacetValuesResponse(BaseModel):
    facet: str
    values: list[FacetValue]
    counts: CountUnit = "entries"


class EntrySource(BaseModel):
    bucket: str
    key: str
    version_id: str | None = None
    etag: str | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None


class Mention(BaseModel):
    text: str
    type: str
    canonical: str
    start: int
    end: int


class EntryResponse(BaseModel):
    id: str
    kind: str | None = None
    title: str | None = None
    body: str
    published: datetime | None = Field(default=None, description="Null when no source gives it.")
    published_source: str | None = None
    ingested_at: datetime | None = None
    warnings: list[str] = Field(default_factory=list)
    outlet: str | None = None
    outlet_name: str | None = None
    url: str | None = None
    language: str | None = None
    authors: list[str] = Field(default_factory=list)
    entities: list[str] = Field(default_factory=list)
    mentions: list[Mention] = Field(default_factory=list)
    cited_outlets: list[str] = Field(default_factory=list)
    cluster: str
    cluster_members: list[Copy] = Field(
        default_factory=list, description="Every other entry of the cluster (at most 100)."
    )
    sources: list[EntrySource] = Field(default_factory=list)


class EntitySuggestion(BaseModel):
    key: str = Field(description="Canonical key, usable as `entity`.")
    type: EntityType
    name: str
    count: int = Field(description="Entries that mention it.")


class EntitiesResponse(BaseModel):
    entities: list[EntitySuggestion]


class OutletStats(BaseModel):
    outlet: str
    name: str | None = None
    entries: int
    undated: int = Field(default=0, description="Entries of this outlet with no publication time.")
    first_published: datetime | None = None
    last_published: datetime | None = None


class OutletsResponse(BaseModel):
    outlets: list[OutletStats]


class HealthResponse(BaseModel):
    status: Literal["ok", "degraded", "unavailable"]
    opensearch: str
    index: bool
    entries: int | None = None


class ErrorResponse(BaseModel):
    error: str = Field(description="Machine-readable code.")
    message: str
    parameter: str | None = Field(default=None, description="The offending parameter, if any.")
    errors: list[dict[str, str]] | None = Field(
        default=None, description="Every problem found, each with parameter and message."
    )
    known: list[str] | None = Field(
        default=None, description="Unknown parameters: the parameters this route takes."
    )
