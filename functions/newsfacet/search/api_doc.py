"""Text and error schemas of the OpenAPI document (kept out of the handler module)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from newsfacet.models.api import (
    MAX_DATE_BUCKETS,
    MAX_DEPTH,
    MAX_EXPORT,
    MAX_FACET_SIZE,
    MAX_FILTER_VALUES,
    MAX_FILTERS_TOTAL,
    MAX_PAGE_SIZE,
    MAX_QUERY_CHARS,
    MAX_QUERY_TERMS,
)
from newsfacet.models.responses import ErrorResponse, HealthResponse

API_TITLE = "newsfacet search API"
API_VERSION = "1.1.0"
API_DESCRIPTION = f"""\
Faceted search over news entries (whole articles and live-blog posts), ingested from an
S3 bucket, deduplicated into stories and tagged with people, organisations and places.

**Query syntax (`q`).** Words are all required. `OR` (or `|`) between words or groups,
`AND` (the default), `NOT word` or `-word` to exclude, `+word` to require, `"a phrase"`,
`prefix*` (two characters at least), `( )` groups, and `title:`, `author:`, `outlet:`
before a word, phrase or group. Operators are upper case; `OR` binds tighter than
`AND` (`Belgorod OR Kyiv raid` is `(Belgorod OR Kyiv) AND raid`). A known name of an
entity also matches its other names (`Kiev` finds Kyiv, `RDK` finds the Russian
Volunteer Corps). Nothing typed is an error: unbalanced quotes and parentheses are
closed, stray operators are read as words.

**Facets.** `outlet`, `cited_outlet`, `language` and `author` are multi-select: values
of one parameter are OR-ed, and each of these facets counts with every other filter but
not its own, so a reader can tick a second outlet. `entity` values are AND-ed
(drill-down); the entity facets count entries that match everything selected so far.
`exclude_*` parameters leave values out; an excluded multi-select value stays listed
(`excluded: true`) with the count it would bring. Every facet count is a number of
entries (`counts: "entries"` on each facet); `stories` per value with
`facet_stories=true`. The outlet facet lists entries with no known outlet as
`unknown` (also a filter value).

**Dates.** `published` is null when no source gives a publication time; the upload
time is `ingested_at`, never `published`; `published_source` and `warnings` say how.
The date facet ranges over dated entries only and reports the others in `undated`;
its buckets carry `label`, `start`, `end` and an `interval` from the same vocabulary
as the `interval` parameter. `undated=exclude|only` filters them; `sort=newest|oldest`
puts them last.

**Counts.** `counts` has `entries`, `stories` and `undated`; `total` is
`counts.stories` with `dedup=true` (the default, one hit per story, copies in
`also_reported_by`) and `counts.entries` otherwise; `unit` says which.

**Paging.** Send `next_cursor` back as `cursor` with the same parameters. Cursors are
signed and bound to their query; pages stay consistent while new entries arrive. A
page can hold fewer than `size` hits when many copies are skipped: only a null
`next_cursor` marks the end. A cursor idle for more than 2 minutes may expire (400, start
again).

**Export.** `/export` takes the same filters and writes every matching entry once
(NDJSON or CSV), newest first, at most {MAX_EXPORT:,} and 5 MB; `X-Export-Count`,
`X-Export-Total` and `X-Export-Complete` say whether that is all.

**Limits.** `size` ≤ {MAX_PAGE_SIZE}; facet sizes ≤ {MAX_FACET_SIZE};
≤ {MAX_FILTER_VALUES} values per filter and ≤ {MAX_FILTERS_TOTAL} in all;
`q` ≤ {MAX_QUERY_CHARS} characters and {MAX_QUERY_TERMS} words or phrases;
≤ {MAX_DATE_BUCKETS:,} date buckets; paging stops after {MAX_DEPTH:,} results. Repeated
parameters may also be comma-separated, so a single value cannot contain a comma (API
Gateway joins repeated values with commas). The deployment throttles the whole API
(`ApiThrottlingRateLimit`, `ApiThrottlingBurstLimit`: 429 past them).

**Errors.** 400 (an unknown parameter, or a value that cannot be used) and 422 (wrong
type or range) name the parameter; 404 unknown entry; 503 when OpenSearch is down,
slow or the index is missing.
"""


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"model": ErrorResponse}}}


ERROR_RESPONSES: dict[int, dict[str, Any]] = {
    400: _error(
        "An unknown parameter (with the `known` ones listed), or a value that cannot be "
        "used (named in `parameter`)."
    ),
    404: _error("No such entry or route."),
    422: _error("A parameter has the wrong type or is out of range (named in `parameter`)."),
    503: _error("OpenSearch is unreachable, timed out, or the index is missing."),
}

HEALTH_RESPONSES: dict[int, dict[str, Any]] = {
    200: {
        "description": "OpenSearch reachable and the index present.",
        "content": {"application/json": {"model": HealthResponse}},
    },
    503: {
        "description": "OpenSearch unreachable, unhealthy, or the index is missing.",
        "content": {"application/json": {"model": HealthResponse}},
    },
}


EXPORT_RESPONSES: dict[int, dict[str, Any]] = {
    200: {
        "description": (
            "Every matching entry, one JSON object per line (ndjson) or a CSV row; "
            "X-Export-Count / X-Export-Total / X-Export-Complete headers."
        ),
        "content": {
            "application/x-ndjson": {"schema": {"type": "string"}},
            "text/csv": {"schema": {"type": "string"}},
        },
    },
    **ERROR_RESPONSES,
}


def responses(model: type[BaseModel], description: str = "Success.") -> dict[int, dict[str, Any]]:
    """The route's success response and every error it can answer."""
    ok = {"description": description, "content": {"application/json": {"model": model}}}
    return {200: ok, **ERROR_RESPONSES}


def _inline(schema: Any, defs: dict[str, Any]) -> Any:
    """A field schema with its ``$ref``s replaced, ``title``s dropped, ``null`` left out."""
    if isinstance(schema, list):
        return [_inline(s, defs) for s in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return _inline(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    out = {k: _inline(v, defs) for k, v in schema.items() if k != "title"}
    if "anyOf" in out:
        # A query parameter is absent or a value; "null" cannot be sent.
        options = [o for o in out["anyOf"] if o != {"type": "null"}]
        if len(options) == 1:
            merged = {**out, **options[0]}
            del merged["anyOf"]
            return merged
        out["anyOf"] = options
    return out


def refine_parameters(document: dict[str, Any], queries: dict[str, type[BaseModel]]) -> None:
    """Give each query parameter declared by a model its full schema (limits, enums, arrays).

    Powertools expands ``Annotated[Model, Query()]`` into one parameter per
    field but gives each only a basic type; the limits are in the model, so
    they are copied from its JSON schema here, never written twice.

    Args:
        document: the resolver's OpenAPI document, changed in place.
        queries: OpenAPI path -> the model of its query parameters.
    """
    for path, model in queries.items():
        schema = model.model_json_schema(by_alias=True)
        props, defs = schema.get("properties", {}), schema.get("$defs", {})
        for parameter in document["paths"][path]["get"].get("parameters", []):
            if parameter["in"] == "query" and parameter["name"] in props:
                field = _inline(props[parameter["name"]], defs)
                field.pop("description", None)  # the parameter carries it
                if field.get("default", 0) is None:
                    del field["default"]
                parameter["schema"] = field
