"""Text and error schemas of the OpenAPI document (kept out of the handler module)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from newsfacet.models.api import ErrorResponse, HealthResponse

API_DESCRIPTION = """\
Faceted search over news entries (whole articles and live-blog posts).

**Facets.** `outlet`, `cited_outlet` and `language` are multi-select: values of one
parameter are OR-ed, and each of these facets counts with every other filter but not
its own, so a reader can tick a second outlet. `entity` values are AND-ed (drill-down:
"Gladkov AND Belgorod"); the entity facets (`person`, `org`, `loc`) count entries that
match everything selected so far, so every count is exactly the result size after
adding that entity. Selected values are flagged and always listed, with 0 when they
match nothing. `q` and `from`/`to` narrow every facet; the date histogram shows empty
buckets across the selected range. Each value has `count` (entries) and `stories`
(distinct clusters).

**Deduplication.** Near-duplicate entries share a `cluster`. With `dedup=true` (the
default) each story appears once, at its best-ranked entry, with the other copies in
`also_reported_by`; `dedup=false` lists every copy.

**Paging.** Send `next_cursor` back as `cursor` with the same parameters. Cursors are
signed and bound to their query; pages stay consistent while new entries arrive. A
page can hold fewer than `size` hits when many copies are skipped: only a null
`next_cursor` marks the end. Paging stops after 10,000 results; a cursor idle for more
than 5 minutes may expire (400, start again).

**Limits.** `size` ≤ 100; facet sizes ≤ 50; ≤ 20 values per filter and ≤ 40 in all;
`q` ≤ 500 characters and 32 terms, prefixes need two characters; ≤ 1,000 date buckets.
Repeated parameters may also be comma-separated, so a single value cannot contain a
comma (API Gateway joins repeated values with commas).

**Errors.** 400 (unusable value) and 422 (wrong type or range) name the parameter;
404 unknown entry; 503 when OpenSearch is down, slow or the index is missing.
"""


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"model": ErrorResponse}}}


ERROR_RESPONSES: dict[int, dict[str, Any]] = {
    400: _error("A parameter's value cannot be used (named in `parameter`)."),
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


def responses(model: type[BaseModel], description: str = "Success.") -> dict[int, dict[str, Any]]:
    """The route's success response and every error it can answer."""
    ok = {"description": description, "content": {"application/json": {"model": model}}}
    return {200: ok, **ERROR_RESPONSES}
