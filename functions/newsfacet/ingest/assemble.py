"""From extracted paragraphs to a parsed document: clean, split, attribute, detect language.

The stages run in this order because each needs the one before: the title
is known before cleaning (so repeats of it go), boilerplate goes before live
blogs are split (so promos do not become posts), and cited outlets and the
language are read from the cleaned text only.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from newsfacet.ingest.boilerplate import (
    CleanedText,
    clean_paragraphs,
    is_headline_like,
    trim_tail,
)
from newsfacet.ingest.cited import find_cited_outlets
from newsfacet.ingest.extract import ExtractedArticle, tidy_title
from newsfacet.ingest.language import choose_language
from newsfacet.ingest.liveblog import BYLINE, byline_indices, is_live_blog, split_live_blog
from newsfacet.ingest.metadata import canonical_outlet
from newsfacet.ingest.outlets import outlet_aliases, outlet_timezone
from newsfacet.models.document import EntryDraft, ParsedDocument

# "By Jane Doe and John Roe": a byline line above the story, not a sentence of it.
# Names are capitalised words: "By Monday, the troops had left" is no byline.
_BY_LINE = re.compile(r"^(?i:by)\s+((?:[A-Z][\w.'’-]*|and|&|,|\s)+?)(?:\s*[|–-]\s*.*)?$")
# A title line in a scraped file is short; a first line longer than this is story.
MAX_TITLE_WORDS = 20
# Section labels scrapers keep above the title ("News Update", "USAWorld News").
MAX_LABEL_WORDS = 3


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


def _authors_from_bylines(paragraphs: list[str]) -> tuple[list[str], list[str]]:
    """Take "By Jane Doe" lines out of the text and return the names."""
    authors: list[str] = []
    kept: list[str] = []
    for index, line in enumerate(paragraphs):
        match = _BY_LINE.match(line) if index < 3 and len(line.split()) <= 8 else None
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
        paragraphs, title=title if scraped_text else None, template=template, keep=keep
    )
    cleaned = _drop_furniture_headlines(cleaned)
    removed += cleaned.removed
    body = trim_tail(cleaned.paragraphs, stop=BYLINE)
    removed += [("trailing_links", line) for line in cleaned.paragraphs[len(body) :]]

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
            body, dropped = _drop_leading_headlines(body)
            removed += [("alternative_headline", line) for line in dropped]
            body, dropped = _drop_link_headlines(body)
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
