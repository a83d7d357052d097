"""The cross-document alias table: ``<prefix>-entities``, one document per learned alias.

A document that spells out "Some Long Name (SLN)" teaches the table that SLN
means Some Long Name; later documents that only say SLN get the same
canonical key, so facets count that organisation once. The first document to
define an alias wins (``op_type=create``): concurrent workers cannot flip a
canonical name back and forth, and re-ingesting changes nothing. Operators
override any of it in the alias file (``data/aliases.json``), which is
applied before this table.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import OpenSearchException, RequestError
from opensearchpy.helpers import streaming_bulk

from newsfacet.errors import IndexingError
from newsfacet.ingest.canonical import ENTITY_TYPES, AliasEntry

ALIAS_MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "alias": {"type": "keyword"},
        "canonical": {"type": "keyword"},
        "type": {"type": "keyword"},
        "learned_at": {"type": "date"},
    },
}


def alias_index_name(prefix: str) -> str:
    return f"{prefix}-entities"


def ensure_alias_index(client: OpenSearch, prefix: str) -> None:
    """Create the alias table if missing; losing a creation race is fine."""
    index = alias_index_name(prefix)
    if client.indices.exists(index=index):
        return
    try:
        client.indices.create(
            index=index,
            body={
                "settings": {"number_of_shards": 1, "number_of_replicas": 0},
                "mappings": ALIAS_MAPPINGS,
            },
        )
    except RequestError as exc:
        if exc.error != "resource_already_exists_exception":
            raise


def _doc_id(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


class IndexAliasTable:
    """Looks aliases up with one ``mget`` and records new ones with create-only writes."""

    def __init__(self, client: OpenSearch, index: str) -> None:
        self.client = client
        self.index = index

    def lookup(self, keys: Iterable[str]) -> dict[str, AliasEntry]:
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        try:
            response = self.client.mget(
                index=self.index,
                body={"ids": [_doc_id(k) for k in wanted]},
                params={"_source_includes": "alias,canonical,type"},
            )
        except OpenSearchException as exc:
            raise IndexingError(f"alias lookup failed: {exc}", index=self.index) from exc
        found: dict[str, AliasEntry] = {}
        for doc in response.get("docs", []):
            source = doc.get("_source")
            if doc.get("found") and source and source.get("type") in ENTITY_TYPES:
                found[source["alias"]] = AliasEntry(source["canonical"], source["type"])
        return found

    def learn(self, aliases: dict[str, AliasEntry]) -> None:
        now = datetime.now(UTC).isoformat()
        actions = (
            {
                "_op_type": "create",
                "_index": self.index,
                "_id": _doc_id(key),
                "_source": {
                    "alias": key,
                    "canonical": entry.canonical,
                    "type": entry.type,
                    "learned_at": now,
                },
            }
            for key, entry in aliases.items()
        )
        failed: list[str] = []
        try:
            for ok, item in streaming_bulk(
                self.client, actions, raise_on_error=False, raise_on_exception=False
            ):
                result = item.get("create", {})
                # 409: an earlier document defined this alias first, which is the rule.
                if not ok and int(result.get("status", 500)) != 409:
                    failed.append(str(result.get("_id")))
        except OpenSearchException as exc:
            raise IndexingError(f"alias store failed: {exc}", index=self.index) from exc
        if failed:
            # Retrying the object is harmless: every step before this one is idempotent.
            raise IndexingError(
                f"{len(failed)} aliases not stored", index=self.index, ids=failed[:20]
            )
