"""Extraction from scraped text files, read line by line.

Trailing URL/timestamp/id lines are metadata, a short first line is the title
(after section labels), and "By Jane Doe" lines above the story are its
byline. Nothing here decides which source wins: the metadata stage does, once.
"""

from __future__ import annotations

import re

from newsfacet.errors import NoContentError
from newsfacet.ingest.layout import BY_LINE, take_title
from newsfacet.ingest.paragraphs import split_paragraphs, tidy_title
from newsfacet.ingest.trailing import read_trailing_metadata
from newsfacet.models.article import Article, Claims, Removal
from newsfacet.models.document import Format, ObjectRef, PublishedSource, RawArticle


def take_bylines(paragraphs: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Take "By Jane Doe" lines (among the first three) out of the text.

    Returns the names, the remaining paragraphs and the byline lines removed.
    """
    authors: list[str] = []
    kept: list[str] = []
    lines: list[str] = []
    for index, line in enumerate(paragraphs):
        match = BY_LINE.match(line) if index < 3 and len(line.split()) <= 8 else None
        if match and not line.rstrip().endswith("."):
            names = re.split(r"\s*(?:,|&|\band\b)\s*", match[1].strip())
            authors += [name.strip() for name in names if name.strip()]
            lines.append(line)
        else:
            kept.append(line)
    return authors, kept, lines


def extract_text_article(raw: RawArticle, ref: ObjectRef, *, fmt: Format = "text") -> Article:
    """A scraped text file: optional labels and title line, byline, paragraphs, trailing lines.

    Raises:
        NoContentError: no paragraph of text.
    """
    assert raw.text is not None
    lines = [line.rstrip() for line in raw.text.replace("\r\n", "\n").split("\n")]
    trailing = read_trailing_metadata(lines)
    body = lines[: len(lines) - trailing.lines_used] if trailing.lines_used else lines
    paragraphs = split_paragraphs("\n".join(body))
    if not paragraphs:
        raise NoContentError(key=ref.key)
    removed: list[Removal] = []
    title = tidy_title(raw.title)
    if title is None:
        title, paragraphs, labels = take_title(paragraphs)
        removed += [Removal("section_label", label) for label in labels]
    byline_authors, paragraphs, byline_lines = take_bylines(paragraphs)
    removed += [Removal("byline", line) for line in byline_lines]
    published = raw.published or trailing.published
    source: PublishedSource | None = None
    if published is not None:
        source = "page" if raw.published else "text"
    return Article(
        ref=ref,
        format=fmt,
        position=raw.position,
        paragraphs=tuple(paragraphs),
        claims=Claims(
            title=title,
            url=raw.url or trailing.publisher_url,
            outlet=raw.outlet,
            published=published,
            published_source=source,
            authors=tuple(raw.authors),
            byline_authors=tuple(byline_authors),
            language=raw.language,
        ),
        removed=tuple(removed),
        warnings=tuple(trailing.warnings),
    )
