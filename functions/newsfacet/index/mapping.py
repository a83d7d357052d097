"""The entries index, as data: settings, mappings and the template that applies them.

The template matches ``<prefix>-entries-v*``; the live index is
``<prefix>-entries-v<MAPPING_VERSION>`` behind the alias ``<prefix>-entries``.
A mapping change bumps the version, creates the next index and moves the alias
(a reindex), so readers and writers only ever name the alias.
"""

from __future__ import annotations

from typing import Any

from newsfacet.models.entry import ENTITY_TYPES, entity_field

# A change OpenSearch can apply to a live index (a new field, a new ignore_above)
# bumps MAPPING_REVISION: ``newsfacet setup`` puts it on the existing index. A
# change it cannot apply bumps MAPPING_VERSION: a new index, filled by re-ingest.
MAPPING_VERSION = 1
MAPPING_REVISION = 4


# Keyword values longer than this are not indexed (still stored): one 40,000-character
# author must not make OpenSearch refuse the whole entry ("immense term").
_KEYWORD = {"type": "keyword", "ignore_above": 512}
# Canonical names of one entity type; ``.prefix`` holds edge n-grams of each word
# so that entity suggestions and name resolution find "Glad" -> "Vyacheslav Gladkov"
# without scanning every name (see newsfacet.search.lookup).
_ENTITY_NAMES = {
    "type": "keyword",
    "ignore_above": 512,
    "fields": {
        "prefix": {"type": "text", "analyzer": "autocomplete", "search_analyzer": "folded_words"}
    },
}

# What counts as slow, for the domain's slow logs (template.yaml publishes them). Dynamic
# settings: ``newsfacet setup`` also puts them on the live index.
SLOW_LOG_SETTINGS: dict[str, str] = {
    "index.search.slowlog.threshold.query.warn": "1s",
    "index.search.slowlog.threshold.fetch.warn": "1s",
    "index.indexing.slowlog.threshold.index.warn": "2s",
}

ENTRY_SETTINGS: dict[str, Any] = {
    **SLOW_LOG_SETTINGS,
    "number_of_shards": 1,
    "number_of_replicas": 0,
    "refresh_interval": "1s",
    "analysis": {
        "normalizer": {"folded": {"type": "custom", "filter": ["lowercase", "asciifolding"]}},
        "analyzer": {
            "news_english": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": [
                    "lowercase",
                    "asciifolding",
                    "english_possessive",
                    "english_stop",
                    "english_stemmer",
                ],
            },
            "folded_words": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": ["lowercase", "asciifolding"],
            },
            "autocomplete": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": ["lowercase", "asciifolding", "edge_ngram_2_20"],
            },
        },
        "filter": {
            "english_possessive": {"type": "stemmer", "language": "possessive_english"},
            "english_stop": {"type": "stop", "stopwords": "_english_"},
            "english_stemmer": {"type": "stemmer", "language": "light_english"},
            "edge_ngram_2_20": {"type": "edge_ngram", "min_gram": 2, "max_gram": 20},
        },
    },
}

