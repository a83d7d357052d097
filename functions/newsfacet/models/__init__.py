"""Data models: what ingest reads and writes, and what the API returns."""

from newsfacet.models.document import EntryDraft, ObjectRef, ParsedDocument, RawArticle
from newsfacet.models.entry import Entity, Entry, Source

__all__ = [
    "Entity",
    "Entry",
    "EntryDraft",
    "ObjectRef",
    "ParsedDocument",
    "RawArticle",
    "Source",
]
