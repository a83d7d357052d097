"""The extraction stage: a raw article becomes paragraphs plus what the file claims about it.

Scraped text is read line by line (``ingest/plaintext.py``); HTML by trafilatura
and the page's live-blog structured data (``ingest/html.py``).
"""

from __future__ import annotations

from newsfacet.ingest.html import extract_html_article
from newsfacet.ingest.plaintext import extract_text_article
from newsfacet.models.article import Article
from newsfacet.models.document import Format, ObjectRef, RawArticle


def extract_article(raw: RawArticle, ref: ObjectRef, *, fmt: Format) -> Article:
    """Dispatch on what the decoder found: HTML markup or plain text.

    Raises:
        NoContentError: the article holds no text.
    """
    if raw.html is not None:
        return extract_html_article(raw, ref, fmt=fmt if fmt != "text" else "html")
    return extract_text_article(raw, ref, fmt=fmt)
