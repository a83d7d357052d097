"""Main text and metadata from one raw article (scraped text or HTML)."""

from __future__ import annotations

from newsfacet.errors import NoContentError
from newsfacet.ingest.dates import parse_datetime
from newsfacet.ingest.metadata import read_trailing_metadata
from newsfacet.models.document import EntryDraft, ParsedDocument, RawArticle


def extract_text_article(raw: RawArticle, *, key: str) -> ParsedDocument:
    """A scraped text file: title line, paragraphs, optional trailing metadata lines."""
    assert raw.text is not None
    lines = [line.rstrip() for line in raw.text.replace("\r\n", "\n").split("\n")]
    trailing = read_trailing_metadata(lines)
    body_lines = lines[: len(lines) - trailing.lines_used] if trailing.lines_used else lines
    paragraphs = [line.strip() for line in body_lines if line.strip()]
    if not paragraphs:
        raise NoContentError(key=key)
    title = raw.title
    if title is None and len(paragraphs) > 1 and len(paragraphs[0]) <= 200:
        title = paragraphs.pop(0)
    published = raw.published or trailing.published
    return ParsedDocument(
        format="text",
        title=title,
        url=raw.url or trailing.publisher_url,
        outlet=raw.outlet,
        published=published,
        published_source="object_metadata" if raw.published else ("text" if published else None),
        language=raw.language,
        authors=raw.authors,
        entries=[EntryDraft(title=title, text="\n".join(paragraphs), published=published)],
        warnings=trailing.warnings,
    )


def extract_html_article(raw: RawArticle, *, key: str) -> ParsedDocument:
    """An HTML page: trafilatura finds the main text and the page's metadata."""
    import trafilatura  # heavy; only the ingest path pays for it

    assert raw.html is not None
    doc = trafilatura.bare_extraction(
        raw.html, url=raw.url, with_metadata=True, include_comments=False, favor_precision=False
    )
    if doc is None or isinstance(doc, dict) or not (doc.text or "").strip():
        raise NoContentError(key=key, reason="no main text found in the HTML")
    text = doc.text or ""
    published = raw.published or (parse_datetime(doc.date) if doc.date else None)
    title = raw.title or doc.title
    authors = raw.authors or [a.strip() for a in (doc.author or "").split(";") if a.strip()]
    return ParsedDocument(
        format="html",
        title=title,
        url=raw.url or doc.url,
        outlet=raw.outlet or doc.hostname or doc.sitename,
        published=published,
        published_source="object_metadata" if raw.published else ("page" if published else None),
        language=raw.language or doc.language,
        authors=authors,
        entries=[EntryDraft(title=title, text=text.strip(), published=published)],
    )


def extract_article(raw: RawArticle, *, key: str) -> ParsedDocument:
    if raw.html is not None:
        return extract_html_article(raw, key=key)
    return extract_text_article(raw, key=key)
