"""Data models: what ingest reads, works on and writes, and what the API returns."""

from newsfacet.models.article import Article, Claims, Metadata, Removal
from newsfacet.models.document import EntryDraft, ObjectRef, RawArticle
from newsfacet.models.entry import Entity, Entry, Source

__all__ = [
    "Article",
    "Claims",
    "Entity",
    "Entry",
    "EntryDraft",
    "Metadata",
    "ObjectRef",
    "RawArticle",
    "Removal",
    "Source",
]
