"""The search API's parameters and responses (what clients send and get)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

Sort = Literal["relevance", "newest", "oldest"]


class SearchParams(BaseModel):
    """Validated search parameters; the query builder's only input."""

    q: str | None = Field(default=None, max_length=500)
    entity: list[str] = Field(default_factory=list, max_length=20)
    outlet: list[str] = Field(default_factory=list, max_length=20)
    date_from: datetime | None = None
    date_to: datetime | None = None
    sort: Sort = "relevance"
    size: int = Field(default=10, ge=1, le=100)
    search_after: list[str | int | float] | None = None
    facet_size: int = Field(default=10, ge=1, le=50)


class FacetValue(BaseModel):
    value: str
    label: str | None = None
    count: int
    selected: bool = False


class Hit(BaseModel):
    id: str
    title: str | None
    snippet: str
    outlet: str | None
    outlet_name: str | None
    url: str | None
    published: datetime | None
    authors: list[str]
    entities: list[str]
    cited_outlets: list[str]
    cluster: str
    score: float | None = None


class SearchResponse(BaseModel):
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue] | dict[str, list[FacetValue]]]
    next_cursor: str | None


class HealthResponse(BaseModel):
    status: Literal["ok", "degraded"]
    opensearch: str
    index: bool
    entries: int | None = None
