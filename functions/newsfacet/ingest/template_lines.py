"""The learned layer of boilerplate removal: lines an outlet's documents keep repeating.

A paragraph (12-600 characters) seen in at least ``min_docs`` *other* documents
of the same outlet is that outlet's template, not story. The counts live in
the index (``index/lines.py``); ingest fetches the counts for a whole batch
with one lookup, and :class:`LineTally` adds the batch's own documents as they
are cleaned, in order, so the second of two new documents already sees the
first. A document is identified by its URL (``Article.identity``): a
re-delivered object or a second snapshot of a live blog never counts itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from newsfacet.ingest.boilerplate import line_hash
from newsfacet.models.article import Article

# Lines shorter than this are too generic to learn ("Share", "Advertisement" are
# handled by rules); longer than this are story paragraphs even if they recur.
TEMPLATE_MIN_CHARS = 12
TEMPLATE_MAX_CHARS = 600

LineKey = tuple[str, str]  # (outlet domain, line hash)


def template_candidates(paragraphs: Sequence[str]) -> dict[str, str]:
    """Hash -> line for the paragraphs worth counting across an outlet's documents."""
    return {
        line_hash(p): p for p in paragraphs if TEMPLATE_MIN_CHARS <= len(p) <= TEMPLATE_MAX_CHARS
    }


def line_keys(articles: Iterable[Article]) -> set[LineKey]:
    """Every (outlet, line) whose count the batch's articles need."""
    return {
        (article.meta.outlet, digest)
        for article in articles
        if article.meta.outlet is not None
        for digest in template_candidates(article.paragraphs)
    }


@dataclass(frozen=True)
class LineCount:
    """What the index holds for one (outlet, line): how many documents, and which (capped)."""

    doc_count: int
    docs: frozenset[str] = frozenset()


@dataclass(frozen=True)
class LineObservation:
    """One document counted for its lines: what the index must record after the batch."""

    outlet: str
    identity: str
    hashes: tuple[str, ...]


@dataclass
class LineTally:
    """Stored counts plus the documents of this batch, consulted and updated in order."""

    stored: dict[LineKey, LineCount]
    min_docs: int
    observed: list[LineObservation] = field(default_factory=list)
    _batch: dict[LineKey, set[str]] = field(default_factory=dict)

    def template(self, article: Article) -> set[str]:
        """Hashes of the article's lines that other documents of its outlet made template.

        The article is then counted in, for the documents after it.
        """
        outlet = article.meta.outlet
        if outlet is None:
            return set()
        hashes = tuple(template_candidates(article.paragraphs))
        if not hashes:
            return set()
        identity = article.identity
        found = {h for h in hashes if self._others(outlet, h, identity) >= self.min_docs}
        for digest in hashes:
            self._batch.setdefault((outlet, digest), set()).add(identity)
        self.observed.append(LineObservation(outlet, identity, hashes))
        return found

    def _others(self, outlet: str, digest: str, identity: str) -> int:
        stored = self.stored.get((outlet, digest), LineCount(0))
        count = stored.doc_count - (identity in stored.docs)
        batch = self._batch.get((outlet, digest), set())
        return count + len(batch - stored.docs - {identity})
