"""Create the index template, the first versioned index and its alias, idempotently."""

from __future__ import annotations

from opensearchpy import OpenSearch
from opensearchpy.exceptions import RequestError

from newsfacet.index.aliases import ensure_alias_index
from newsfacet.index.mapping import (
    FAILURE_MAPPINGS,
    LINE_MAPPINGS,
    entries_index_name,
    entries_template,
)


def ensure_indices(client: OpenSearch, prefix: str) -> None:
    """Put the template, then create the entries index and alias if missing.

    Safe to call from many workers at once: losing the creation race is fine.
    """
    alias = f"{prefix}-entries"
    client.indices.put_index_template(name=f"{prefix}-entries", body=entries_template(prefix))
    if not client.indices.exists_alias(name=alias):
        index = entries_index_name(prefix)
        _create(client, index, {"aliases": {alias: {"is_write_index": True}}})
    failures = f"{prefix}-failures"
    if not client.indices.exists(index=failures):
        _create(
            client,
            failures,
            {
                "settings": {"number_of_shards": 1, "number_of_replicas": 0},
                "mappings": FAILURE_MAPPINGS,
            },
        )
    lines = f"{prefix}-lines"
    if not client.indices.exists(index=lines):
        _create(
            client,
            lines,
            {
                "settings": {"number_of_shards": 1, "number_of_replicas": 0},
                "mappings": LINE_MAPPINGS,
            },
        )
    ensure_alias_index(client, prefix)


def _create(client: OpenSearch, index: str, body: dict[str, object]) -> None:
    try:
        client.indices.create(index=index, body=body)
    except RequestError as exc:
        if exc.error != "resource_already_exists_exception":
            raise


def delete_indices(client: OpenSearch, prefix: str) -> None:
    """Remove everything under a prefix (tests and `newsfacet demo --reset`)."""
    client.indices.delete(index=f"{prefix}-*", ignore_unavailable=True, expand_wildcards="all")
    client.indices.delete_index_template(name=f"{prefix}-entries", ignore=[404])
