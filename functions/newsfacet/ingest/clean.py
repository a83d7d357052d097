"""The cleaning stage: boilerplate out, every story paragraph kept.

Line and block rules and the outlet's learned template lines
(``ingest/boilerplate.py``) run on every article. Scraped text also gets the
layout rules that suit it: a repeat of the title, a headline sitting on top of a
promo or sign-up box, headline-like leftovers at the end, and, for a single
story, alternative headlines and links to other stories between its
paragraphs. trafilatura has already read the structure of an HTML page, so its
heading equal to the title is kept. The stage also decides whether the text is a
live blog, because a live blog's post headlines are not link headlines. The
heuristics themselves live in ``ingest/layout.py``, capped and script-aware.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from newsfacet.ingest.boilerplate import CleanedText, clean_paragraphs
from newsfacet.ingest.layout import (
    RemovalBudget,
    drop_leading_headlines,
    drop_link_headlines,
    drop_teasers,
    drop_widget_headlines,
    trim_tail,
)
from newsfacet.ingest.liveblog import BYLINE, byline_indices, is_live_blog
from newsfacet.models.article import Article, Removal


def clean_article(article: Article, template: Collection[str] = ()) -> Article:
    """Remove boilerplate paragraphs and decide whether what is left is a live blog.

    Args:
        article: the record after the metadata stage.
        template: hashes of lines this outlet's documents share (the learned layer).
    """
    # Layout heuristics suit scraped text only: trafilatura has already read the
    # structure of an HTML page, and on its output they removed more story than furniture.
    scraped_text = not article.from_html and not article.posts
    paragraphs = list(article.paragraphs)
    title = article.meta.title
    keep = set(byline_indices(paragraphs))
    # Scraped text repeats its title line; in HTML a heading equal to the title is
    # the page's own first line of content, which trafilatura already chose to keep.
    cleaned: CleanedText = clean_paragraphs(
        paragraphs,
        title=title if scraped_text else None,
        template=template,
        keep=keep,
        block_rules=scraped_text,
    )
    removed = [Removal(rule, line) for rule, line in cleaned.removed]
    body = cleaned.paragraphs
    # Every layout heuristic of one document draws on one budget (ingest/layout.py).
    budget = RemovalBudget.of(paragraphs)
    if scraped_text:
        body, widgets = drop_widget_headlines(cleaned, budget)
        removed += [Removal(rule, line) for rule, line in widgets]
        body, dropped = trim_tail(body, budget, stop=BYLINE)
        removed += [Removal("trailing_links", line) for line in dropped]
        body, dropped = drop_teasers(body, budget)
        removed += [Removal("teaser", line) for line in dropped]
    live_blog = not article.posts and is_live_blog(
        body, title=title, url=article.meta.url, by_layout=scraped_text
    )
    if scraped_text and not live_blog:
        body, dropped = drop_leading_headlines(body, budget, title=title)
        removed += [Removal("alternative_headline", line) for line in dropped]
        body, dropped = drop_link_headlines(body, budget, title=title)
        removed += [Removal("link_headline", line) for line in dropped]
    return replace(
        article,
        paragraphs=tuple(body),
        live_blog=live_blog,
        removed=(*article.removed, *removed),
    )
