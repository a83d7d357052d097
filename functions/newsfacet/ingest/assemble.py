"""From extracted paragraphs to a parsed document: clean, split, attribute, detect language.

The stages run in this order because each needs the one before: the title
is known before cleaning (so repeats of it go), boilerplate goes before live
blogs are split (so promos do not become posts), and cited outlets and the
language are read from the cleaned text only.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from newsfacet.ingest.boilerplate import CleanedText, clean_paragraphs
from newsfacet.ingest.cited import find_cited_outlets
from newsfacet.ingest.extract import ExtractedArticle
from newsfacet.ingest.language import choose_language
from newsfacet.ingest.layout import (
    BY_LINE,
    RemovalBudget,
    drop_leading_headlines,
    drop_link_headlines,
    drop_teasers,
    drop_widget_headlines,
    take_title,
    trim_tail,
)
from newsfacet.ingest.liveblog import BYLINE, byline_indices, is_live_blog, split_live_blog
from newsfacet.ingest.metadata import canonical_outlet
from newsfacet.ingest.outlets import outlet_aliases, outlet_timezone
from newsfacet.models.document import EntryDraft, ParsedDocument


def _authors_from_bylines(paragraphs: list[str]) -> tuple[list[str], list[str]]:
    """Take "By Jane Doe" lines out of the text and return the names."""
    authors: list[str] = []
    kept: list[str] = []
    for index, line in enumerate(paragraphs):
        match = BY_LINE.match(line) if index < 3 and len(line.split()) <= 8 else None
        if match and not line.rstrip().endswith("."):
            names = re.split(r"\s*(?:,|&|\band\b)\s*", match[1].strip())
            authors += [name.strip() for name in names if name.strip()]
        else:
            kept.append(line)
    return authors, kept


def outlet_from_furniture(removed: list[tuple[str, str]]) -> str | None:
    """A publisher named in the page's own furniture ("follow other Independent readers")."""
    aliases = outlet_aliases()
    for rule, line in removed:
        if rule in {"comment_prompt", "newsletter", "copyright", "follow_prompt", "app_prompt"}:
            for name in sorted(aliases, key=len, reverse=True):
                if len(name) > 3 and re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", line):
                    return aliases[name]
    return None


def assemble_document(
    article: ExtractedArticle, *, template: Collection[str] = ()
) -> ParsedDocument:
    """Clean the article's paragraphs and turn them into entries with shared metadata.

    Args:
        article: paragraphs and metadata from the extractor, with object
            metadata (S3, key prefix) already applied.
        template: hashes of lines this outlet's documents share (learned layer).
    """
    warnings = list(article.warnings)
    paragraphs = list(article.paragraphs)
    title = article.title
    removed: list[tuple[str, str]] = []
    # Layout heuristics (title line, link headlines, live blogs by layout) suit
    # scraped text; trafilatura has already read the structure of an HTML page.
    scraped_text = not article.from_html and not article.posts
    if scraped_text and title is None:
        title, paragraphs, labels = take_title(paragraphs)
        removed += [("section_label", label) for label in labels]
    authors = list(article.authors)
    if scraped_text:
        found, paragraphs = _authors_from_bylines(paragraphs)
        authors = authors or found

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
    removed += cleaned.removed
    body = cleaned.paragraphs
    # Layout heuristics read how lines sit and end: scraped text only, within one budget.
    budget = RemovalBudget.of(paragraphs)
    if scraped_text:
        body, widgets = drop_widget_headlines(cleaned, budget)
        removed += widgets
        body, dropped = trim_tail(body, budget, stop=BYLINE)
        removed += [("trailing_links", line) for line in dropped]
        body, dropped = drop_teasers(body, budget)
        removed += [("teaser", line) for line in dropped]

    outlet, outlet_name = article.outlet, article.outlet_name
    if outlet is None and (guess := outlet_from_furniture(removed)):
        outlet, outlet_name = canonical_outlet(guess)
        warnings.append(f"outlet {guess} inferred from page furniture")

    if article.posts:
        entries = article.posts
    elif is_live_blog(body, title=title, url=article.url, by_layout=scraped_text):
        entries = split_live_blog(body, tz=outlet_timezone(outlet))
    else:
        if scraped_text:
            body, dropped = drop_leading_headlines(body, budget, title=title)
            removed += [("alternative_headline", line) for line in dropped]
            body, dropped = drop_link_headlines(body, budget, title=title)
            removed += [("link_headline", line) for line in dropped]
        entries = [EntryDraft(title=title, text="\n".join(body))] if body else []
    entries = [entry for entry in entries if entry.text.strip()]
    if not entries:
        warnings.append("nothing left after removing boilerplate")

    published, published_source = article.published, article.published_source
    stamped = [e.published for e in entries if e.published is not None]
    if published is None and stamped:
        published, published_source = min(stamped), "liveblog"
    if not authors:
        authors = list(dict.fromkeys(e.author for e in entries if e.author))
    text = "\n\n".join(e.text for e in entries)
    return ParsedDocument(
        format=article.format,
        title=title,
        url=article.url,
        outlet=outlet,
        outlet_name=outlet_name,
        published=published,
        published_source=published_source,
        language=choose_language(article.language, text),
        authors=authors,
        cited_outlets=find_cited_outlets(
            "\n".join(filter(None, [title, *(e.title or "" for e in entries), text])),
            publisher=outlet,
        ),
        entries=entries,
        warnings=warnings,
        removed=[{"rule": rule, "line": line} for rule, line in removed],
    )
