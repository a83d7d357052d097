"""The pure ingest stages on bytes, as the ingest service and `newsfacet parse` run them.

Tests of the parsing stages call :func:`parse_bytes`, which composes the same
production functions (``open_object`` then ``prepare_unit``) that both entry
points run, and reads the result the way the old document view did.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from newsfacet.errors import InputError
from newsfacet.ingest.pipeline import open_object, prepare_unit
from newsfacet.ingest.template_lines import LineTally
from newsfacet.models.article import Article
from newsfacet.models.document import EntryDraft, ObjectRef
from newsfacet.models.entry import Entry

LIMIT = 10_000_000
NOW = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Parsed:
    """One finished article and the entries built from it."""

    article: Article
    built: list[Entry]

    @property
    def entries(self) -> tuple[EntryDraft, ...]:
        return self.article.entries

    @property
    def text(self) -> str:
        return self.article.text

    def __getattr__(self, name: str) -> Any:
        if name in {"title", "url", "outlet", "outlet_name", "published", "published_source"}:
            return getattr(self.article.meta, name)
        if name == "authors":
            return list(self.article.meta.authors)
        if name in {"language", "warnings", "removed", "format"}:
            value = getattr(self.article, name)
            return list(value) if isinstance(value, tuple) else value
        raise AttributeError(name)

    @property
    def cited_outlets(self) -> list[str]:
        return list(dict.fromkeys(c for e in self.built for c in e.cited_outlets))

    def removed_by(self, rule: str) -> list[str]:
        return [r.line for r in self.article.removed if r.rule == rule]


@dataclass
class Result:
    documents: list[Parsed] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)


def parse_bytes(
    data: bytes,
    *,
    key: str = "k",
    bucket: str = "b",
    metadata: dict[str, str] | None = None,
    last_modified: datetime | None = None,
    limit: int = LIMIT,
    min_docs: int = 3,
) -> Result:
    """Every article of one object, finished, with per-article errors (object errors raise)."""
    ref = ObjectRef(bucket=bucket, key=key, metadata=metadata or {}, last_modified=last_modified)
    result = Result()
    articles = []
    for item in open_object(data, ref, limit=limit):
        if isinstance(item, InputError):
            result.errors.append(item)
        else:
            articles.append(item)
    unit = prepare_unit(articles, LineTally({}, min_docs), now=NOW)
    result.errors += [error for _, error in unit.rejected]
    result.documents = [
        Parsed(article, built) for article, built in zip(unit.articles, unit.documents, strict=True)
    ]
    return result


def parse_one(data: bytes, **kwargs: Any) -> Parsed:
    result = parse_bytes(data, **kwargs)
    assert not result.errors, [e.to_dict() for e in result.errors]
    assert len(result.documents) == 1
    return result.documents[0]
