"""``/export``: every matching entry as NDJSON or CSV, bounded. Pure formatting.

The service walks the matches (``SearchService.export``: ``search_after`` in
a point in time); this module writes them. A Lambda response cannot exceed
6 MB, so the body stops before ``MAX_EXPORT_BYTES`` and the headers say how
many entries were written out of how many matched, and whether that is all.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any, Protocol

from newsfacet.models.api import ExportFormat, SearchParams

MAX_EXPORT_BYTES = 5 * 1024 * 1024
# The fields of an exported entry, in this order (CSV columns); ``body`` on request.
EXPORT_FIELDS = [
    "id",
    "title",
    "published",
    "published_source",
    "ingested_at",
    "outlet",
    "outlet_name",
    "url",
    "language",
    "authors",
    "entities",
    "cited_outlets",
    "cluster",
    "warnings",
]
CONTENT_TYPES = {"ndjson": "application/x-ndjson", "csv": "text/csv; charset=utf-8"}


class Exporter(Protocol):
    def export(
        self, params: SearchParams, limit: int, *, body: bool = False
    ) -> Iterable[dict[str, Any]]: ...

    def count(self, params: SearchParams) -> int: ...


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def _guard(value: str) -> str:
    # A cell starting with = + - @ is a formula to spreadsheet programs: quote it out.
    return "'" + value if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


def export_columns(with_body: bool) -> list[str]:
    return EXPORT_FIELDS + (["body"] if with_body else [])


def export_body(
    service: Exporter,
    params: SearchParams,
    fmt: ExportFormat,
    limit: int,
    *,
    with_body: bool = False,
) -> tuple[str, dict[str, str]]:
    """The whole response body and its headers."""
    total = service.count(params)
    columns = export_columns(with_body)
    out = io.StringIO()
    size = 0
    if fmt == "csv":
        csv.writer(out).writerow(columns)
        size = len(out.getvalue().encode("utf-8"))
    written = 0
    cut = False
    for row in service.export(params, limit, body=with_body):
        if fmt == "ndjson":
            line = json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n"
        else:
            buffer = io.StringIO()
            csv.writer(buffer).writerow([_guard(_csv_value(row.get(c))) for c in columns])
            line = buffer.getvalue()
        encoded = len(line.encode("utf-8"))
        if size + encoded > MAX_EXPORT_BYTES:
            cut = True
            break
        out.write(line)
        size += encoded
        written += 1
    headers = {
        "Content-Type": CONTENT_TYPES[fmt],
        "Content-Disposition": f'attachment; filename="newsfacet-export.{fmt}"',
        "X-Export-Count": str(written),
        "X-Export-Total": str(total),
        "X-Export-Complete": "true" if not cut and written == total else "false",
    }
    return out.getvalue(), headers