ENTRY_MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "id": _KEYWORD,
        "kind": _KEYWORD,
        "title": {
            "type": "text",
            "analyzer": "news_english",
            "fields": {"raw": {"type": "keyword", "ignore_above": 512}},
        },
        "body": {
            "type": "text",
            "analyzer": "news_english",
            "term_vector": "with_positions_offsets",
        },
        "document_title": {"type": "text", "analyzer": "news_english", "index": False},
        "published": {"type": "date"},
        "published_source": _KEYWORD,
        "ingested_at": {"type": "date"},
        "warnings": _KEYWORD,
        "outlet": _KEYWORD,
        "outlet_name": _KEYWORD,
        "url": {"type": "keyword", "ignore_above": 2048},
        "language": _KEYWORD,
        "authors": _KEYWORD,
        "position": {"type": "integer"},
        # Canonical entity keys such as "PERSON:Vyacheslav Gladkov": one field for
        # filtering, one per type for facets grouped by type.
        "entities": _KEYWORD,
        **{entity_field(t): _ENTITY_NAMES for t in ENTITY_TYPES},
        # The tagger's own keys, before curation (newsfacet.curation): what an undo
        # and the background pass read the curated fields above from.
        "tagged_entities": _KEYWORD,
        "mentions": {"type": "object", "enabled": False},
        "cited_outlets": _KEYWORD,
        "fingerprint": _KEYWORD,
        "lsh_bands": _KEYWORD,
        "minhash": {"type": "object", "enabled": False},
        "cluster": _KEYWORD,
        # The cluster id as a number, for counting distinct stories cheaply
        # (ingest/clusters.py: cluster_hash).
        "cluster_hash": {"type": "long"},
        # Kept on every member of a cluster of two or more (ingest/clusters.py), so
        # search reads "also reported by" from the hit itself; absent on a singleton.
        "cluster_size": {"type": "integer"},
        "cluster_copies": {"type": "object", "enabled": False},
        "cluster_members": {"type": "keyword", "index": False, "doc_values": False},
        "sources": {
            "properties": {
                "bucket": _KEYWORD,
                "key": _KEYWORD,
                "version_id": _KEYWORD,
                "etag": _KEYWORD,
                "first_seen": {"type": "date"},
                "last_seen": {"type": "date"},
            }
        },
        "source_count": {"type": "integer"},
        "indexed_at": {"type": "date"},
        "updated_at": {"type": "date"},
    },
}

FAILURE_MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "bucket": _KEYWORD,
        "key": _KEYWORD,
        "version_id": _KEYWORD,
        "error": _KEYWORD,
        "message": {"type": "text"},
        "position": {"type": "integer"},
        "detail": {"type": "object", "enabled": False},
        "at": {"type": "date"},
    },
}


# The cross-document alias table (index/learned.py): one document per learned alias.
ALIAS_MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "alias": _KEYWORD,
        "canonical": _KEYWORD,
        "type": _KEYWORD,
        "learned_at": {"type": "date"},
    },
}

# Curation changes (newsfacet.curation.store): one document per change, and the head.
CURATION_MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "kind": _KEYWORD,
        "id": _KEYWORD,
        "seq": {"type": "long"},
        "op": _KEYWORD,
        "key": _KEYWORD,
        "target": _KEYWORD,
        "undoes": _KEYWORD,
        "who": _KEYWORD,
        "at": {"type": "date"},
        "keys": _KEYWORD,
        "values": _KEYWORD,
        "status": _KEYWORD,
        "applied_at": {"type": "date"},
        "entries": {"type": "integer"},
        # the head: the latest change's seq, and a counter of writes readers compare
        "version": {"type": "long"},
        "revision": {"type": "long"},
    },
}

# Per-(outlet, line) document counts for the learned boilerplate layer (index/learned.py).
LINE_MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "outlet": _KEYWORD,
        "line_hash": _KEYWORD,
        "docs": {"type": "keyword", "index": False},
        "doc_count": {"type": "integer"},
        "updated_at": {"type": "date"},
    },
}


def entries_index_name(prefix: str, version: int = MAPPING_VERSION) -> str:
    return f"{prefix}-entries-v{version}"


def entries_template(prefix: str) -> dict[str, Any]:
    """The composable index template for every version of the entries index."""
    return {
        "index_patterns": [f"{prefix}-entries-v*"],
        "priority": 100,
        "version": MAPPING_VERSION * 1000 + MAPPING_REVISION,
        "template": {"settings": ENTRY_SETTINGS, "mappings": ENTRY_MAPPINGS},
        "_meta": {
            "description": "newsfacet entries",
            "mapping_version": MAPPING_VERSION,
            "mapping_revision": MAPPING_REVISION,
        },
    }
