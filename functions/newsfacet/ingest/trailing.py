"""Metadata lines that scrapers append to text files: a URL, a timestamp, a numeric id.

A Google News RSS link among them is decoded to the publisher URL inside its
base64 payload, which later gives the outlet.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from datetime import datetime

from newsfacet.ingest.dates import parse_datetime

_URL_LINE = re.compile(r"^https?://\S+$")
_ID_LINE = re.compile(r"^\d{6,20}$")
_GOOGLE_NEWS = re.compile(
    r"^https?://news\.google\.com/(?:rss/)?articles/(?P<payload>[A-Za-z0-9_-]+)"
)


def decode_google_news_url(url: str) -> str | None:
    """Return the publisher URL inside a Google News RSS article link, if it carries one.

    The path segment is URL-safe base64 of a small protobuf message whose
    field 4 (tag byte 0x22) is the publisher URL. Newer links hold an opaque
    id instead; for those this returns None.
    """
    match = _GOOGLE_NEWS.match(url)
    if not match:
        return None
    payload = match["payload"]
    try:
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    except (binascii.Error, ValueError):
        return None
    pos = 0
    while pos < len(raw):
        tag = raw[pos]
        pos += 1
        wire_type = tag & 0x07
        if wire_type == 0:  # varint
            while pos < len(raw) and raw[pos] & 0x80:
                pos += 1
            pos += 1
        elif wire_type == 2:  # length-delimited
            length, shift = 0, 0
            while pos < len(raw):
                byte = raw[pos]
                pos += 1
                length |= (byte & 0x7F) << shift
                shift += 7
                if not byte & 0x80:
                    break
            value = raw[pos : pos + length]
            pos += length
            if tag >> 3 == 4 and value.startswith((b"http://", b"https://")):
                return value.decode("utf-8", errors="replace")
        else:
            return None
    return None


@dataclass
class TrailingMetadata:
    """What the last lines of a scraped text file said about it."""

    url: str | None = None
    publisher_url: str | None = None
    published: datetime | None = None
    source_id: str | None = None
    lines_used: int = 0
    warnings: list[str] = field(default_factory=list)


def read_trailing_metadata(lines: list[str]) -> TrailingMetadata:
    """Read the URL / timestamp / numeric id lines that scrapers append to text files.

    Reads from the end and stops at the first line that is none of these, so
    story text is never taken as metadata.
    """
    meta = TrailingMetadata()
    index = len(lines) - 1
    while index >= 0 and meta.lines_used < 4:
        line = lines[index].strip()
        if not line:
            index -= 1
            meta.lines_used += 1
            continue
        if _URL_LINE.match(line) and meta.url is None:
            meta.url = line
            meta.publisher_url = decode_google_news_url(line) or (
                None if "news.google." in line else line
            )
        elif _ID_LINE.match(line) and meta.source_id is None:
            meta.source_id = line
        elif (stamp := parse_datetime(line)) is not None and meta.published is None:
            meta.published = stamp
        else:
            break
        index -= 1
        meta.lines_used += 1
    # Blank lines counted above but not followed by metadata belong to the story.
    while meta.lines_used and not lines[len(lines) - meta.lines_used].strip():
        meta.lines_used -= 1
    if meta.url and not meta.publisher_url:
        meta.warnings.append("trailing Google News link carries no publisher URL")
    return meta
