"""The search API's parameters (what clients send); responses are in ``models/responses.py``.

Every query parameter is declared once, here: the route handlers take these
models (``Annotated[SearchQuery, Query()]``), so the resolver validates them
and the OpenAPI document describes them from the same declaration. Limits
are constants of this module and nothing copies them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from newsfacet.models.curation_table import EMPTY as EMPTY_CURATION
from newsfacet.models.curation_table import CurationTable
from newsfacet.models.entry import EntityType

Sort = Literal["relevance", "newest", "oldest"]
# One interval vocabulary: what `interval` accepts is what the date facet reports.
Interval = Literal["auto", "hour", "day", "week", "month", "quarter", "year"]
BucketInterval = Literal["hour", "day", "week", "month", "quarter", "year"]
Undated = Literal["include", "exclude", "only"]
# Facets with values (searchable by /facets/{name}); the date facet has buckets instead.
ValueFacetName = Literal["person", "org", "loc", "outlet", "cited_outlet", "language", "author"]
FacetName = Literal[ValueFacetName, "date"]
ExportFormat = Literal["ndjson", "csv"]
CountUnit = Literal["entries", "stories"]

# Limits a client cannot exceed; each one bounds work a single request can cause.
MAX_PAGE_SIZE = 100
MAX_FILTER_VALUES = 20
MAX_FILTERS_TOTAL = 40
MAX_VALUE_CHARS = 200
MAX_FACET_SIZE = 50
DEFAULT_FACET_SIZE = 10
MAX_QUERY_CHARS = 500
MAX_QUERY_TERMS = 32
MAX_DEPTH = 10_000
MAX_DATE_BUCKETS = 1_000
MAX_EXPORT = 10_000
MAX_PREFIX_CHARS = 50
MAX_CURSOR_CHARS = 2048
ALL_FACETS: tuple[FacetName, ...] = (
    "person",
    "org",
    "loc",
    "outlet",
    "cited_outlet",
    "language",
    "author",
    "date",
)
# The value that stands for "no outlet known" in the outlet facet and filter.
UNKNOWN_OUTLET = "unknown"


def _values(description: str) -> list[str]:
    return Field(default_factory=list, max_length=MAX_FILTER_VALUES, description=description)


class FilterQuery(BaseModel):
    """The filters every search-like route shares (``/search``, ``/export``, ``/facets``)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=False)

    q: str | None = Field(
        default=None,
        max_length=MAX_QUERY_CHARS,
        description=(
            "Query text over title (weighted) and body. Words are all required; "
            "`OR` (or `|`) between words or groups; `AND`; `NOT word` or `-word` excludes; "
            '`+word` requires; `"a phrase"`; `prefix*` (two characters at least); '
            "`( )` groups; `title:`, `author:` and `outlet:` restrict a word or phrase to that "
            "field. Operators are upper case; lower-case and, or, not are words. A known name "
            "of an entity also finds its other names (Kiev finds Kyiv, RDK finds Russian "
            "Volunteer Corps). Nothing typed is an error: unbalanced quotes or parentheses "
            "are closed, stray operators are read as words."
        ),
    )
    entity: list[str] = _values(
        "Repeatable, AND-ed. A canonical key such as `PERSON:Vyacheslav Gladkov`, a known "
        "alias (`Kiev`, `RDK`), or a name that resolves to the most frequent matching entity."
    )
    exclude_entity: list[str] = _values(
        "Repeatable. Leave out entries mentioning any of these entities (same forms as `entity`)."
    )
    entity_type: EntityType | None = Field(
        default=None,
        description="Resolve `entity` names within this type only, and show only its facet.",
    )
    outlet: list[str] = _values(
        "Publisher, repeatable, OR-ed: its domain (`independent.co.uk`), its display name "
        f"(`The Independent`) or a known alias (`Indy`); `{UNKNOWN_OUTLET}` for entries whose "
        "outlet is not known."
    )
    exclude_outlet: list[str] = _values("Leave out these outlets (same forms as `outlet`).")
    cited_outlet: list[str] = _values("Outlet cited inside the text (domain), repeatable, OR-ed.")
    exclude_cited_outlet: list[str] = _values("Leave out entries citing any of these outlets.")
    lang: list[str] = _values("Language code, repeatable, OR-ed.")
    exclude_lang: list[str] = _values("Leave out these languages.")
    author: list[str] = _values(
        "Author as listed on entries (exact, as the `author` facet shows it), repeatable, OR-ed."
    )
    exclude_author: list[str] = _values("Leave out entries by any of these authors.")
    date_from: str | None = Field(
        default=None,
        alias="from",
        max_length=40,
        description="Inclusive start: YYYY-MM-DD (start of that day in `tz`) or ISO 8601.",
    )
    date_to: str | None = Field(
        default=None,
        alias="to",
        max_length=40,
        description="Inclusive end: YYYY-MM-DD (the whole day in `tz`) or ISO 8601.",
    )
    undated: Undated = Field(
        default="include",
        description=(
            "Entries with no known publication time: `include` (default; they match no "
            "`from`/`to` range), `exclude`, or `only`."
        ),
    )
    tz: str = Field(
        default="UTC",
        max_length=64,
        description=(
            "IANA time zone for dates without an offset and for the date histogram "
            "(`Europe/London`). Zones OpenSearch cannot use (EST, localtime...) are a 400."
        ),
    )


