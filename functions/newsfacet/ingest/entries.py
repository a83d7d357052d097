"""Entries from a finished article: ids from content, the object as a source, shared metadata.

The id is a hash of the normalised title and text (``ingest/fingerprint.py``),
so the same post in two snapshots of a live blog, or a re-delivered object, is
the same entry; :func:`merge_entries` folds such repeats into one entry that
lists every object it came from.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from newsfacet.ingest.bounds import MAX_NAME, MAX_TITLE, bound_text
from newsfacet.ingest.cited import find_cited_outlets
from newsfacet.ingest.fingerprint import content_id
from newsfacet.models.article import Article
from newsfacet.models.entry import Entry, Source

# An entry needs this many letters to be worth indexing: less is debris ("æ", "©").
MIN_LETTERS = 8


def has_text(text: str) -> bool:
    return sum(ch.isalpha() for ch in text) >= MIN_LETTERS


def build_entries(article: Article, *, now: datetime) -> list[Entry]:
    """One entry per post of a live blog, or one for an article; each id once.

    ``now`` is when this ingest saw the object (the source's first/last seen).
    """
    ref = article.ref
    source = Source(
        bucket=ref.bucket,
        key=ref.key,
        version_id=ref.version_id,
        etag=ref.etag,
        first_seen=now,
        last_seen=now,
    )
    meta = article.meta
    kind = "liveblog_post" if article.live_blog or article.posts else "article"
    entries: list[Entry] = []
    seen: set[str] = set()
    for position, draft in enumerate(article.entries):
        if not has_text(draft.text):
            continue
        entry_id = content_id(f"{draft.title or ''}\n{draft.text}")
        if entry_id in seen:
            continue  # a live blog that repeats a post inside itself
        seen.add(entry_id)
        dated_post = kind == "liveblog_post" and draft.published is not None
        # A post's own headline and byline are bounded as the article's are.
        warnings = list(article.warnings)
        title = bound_text(draft.title, MAX_TITLE, "title", warnings) or meta.title
        author = bound_text(draft.author, MAX_NAME, "author", warnings)
        entries.append(
            Entry(
                id=entry_id,
                kind=kind,
                title=title,
                body=draft.text,
                published=draft.published if dated_post else meta.published,
                published_source="liveblog" if dated_post else meta.published_source,
                ingested_at=ref.last_modified,
                outlet=meta.outlet,
                outlet_name=meta.outlet_name,
                url=meta.url,
                language=article.language,
                authors=[author] if author else list(meta.authors),
                # What this entry itself cites: a live blog's other posts cite their own.
                cited_outlets=find_cited_outlets(
                    f"{draft.title or ''}\n{draft.text}", publisher=meta.outlet
                ),
                document_title=meta.title,
                position=position,
                fingerprint=entry_id,
                cluster=entry_id,
                sources=[source],
                warnings=warnings,
            )
        )
    return entries


def merge_entries(groups: Iterable[list[Entry]]) -> dict[str, Entry]:
    """Each id once, in first-seen order, listing every object it came from."""
    merged: dict[str, Entry] = {}
    for group in groups:
        for entry in group:
            first = merged.get(entry.id)
            if first is None:
                merged[entry.id] = entry
                continue
            known = {(s.bucket, s.key, s.version_id) for s in first.sources}
            extra = [s for s in entry.sources if (s.bucket, s.key, s.version_id) not in known]
            if extra or _earlier(entry.ingested_at, first.ingested_at):
                merged[entry.id] = first.model_copy(
                    update={
                        "sources": [*first.sources, *extra],
                        "ingested_at": _first_time(first.ingested_at, entry.ingested_at),
                    }
                )
    return merged


def _earlier(a: datetime | None, b: datetime | None) -> bool:
    return a is not None and (b is None or a < b)


def _first_time(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if _earlier(b, a) else a
