"""Extraction from scraped text files, read line by line.

Trailing URL/timestamp/id lines are metadata, a short first line is the title
(after section labels), and "By Jane Doe" lines above the story are its
byline. Nothing here decides which source wins: the metadata stage does, once.
"""

from __future__ import annotations

import re

from newsfacet.errors import NoContentError
from newsfacet.ingest.boilerplate import is_headline_like
from newsfacet.ingest.liveblog import BYLINE
from newsfacet.ingest.trailing import read_trailing_metadata
from newsfacet.models.article import Article, Claims, Removal
from newsfacet.models.document import Format, ObjectRef, PublishedSource, RawArticle

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b]+")
_YEAR_SUFFIX = re.compile(r"\s*\((?:19|20)\d\d\)$")
# "By Jane Doe and John Roe": a byline line above the story, not a sentence of it.
# Names are capitalised words: "By Monday, the troops had left" is no byline.
_BY_LINE = re.compile(r"^(?i:by)\s+((?:[A-Z][\w.'’-]*|and|&|,|\s)+?)(?:\s*[|–-]\s*.*)?$")
# A title line in a scraped file is short; a first line longer than this is story.
MAX_TITLE_WORDS = 20
# Section labels scrapers keep above the title ("News Update", "USAWorld News").
MAX_LABEL_WORDS = 3


def split_paragraphs(text: str) -> list[str]:
    """One paragraph per non-blank line, inner whitespace folded."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n"))
    return [line for line in lines if line]


def tidy_title(title: str | None) -> str | None:
    """Fold spaces and drop the "(2023)" year tag that scraper sites append to titles."""
    if not title:
        return None
    title = _YEAR_SUFFIX.sub("", _SPACES.sub(" ", title).strip())
    return title or None


def take_title(paragraphs: list[str]) -> tuple[str | None, list[str], list[str]]:
    """Find the title line of a scraped text file: after section labels, before the story.

    Returns the title (or None when the file starts with story text), the
    remaining paragraphs, and the labels that were dropped.
    """
    labels: list[str] = []
    rest = list(paragraphs)
    while (
        len(rest) > 2
        and len(rest[0].split()) <= MAX_LABEL_WORDS
        and is_headline_like(rest[0])
        and len(rest[1].split()) > MAX_LABEL_WORDS
        and not _BY_LINE.match(rest[1])
    ):
        labels.append(rest.pop(0))
    if (
        len(rest) > 1
        and len(rest[0].split()) <= MAX_TITLE_WORDS
        and not BYLINE.match(rest[0])
        and not _BY_LINE.match(rest[0])
    ):
        return tidy_title(rest[0]), rest[1:], labels
    return None, rest, labels


def take_bylines(paragraphs: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Take "By Jane Doe" lines (among the first three) out of the text.

    Returns the names, the remaining paragraphs and the byline lines removed.
    """
    authors: list[str] = []
    kept: list[str] = []
    lines: list[str] = []
    for index, line in enumerate(paragraphs):
        match = _BY_LINE.match(line) if index < 3 and len(line.split()) <= 8 else None
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
