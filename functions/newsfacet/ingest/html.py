"""Extraction from HTML: trafilatura's main text and page metadata, plus live-blog structured data.

trafilatura reads the page's structure (main content, title, date from meta
tags and JSON-LD, author, site name). A page that embeds schema.org
``LiveBlogPosting`` data gives its posts directly; they become the entries.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from newsfacet.errors import NoContentError
from newsfacet.ingest.dates import parse_datetime
from newsfacet.ingest.paragraphs import split_paragraphs, tidy_title
from newsfacet.models.article import Article, Claims
from newsfacet.models.document import EntryDraft, Format, ObjectRef, RawArticle

_JSON_LD = re.compile(
    r"<script[^>]+application/ld\+json[^>]*>(.*?)</script>", re.IGNORECASE | re.DOTALL
)

DATE_PARAMS = {
    # htmldate's extensive search falls back to dateparser over the whole page:
    # seconds per page for a guess; meta tags and JSON-LD suffice.
    "extensive_search": False,
    "original_date": True,
    "outputformat": "%Y-%m-%dT%H:%M:%S%z",
}
# The one trafilatura call we make (the bench measures this same call as its baseline).
TRAFILATURA_ARGS: dict[str, Any] = {
    "with_metadata": True,
    "include_comments": False,
    "include_tables": True,
    "date_extraction_params": DATE_PARAMS,
}


def extract_html_article(raw: RawArticle, ref: ObjectRef, *, fmt: Format = "html") -> Article:
    """An HTML page: trafilatura's main text and metadata, plus any live-blog structured data.

    Raises:
        NoContentError: neither main text nor live-blog posts.
    """
    import trafilatura  # heavy; paid only when an HTML input appears

    assert raw.html is not None
    found = trafilatura.bare_extraction(raw.html, url=raw.url, **TRAFILATURA_ARGS)
    # as_dict=False (the default) returns a Document or None.
    doc = found if isinstance(found, trafilatura.settings.Document) else None
    text = (doc.text if doc is not None else None) or ""
    blog, posts = live_blog_posts(raw.html)
    if not text.strip() and not posts:
        raise NoContentError(key=ref.key, reason="no main text found in the HTML")
    page_date = parse_datetime(doc.date) if doc is not None and doc.date else None
    if posts:
        # The page date of a live blog is often one post's; the blog's own start wins.
        stamps = [p.published for p in posts if p.published is not None]
        page_date = blog.published or (min(stamps) if stamps else page_date)
    published = raw.published or page_date
    authors = raw.authors or [
        a.strip() for a in ((doc.author if doc is not None else None) or "").split(";") if a.strip()
    ]
    return Article(
        ref=ref,
        format=fmt,
        position=raw.position,
        paragraphs=tuple(split_paragraphs(text)),
        from_html=True,
        posts=tuple(posts),
        claims=Claims(
            title=tidy_title(raw.title or blog.title or (doc.title if doc is not None else None)),
            url=raw.url or (doc.url if doc is not None else None),
            outlet=raw.outlet or (doc.hostname if doc is not None else None),
            site_name=doc.sitename if doc is not None else None,
            published=published,
            published_source="page" if published else None,
            authors=tuple(authors),
            language=raw.language or _html_lang(raw.html),
        ),
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
        except (ValueError, RecursionError):
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


def _walk(data: Any, depth: int = 0) -> list[dict[str, Any]]:
    if depth > 20:  # structured data is shallow; a deeper graph is junk or an attack
        return []
    if isinstance(data, list):
        return [node for item in data for node in _walk(item, depth + 1)]
    if isinstance(data, dict):
        return [data, *_walk(data.get("@graph", []), depth + 1)]
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
    headline = update.get("headline")
    return EntryDraft(
        title=tidy_title(headline) if isinstance(headline, str) else None,
        text="\n".join(split_paragraphs(body)),
        author=author if isinstance(author, str) and author.strip() else None,
        published=parse_datetime(stamp) if isinstance(stamp, str) else None,
    )
