"""The search API's parameters and responses (what clients send and get)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from newsfacet.curation.table import EMPTY as EMPTY_CURATION
from newsfacet.curation.table import CurationTable

Sort = Literal["relevance", "newest", "oldest"]
EntityTypeName = Literal["PERSON", "ORG", "LOC"]
Interval = Literal["auto", "hour", "day", "week", "month", "quarter", "year"]
FacetName = Literal["person", "org", "loc", "outlet", "cited_outlet", "language", "date"]

# Limits a client cannot exceed; each one bounds work a single request can cause.
MAX_PAGE_SIZE = 100
MAX_FILTER_VALUES = 20
MAX_FILTERS_TOTAL = 40
MAX_FACET_SIZE = 50
DEFAULT_FACET_SIZE = 10
MAX_QUERY_CHARS = 500
MAX_QUERY_TERMS = 32
MAX_DEPTH = 10_000
MAX_DATE_BUCKETS = 1_000
ALL_FACETS: tuple[FacetName, ...] = (
    "person",
    "org",
    "loc",
    "outlet",
    "cited_outlet",
    "language",
    "date",
)


class EntityRef(BaseModel):
    """How one ``entity`` parameter was understood."""

    input: str = Field(description="The value as sent.")
    key: str | None = Field(
        description="The canonical key it resolved to (TYPE:Name), or null if nothing matched."
    )


class SearchParams(BaseModel):
    """Validated, resolved search parameters; the query builder's only input.

    Dates are already absolute (``date_from`` inclusive, ``date_to_exclusive``
    or ``date_to`` inclusive) and entities are canonical keys; the handler and
    the service do that work before the builder runs.
    """

    q: str | None = Field(default=None, max_length=MAX_QUERY_CHARS)
    entity: list[str] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    entity_type: EntityTypeName | None = None
    outlet: list[str] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    cited_outlet: list[str] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    lang: list[str] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    date_from: datetime | None = None
    date_to: datetime | None = None
    date_to_exclusive: bool = False
    tz: str = "UTC"
    sort: Sort = "relevance"
    size: int = Field(default=10, ge=1, le=MAX_PAGE_SIZE)
    dedup: bool = True
    facets: dict[FacetName, int] = Field(
        default_factory=lambda: dict.fromkeys(ALL_FACETS, DEFAULT_FACET_SIZE)
    )
    interval: Interval = "auto"
    facet_stories: bool = False
    search_after: list[str | int | float | None] | None = None
    # Pages after the first only see entries indexed up to the first page's
    # newest ``indexed_at`` (epoch ms), so arrivals never reshuffle a walk.
    snapshot_ms: int | None = None
    # The curation table of the moment (search/curation.py); not a parameter.
    curation: CurationTable = Field(default=EMPTY_CURATION, exclude=True)


class FacetValue(BaseModel):
    value: str = Field(description="What to send back as a filter (e.g. `PERSON:Name`).")
    label: str | None = Field(default=None, description="Display name, when it differs.")
    count: int = Field(description="Matching entries if this value were (also) selected.")
    stories: int | None = Field(
        default=None,
        description="Distinct stories (clusters) among those entries; with facet_stories=true.",
    )
    selected: bool = False


class Facet(BaseModel):
    values: list[FacetValue]
    interval: str | None = Field(default=None, description="Date facet only: bucket width.")


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
    published: datetime | None
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
        description="Distinct clusters among them (exact up to 40,000, approximate beyond)."
    )


class SearchResponse(BaseModel):
    total: int = Field(description="Results the pages hold: stories if dedup, else entries.")
    counts: Counts
    hits: list[Hit]
    facets: dict[str, Facet]
    next_cursor: str | None = Field(
        description="Send as `cursor` for the next page; null at the end."
    )
    entities: list[EntityRef] = Field(
        default_factory=list, description="How each `entity` parameter was resolved."
    )


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
    published: datetime | None = None
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
    type: EntityTypeName
    name: str
    count: int = Field(description="Entries that mention it.")


class EntitiesResponse(BaseModel):
    entities: list[EntitySuggestion]


class OutletStats(BaseModel):
    outlet: str
    name: str | None = None
    entries: int
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
