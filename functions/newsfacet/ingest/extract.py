"""Paragraphs and metadata out of one raw article (scraped text or HTML), before cleaning.

For HTML, trafilatura finds the main text and the page's metadata; our own
cleaning (``boilerplate.py``) runs on its output afterwards, as it does on
scraped text. A page that embeds ``LiveBlogPosting`` structured data gives its
posts directly.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from newsfacet.errors import NoContentError
from newsfacet.ingest.dates import parse_datetime
from newsfacet.ingest.metadata import read_trailing_metadata
from newsfacet.models.document import EntryDraft, Format, PublishedSource, RawArticle

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b]+")
_YEAR_SUFFIX = re.compile(r"\s*\((?:19|20)\d\d\)$")
_JSON_LD = re.compile(
    r"<script[^>]+application/ld\+json[^>]*>(.*?)</script>", re.IGNORECASE | re.DOTALL
)


DATE_PARAMS = {
    "extensive_search": False,
    "original_date": True,
    "outputformat": "%Y-%m-%dT%H:%M:%S%z",
}

# The one trafilatura call we make (the bench measures this same call as its baseline).
TRAFILATURA_ARGS: dict[str, Any] = {
    "with_metadata": True,
    "include_comments": False,
    "include_tables": True,
    # htmldate's extensive search falls back to dateparser over the whole
    # page: seconds per page for a guess; meta tags and JSON-LD suffice.
    "date_extraction_params": DATE_PARAMS,
}


@dataclass
class ExtractedArticle:
    """One article's paragraphs and what the file itself said about it."""

    format: Format
    paragraphs: list[str]
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    outlet_name: str | None = None
    published: datetime | None = None
    published_source: PublishedSource | None = None
    authors: list[str] = field(default_factory=list)
    language: str | None = None
    posts: list[EntryDraft] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    from_html: bool = False


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


def extract_text_article(raw: RawArticle, *, key: str, fmt: Format = "text") -> ExtractedArticle:
    """A scraped text file: optional title line, paragraphs, optional trailing metadata lines."""
    assert raw.text is not None
    lines = [line.rstrip() for line in raw.text.replace("\r\n", "\n").split("\n")]
    trailing = read_trailing_metadata(lines)
    body = lines[: len(lines) - trailing.lines_used] if trailing.lines_used else lines
    paragraphs = split_paragraphs("\n".join(body))
    if not paragraphs:
        raise NoContentError(key=key)
    published = raw.published or trailing.published
    source: PublishedSource | None = None
    if published is not None:
        source = "page" if raw.published else "text"
    return ExtractedArticle(
        format=fmt,
        paragraphs=paragraphs,
        title=tidy_title(raw.title),
        url=raw.url or trailing.publisher_url,
        outlet=raw.outlet,
        published=published,
        published_source=source,
        authors=list(raw.authors),
        language=raw.language,
        warnings=list(trailing.warnings),
    )


def extract_html_article(raw: RawArticle, *, key: str, fmt: Format = "html") -> ExtractedArticle:
    """An HTML page: trafilatura's main text and metadata, plus any live-blog structured data."""
    import trafilatura  # heavy; paid only when an HTML input appears

    assert raw.html is not None
    found = trafilatura.bare_extraction(raw.html, url=raw.url, **TRAFILATURA_ARGS)
    # as_dict=False (the default) returns a Document or None.
    doc = found if isinstance(found, trafilatura.settings.Document) else None
    text = (doc.text if doc is not None else None) or ""
    blog, posts = live_blog_posts(raw.html)
    if not text.strip() and not posts:
        raise NoContentError(key=key, reason="no main text found in the HTML")
    page_date = parse_datetime(doc.date) if doc is not None and doc.date else None
    if posts:
        # The page date of a live blog is often one post's; the blog's own start wins.
        stamps = [p.published for p in posts if p.published is not None]
        page_date = blog.published or (min(stamps) if stamps else page_date)
    published = raw.published or page_date
    authors = raw.authors or [
        a.strip() for a in ((doc.author if doc is not None else None) or "").split(";") if a.strip()
    ]
    return ExtractedArticle(
        format=fmt,
        paragraphs=split_paragraphs(text),
        title=tidy_title(raw.title or blog.title or (doc.title if doc is not None else None)),
        url=raw.url or (doc.url if doc is not None else None),
        outlet=raw.outlet or (doc.hostname if doc is not None else None),
        outlet_name=doc.sitename if doc is not None else None,
        published=published,
        published_source="page" if published else None,
        authors=authors,
        language=raw.language or _html_lang(raw.html),
        posts=posts,
        from_html=True,
    )


def _html_lang(html: str) -> str | None:
    match = re.search(r"<html[^>]*\blang=[\"']?([A-Za-z_-]+)", html[:5000], re.IGNORECASE)
    return match[1] if match else None


@dataclass
class LiveBlogHeader:
    title: str | None = None
    published: datetime | None = None


def live_blog_posts(html: str) -> tuple[LiveBlogHeader, list[EntryDraft]]:
    """The blog's own headline and start, and the posts of a ``LiveBlogPosting`` in the
    page's JSON-LD (schema.org), oldest first."""
    header = LiveBlogHeader()
    if "LiveBlogPosting" not in html:
        return header, []
    drafts: list[EntryDraft] = []
    for block in _JSON_LD.findall(html):
        try:
            data = json.loads(block)
        except ValueError:
            continue
        for node in _walk(data):
            if node.get("@type") != "LiveBlogPosting":
                continue
            if isinstance(node.get("headline"), str):
                header.title = node["headline"]
            start = node.get("coverageStartTime") or node.get("datePublished")
            if isinstance(start, str):
                header.published = parse_datetime(start)
            updates = node.get("liveBlogUpdate") or []
            for update in updates if isinstance(updates, list) else [updates]:
                draft = _post_from_json_ld(update)
                if draft is not None:
                    drafts.append(draft)
    drafts.sort(
        key=lambda d: (d.published is None, d.published or datetime.min.replace(tzinfo=UTC))
    )
    return header, drafts


def _walk(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, list):
        return [node for item in data for node in _walk(item)]
    if isinstance(data, dict):
        return [data, *_walk(data.get("@graph", []))]
    return []


def _post_from_json_ld(update: Any) -> EntryDraft | None:
    if not isinstance(update, dict):
        return None
    body = update.get("articleBody") or update.get("text") or ""
    if not isinstance(body, str) or not body.strip():
        return None
    author = update.get("author")
    if isinstance(author, list):
        author = author[0] if author else None
    if isinstance(author, dict):
        author = author.get("name")
    stamp = update.get("datePublished") or update.get("dateModified")
    return EntryDraft(
        title=tidy_title(update.get("headline"))
        if isinstance(update.get("headline"), str)
        else None,
        text="\n".join(split_paragraphs(body)),
        author=author if isinstance(author, str) and author.strip() else None,
        published=parse_datetime(stamp) if isinstance(stamp, str) else None,
    )


def extract_article(raw: RawArticle, *, key: str, fmt: Format) -> ExtractedArticle:
    """Dispatch on what the decoder found: HTML markup or plain text."""
    if raw.html is not None:
        return extract_html_article(raw, key=key, fmt=fmt if fmt != "text" else "html")
    return extract_text_article(raw, key=key, fmt=fmt)
