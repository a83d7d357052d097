"""Live blogs: tell them from articles and split them into posts (the splitting stage).

A scraped live blog is a run of posts, each a headline and a few paragraphs,
often closed by a byline that glues the author to the time
(``Shweta Sharma24 May 2023 04:30``). An ordinary article is one entry; a live
blog gives one entry per post, and a post the page repeats appears once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from newsfacet.ingest.boilerplate import fold_line, is_headline_like
from newsfacet.ingest.dates import parse_datetime
from newsfacet.ingest.outlets import outlet_timezone
from newsfacet.models.article import Article
from newsfacet.models.document import EntryDraft

_NAME_WORD = r"[A-Z][A-Za-z\u00C0-\u024F'’.-]*"
_NAME = rf"{_NAME_WORD}(?:[ -](?:{_NAME_WORD}|de|da|van|von|al|bin|el|la|le)){{0,4}}"
_DATE = r"\d{1,2} (?:[A-Z][a-z]{2,8}) \d{4}"
_TIME = r"\d{1,2}[:.]\d{2}(?:\s?[ap]\.?m\.?)?"
_ZONE = r"(?:UTC|GMT|BST|CET|CEST|EET|EEST|EST|EDT|CST|CDT|PST|PDT|MSK)"
# "Shweta Sharma24 May 2023 04:30", "By Jane Doe, 24 May 2023 04:30 BST", "Jane Doe | 24 May 2023"
BYLINE = re.compile(
    rf"^(?:by\s+)?(?P<author>{_NAME})\s*[,|·•–-]?\s*"
    rf"(?P<date>{_DATE})(?:,?\s+(?:at\s+)?(?P<time>{_TIME}))?(?:\s+(?P<zone>{_ZONE}))?\s*$",
    re.IGNORECASE,
)
_ZONE_OFFSETS = {
    "UTC": 0,
    "GMT": 0,
    "BST": 1,
    "CET": 1,
    "CEST": 2,
    "EET": 2,
    "EEST": 3,
    "MSK": 3,
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "PST": -8,
    "PDT": -7,
}
LIVE_TITLE = re.compile(r"\blive\b|\bas it happened\b|\blatest updates\b|\blive updates\b", re.I)
# Without bylines or a "live" title, this many headed sections make a live blog.
MIN_HEADED_SECTIONS = 5


@dataclass(frozen=True)
class Byline:
    author: str
    published: datetime | None


def parse_byline(line: str, *, tz: tzinfo = UTC) -> Byline | None:
    """Read a live-blog byline; times without a zone are in ``tz`` (the outlet's zone)."""
    match = BYLINE.match(line.strip())
    if not match:
        return None
    stamp = match["date"] + (f" {match['time'].replace('.', ':')}" if match["time"] else "")
    parsed = parse_datetime(re.sub(r"\s?[ap]\.?m\.?$", "", stamp, flags=re.I))
    if parsed is not None and match["time"] and re.search(r"p\.?m\.?$", match["time"], re.I):
        hour = parsed.hour % 12 + 12
        parsed = parsed.replace(hour=hour)
    if parsed is not None:
        zone: tzinfo = tz
        if match["zone"]:
            zone = timezone(timedelta(hours=_ZONE_OFFSETS[match["zone"].upper()]))
        parsed = parsed.replace(tzinfo=zone).astimezone(UTC)
    return Byline(author=match["author"].strip(), published=parsed)


def byline_indices(paragraphs: Sequence[str]) -> list[int]:
    return [i for i, p in enumerate(paragraphs) if BYLINE.match(p.strip())]


def _headed_sections(paragraphs: Sequence[str]) -> int:
    """Headline-like lines that are followed by at least one body paragraph."""
    count = 0
    for i in range(len(paragraphs) - 1):
        if _is_heading(paragraphs[i]) and not _is_heading(paragraphs[i + 1]):
            count += 1
    return count


def _is_heading(line: str) -> bool:
    return is_headline_like(line) and not BYLINE.match(line.strip()) and len(line.split()) >= 3


def is_live_blog(
    paragraphs: Sequence[str], *, title: str | None, url: str | None, by_layout: bool = True
) -> bool:
    """Bylines with times, a "live" title or URL, or many headed sections make a live blog.

    ``by_layout`` allows the last test (headed sections alone). It suits scraped
    text, where headings are plain lines; in HTML, listicles and FAQs have the
    same layout, and real live blogs carry structured data or bylines.
    """
    if len(byline_indices(paragraphs)) >= 2:
        return True
    if (title and LIVE_TITLE.search(title)) or (url and re.search(r"[/-]live[/-]|liveblog", url)):
        return _headed_sections(paragraphs) >= 2
    if not by_layout:
        return False
    headed = _headed_sections(paragraphs)
    return headed >= MIN_HEADED_SECTIONS and headed * 10 >= len(paragraphs)


def _split_on_headings(paragraphs: Sequence[str]) -> list[tuple[str | None, list[str]]]:
    """Cut a run of paragraphs into (headline, body) posts at headline-like lines."""
    posts: list[tuple[str | None, list[str]]] = []
    headline: str | None = None
    body: list[str] = []
    for i, line in enumerate(paragraphs):
        follows_body = i + 1 < len(paragraphs) and not _is_heading(paragraphs[i + 1])
        if _is_heading(line) and follows_body:
            if body:
                posts.append((headline, body))
            elif headline is not None:
                posts.append((headline, []))
            headline, body = line, []
        elif headline and fold_line(line) == fold_line(headline):
            # The post's headline repeated inside it (an embedded card): furniture.
            # Other headline-like lines with no body after them stay as text: they may
            # be a list, a table or a card, and cleaning has had its say on them.
            continue
        else:
            body.append(line)
    if body or headline:
        posts.append((headline, body))
    return [(h, b) for h, b in posts if b]


def split_live_blog(paragraphs: Sequence[str], *, tz: tzinfo = UTC) -> list[EntryDraft]:
    """Split a live blog's cleaned paragraphs into posts, each once.

    Bylines close the post above them (the common layout); when the first
    byline comes before any body text, bylines open posts instead.
    """
    marks = byline_indices(paragraphs)
    closing = not marks or marks[0] > 1
    chunks: list[tuple[list[str], Byline | None]] = []
    start = 0
    for index in marks:
        byline = parse_byline(paragraphs[index], tz=tz)
        if closing:
            chunks.append((list(paragraphs[start:index]), byline))
        else:
            if index > start:
                chunks.append((list(paragraphs[start:index]), None))
        start = index + 1
        if not closing:
            end = next((m for m in marks if m > index), len(paragraphs))
            chunks.append((list(paragraphs[start:end]), byline))
            start = end
    if start < len(paragraphs):
        chunks.append((list(paragraphs[start:]), None))

    drafts: list[EntryDraft] = []
    seen: set[str] = set()
    for chunk, byline in chunks:
        posts = _split_on_headings(chunk)
        for position, (headline, body) in enumerate(posts):
            signed = byline if position == len(posts) - 1 else None
            text = "\n".join(body)
            key = fold_line(f"{headline or ''}\n{text}")
            if key in seen:
                continue
            seen.add(key)
            drafts.append(
                EntryDraft(
                    title=headline,
                    text=text,
                    author=signed.author if signed else None,
                    published=signed.published if signed else None,
                )
            )
    return drafts


EMPTY_WARNING = "nothing left after removing boilerplate"


def split_article(article: Article) -> Article:
    """The splitting stage: a live blog's posts become entries, an article one entry.

    Posts the page declares (structured data) win; a live blog's bylines are read
    in the outlet's time zone. An entry with no text is dropped.
    """
    if article.posts:
        entries = list(article.posts)
    elif article.live_blog:
        entries = split_live_blog(article.paragraphs, tz=outlet_timezone(article.meta.outlet))
    elif article.paragraphs:
        entries = [EntryDraft(title=article.meta.title, text="\n".join(article.paragraphs))]
    else:
        entries = []
    entries = [entry for entry in entries if entry.text.strip()]
    warnings = article.warnings if entries else (*article.warnings, EMPTY_WARNING)
    return replace(article, entries=tuple(entries), warnings=warnings)
