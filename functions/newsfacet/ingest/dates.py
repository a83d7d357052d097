"""Dates in the many spellings news carries, always returned in UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime

# "24 May 2023 04:30", the byline stamp of live-blog posts.
_DAY_MONTH_YEAR_TIME = re.compile(
    r"(?P<day>\d{1,2}) (?P<month>[A-Z][a-z]+) (?P<year>\d{4})(?: (?P<time>\d{1,2}:\d{2}))?"
)


def parse_datetime(value: str) -> datetime | None:
    """Parse ISO 8601, ``2023-05-24 05:59:45Z``, epoch seconds or ``24 May 2023 04:30``.

    Naive times are taken as UTC; the result is always timezone-aware UTC.
    """
    value = value.strip()
    if not value:
        return None
    if re.fullmatch(r"\d{10}(\.\d+)?|\d{13}", value):
        seconds = float(value) / (1000 if len(value) == 13 else 1)
        return datetime.fromtimestamp(seconds, tz=UTC)
    iso = value.replace("Z", "+00:00").replace("z", "+00:00")
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        parsed = None
    if parsed is None:
        match = _DAY_MONTH_YEAR_TIME.fullmatch(value)
        if not match:
            return None
        fmt = "%d %B %Y %H:%M" if match["time"] else "%d %B %Y"
        text = " ".join(
            part for part in (match["day"], match["month"], match["year"], match["time"]) if part
        )
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            try:
                parsed = datetime.strptime(text, fmt.replace("%B", "%b"))
            except ValueError:
                return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
