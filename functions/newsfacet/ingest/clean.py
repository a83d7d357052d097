"""The cleaning stage: boilerplate out, every story paragraph kept.

Line and block rules and the outlet's learned template lines
(``ingest/boilerplate.py``) run on every article. Scraped text also gets the
layout rules that suit it: a repeat of the title, a headline sitting on top of a
promo or sign-up box, headline-like leftovers at the end, and, for a single
story, alternative headlines and links to other stories between its
paragraphs. trafilatura has already read the structure of an HTML page, so its
heading equal to the title is kept. The stage also decides whether the text is a
live blog, because a live blog's post headlines are not link headlines.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from newsfacet.ingest.boilerplate import (
    CleanedText,
    clean_paragraphs,
    is_headline_like,
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
    scraped_text = not article.from_html and not article.posts
    paragraphs = list(article.paragraphs)
    title = article.meta.title
    keep = set(byline_indices(paragraphs))
    # Scraped text repeats its title line; in HTML a heading equal to the title is
    # the page's own first line of content, which trafilatura already chose to keep.
    cleaned: CleanedText = clean_paragraphs(
        paragraphs, title=title if scraped_text else None, template=template, keep=keep
    )
    cleaned = _drop_furniture_headlines(cleaned)
    removed = [Removal(rule, line) for rule, line in cleaned.removed]
    body = trim_tail(cleaned.paragraphs, stop=BYLINE)
    removed += [Removal("trailing_links", line) for line in cleaned.paragraphs[len(body) :]]
    live_blog = not article.posts and is_live_blog(
        body, title=title, url=article.meta.url, by_layout=scraped_text
    )
    if scraped_text and not live_blog:
        body, dropped = _drop_leading_headlines(body)
        removed += [Removal("alternative_headline", line) for line in dropped]
        body, dropped = _drop_link_headlines(body)
        removed += [Removal("link_headline", line) for line in dropped]
    return replace(
        article,
        paragraphs=tuple(body),
        live_blog=live_blog,
        removed=(*article.removed, *removed),
    )


def _drop_leading_headlines(paragraphs: list[str]) -> tuple[list[str], list[str]]:
    """Alternative headlines and captions left between the title and the first paragraph."""
    index = 0
    while index < len(paragraphs) - 1 and is_headline_like(paragraphs[index]):
        index += 1
    return paragraphs[index:], paragraphs[:index]


def _drop_link_headlines(paragraphs: list[str]) -> tuple[list[str], list[str]]:
    """In a scraped article, long headline-like lines between paragraphs are links to other stories.

    Short ones (up to five words) are kept as the article's own subheadings.
    """
    kept, dropped = [], []
    for i, line in enumerate(paragraphs):
        inner = 0 < i < len(paragraphs) - 1
        if inner and is_headline_like(line) and len(line.split()) > 5:
            dropped.append(line)
        else:
            kept.append(line)
    return kept, dropped


# Furniture that comes with a headline of its own: a promo's caption, a sign-up
# box's teaser, a link card's title. Captions and credits do not.
WIDGET_RULES = frozenset(
    {
        "newsletter",
        "promo",
        "app_prompt",
        "follow_prompt",
        "link_list",
        "related_label",
        "comment_prompt",
        "widget_headline",
    }
)


def _drop_furniture_headlines(cleaned: CleanedText) -> CleanedText:
    """A headline-like line right above removed furniture belongs to that widget.

    ("G7 summit: ... Hiroshima" above a newsletter box; a card's headline and
    dek above a "(Video)" promo.) Walks backwards so a card's lines go together.
    """
    if not cleaned.removed:
        return cleaned
    rules = dict((line, rule) for rule, line in cleaned.removed)
    order = cleaned.order
    removed_flags = [flag for flag, _ in order]
    lines = [line for _, line in order]
    for i in range(len(lines) - 2, -1, -1):
        if removed_flags[i] or rules.get(lines[i + 1]) not in WIDGET_RULES:
            continue
        if is_headline_like(lines[i]) and not BYLINE.match(lines[i]):
            removed_flags[i] = True
            rules[lines[i]] = "widget_headline"
            cleaned.removed.append(("widget_headline", lines[i]))
    kept = [line for flag, line in zip(removed_flags, lines, strict=True) if not flag]
    return CleanedText(kept, cleaned.removed, order=list(zip(removed_flags, lines, strict=True)))
