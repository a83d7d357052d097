"""Text and error schemas of the admin API's OpenAPI document (kept out of the handler module)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from newsfacet.models.responses import ErrorResponse

ADMIN_DESCRIPTION = """\
Curation of entity values: merge two, rename one, hide one; list the changes; undo one.

**Access.** On AWS every `/admin/` route takes IAM (SigV4-signed) callers only, whatever
the search API's `ApiAuth`; the caller's ARN is recorded as `who`. The local stack
serves it open, recording `local:<x-newsfacet-actor header>`.

**Keys** are facet values, `TYPE:Name` (`ORG:Russian Volunteer Corps`). A merge files
every entry of the source under the target (types may differ); a rename is a merge into
a new name of the same type; a hidden value leaves facets, filters and entries.

**When it shows.** Search reads every change at once (within `NEWSFACET_CURATION_PROBE_S`,
1 s by default): filters on a value match entries still stored under a merged key, facet
counts stay exact, hidden values leave the facets. Stored entries are rewritten in the
background (`status` turns `applied`); ingest files new entries under the curated keys.

**Undo** replays the changes without the one undone: facets, filters and stored entries
return to what they were (later changes still hold where they can).

**Errors.** 400/422 bad key or body; 404 unknown key (no entry carries it) or change;
409 the change would do nothing or contradicts the table (already merged, hidden,
undone); 503 OpenSearch or the curation queue failed.
"""


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"model": ErrorResponse}}}


ADMIN_ERRORS: dict[int, dict[str, Any]] = {
    400: _error("A key or name cannot be used."),
    404: _error("No entry carries the key, or no such change."),
    409: _error("The change would do nothing, or contradicts the recorded ones."),
    422: _error("The body or a parameter has the wrong shape."),
    503: _error("OpenSearch or the curation queue failed (the message says what was recorded)."),
}


def admin_responses(
    model: type[BaseModel], status: int = 200, description: str = "Success."
) -> dict[int, dict[str, Any]]:
    ok = {"description": description, "content": {"application/json": {"model": model}}}
    return {status: ok, **ADMIN_ERRORS}