class SearchQuery(FilterQuery):
    """Parameters of ``GET /search``."""

    sort: Sort = Field(
        default="relevance",
        description=(
            "`relevance`, `newest` or `oldest`; undated entries come last in both date orders."
        ),
    )
    size: int = Field(default=10, ge=1, le=MAX_PAGE_SIZE, description="Hits per page.")
    cursor: str | None = Field(
        default=None,
        max_length=MAX_CURSOR_CHARS,
        description="Opaque `next_cursor` of the previous page, for the same parameters.",
    )
    dedup: bool = Field(
        default=True,
        description="Show each story (cluster of near-duplicates) once, with `also_reported_by`.",
    )
    facets: list[str] = Field(
        default_factory=list,
        max_length=len(ALL_FACETS) + 1,
        description=(
            "Which facets and how many values: `outlet:20`, `person`, `entity:5` (all three "
            "entity types), `author`, `date`; repeatable or comma-separated; `none` for no "
            "facets. Default: every facet, 10 values."
        ),
    )
    interval: Interval = Field(
        default="auto",
        description=(
            "Date histogram bucket; `auto` picks from the range of dates asked for or held."
        ),
    )
    facet_stories: bool = Field(
        default=False,
        description=(
            "Also count distinct stories (clusters) per facet value. Its cost grows with the "
            "matching entries; past a 2 s budget inside OpenSearch the page comes with "
            "`stories: null` on every facet value instead."
        ),
    )


class ExportQuery(FilterQuery):
    """Parameters of ``GET /export``: the filters of a search, a format and a bound."""

    format: ExportFormat = Field(default="ndjson", description="`ndjson` or `csv`.")
    limit: int = Field(
        default=MAX_EXPORT,
        ge=1,
        le=MAX_EXPORT,
        description=f"Entries to write at most (≤ {MAX_EXPORT:,}); newest first, undated last.",
    )
    body: bool = Field(
        default=False,
        description="Include each entry's full text (the response stops short of 5 MB).",
    )


class FacetValuesQuery(FilterQuery):
    """Parameters of ``GET /facets/{name}``: search within one facet's values."""

    prefix: str | None = Field(
        default=None,
        max_length=MAX_PREFIX_CHARS,
        description=(
            "Start of the value or of any word of it (case and accents ignored); "
            "outlets also match their display name. Omit for the top values."
        ),
    )
    size: int = Field(default=DEFAULT_FACET_SIZE, ge=1, le=MAX_FACET_SIZE)


class EntitiesQuery(BaseModel):
    """Parameters of ``GET /entities``."""

    model_config = ConfigDict(extra="forbid")

    prefix: str | None = Field(
        default=None,
        max_length=MAX_PREFIX_CHARS,
        description="Start of any word of the name (case and accents ignored); omit for the top.",
    )
    type: EntityType | None = None
    size: int = Field(default=10, ge=1, le=MAX_FACET_SIZE)


class OutletsQuery(BaseModel):
    """Parameters of ``GET /outlets``."""

    model_config = ConfigDict(extra="forbid")

    size: int = Field(default=100, ge=1, le=1000)


class SearchParams(BaseModel):
    """Validated, resolved search parameters; the query builder's only input.

    Dates are absolute (``date_from`` inclusive, ``date_to`` exclusive when
    ``date_to_exclusive``), entities are canonical keys and outlets domains:
    ``search/params.py`` and the service do that work before the builder runs.
    """

    q: str | None = None
    entity: list[str] = Field(default_factory=list)
    exclude_entity: list[str] = Field(default_factory=list)
    entity_type: EntityType | None = None
    outlet: list[str] = Field(default_factory=list)
    exclude_outlet: list[str] = Field(default_factory=list)
    cited_outlet: list[str] = Field(default_factory=list)
    exclude_cited_outlet: list[str] = Field(default_factory=list)
    lang: list[str] = Field(default_factory=list)
    exclude_lang: list[str] = Field(default_factory=list)
    author: list[str] = Field(default_factory=list)
    exclude_author: list[str] = Field(default_factory=list)
    date_from: datetime | None = None
    date_to: datetime | None = None
    date_to_exclusive: bool = False
    undated: Undated = "include"
    tz: str = "UTC"
    sort: Sort = "relevance"
    size: int = Field(default=10, ge=1, le=MAX_PAGE_SIZE)
    dedup: bool = True
    facets: dict[FacetName, int] = Field(
        default_factory=lambda: dict.fromkeys(ALL_FACETS, DEFAULT_FACET_SIZE)
    )
    interval: Interval = "auto"
    facet_stories: bool = False
    # Pages after the first only see entries indexed up to the first page's
    # newest ``indexed_at`` (epoch ms), so arrivals never reshuffle a walk.
    snapshot_ms: int | None = None
    # The curation table of the moment (search/curation.py); not a parameter.
    curation: CurationTable = Field(default=EMPTY_CURATION, exclude=True)
