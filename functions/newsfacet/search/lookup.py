"""Request bodies for entity suggestions, entity name resolution, outlets and entries. Pure.

Entity names are found in the per-type canonical-name fields
(``entities_person`` ...). Their ``.prefix`` sub-field (edge n-grams of each
word) narrows the documents cheaply; a terms aggregation over the keyword
field, restricted by a regular expression built here from escaped characters,
then counts the names that really match, most frequent first.
"""

from __future__ import annotations

import re
from typing import Any

from newsfacet.lucene import case_blind_literal
from newsfacet.models.entry import ENTITY_TYPES, entity_field

ENTITY_FIELDS: dict[str, str] = {t: entity_field(t) for t in ENTITY_TYPES}

# What a name or prefix may hold: letters (any script), digits, spaces and the
# punctuation names use. Anything else is refused at the API edge.
NAME_PATTERN = r"^[\w .'’&-]+$"
MAX_NAME_WORD = 20  # the edge n-gram filter stops at 20 characters
RESOLVE_CANDIDATES = 20
_SEPARATOR = "(.*( |\\-))?"
_GAP = "( |\\-)"


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s\-]+", text) if w]


def name_regexp(text: str, *, prefix: bool) -> str:
    """Names in which ``text`` starts at a word boundary (a prefix, or whole words)."""
    body = _SEPARATOR + _GAP.join(case_blind_literal(w) for w in _words(text))
    return body + (".*" if prefix else f"({_GAP}.*)?")


def prefix_match(field: str, text: str) -> dict[str, Any]:
    words = [w[:MAX_NAME_WORD] for w in _words(text) if len(w) >= 2]
    if not words:
        return {"match_all": {}}
    return {"match": {f"{field}.prefix": {"query": " ".join(words), "operator": "and"}}}


def _types(entity_type: str | None) -> dict[str, str]:
    if entity_type is None:
        return ENTITY_FIELDS
    return {entity_type: ENTITY_FIELDS[entity_type]}


def build_suggestions_query(
    prefix: str | None, entity_type: str | None, size: int
) -> dict[str, Any]:
    """Top entities per type whose name has a word starting with ``prefix``."""
    aggs: dict[str, Any] = {}
    for type_name, field in _types(entity_type).items():
        terms: dict[str, Any] = {"field": field, "size": size, "shard_size": max(size * 5, 100)}
        if prefix:
            terms["include"] = name_regexp(prefix, prefix=True)
        aggs[type_name] = {
            "filter": prefix_match(field, prefix) if prefix else {"match_all": {}},
            "aggs": {"names": {"terms": terms}},
        }
    return {"size": 0, "track_total_hits": False, "aggs": aggs}


def build_resolution_query(names: list[str], entity_type: str | None) -> dict[str, Any]:
    """For each name, the most frequent canonical entities that contain it as whole words."""
    aggs: dict[str, Any] = {}
    for index, name in enumerate(names):
        for type_name, field in _types(entity_type).items():
            aggs[f"n{index}_{type_name}"] = {
                "filter": prefix_match(field, name),
                "aggs": {
                    "names": {
                        "terms": {
                            "field": field,
                            "size": RESOLVE_CANDIDATES,
                            "include": name_regexp(name, prefix=False),
                        }
                    }
                },
            }
    return {"size": 0, "track_total_hits": False, "aggs": aggs}


def pick_resolution(raw_aggs: dict[str, Any], index: int, name: str) -> str | None:
    """The canonical key for a name: an exact (case-insensitive) match, else the most frequent."""
    candidates: list[tuple[int, str, str]] = []
    for agg_name, agg in raw_aggs.items():
        if not agg_name.startswith(f"n{index}_"):
            continue
        type_name = agg_name.split("_", 1)[1]
        for bucket in agg["names"]["buckets"]:
            candidates.append((bucket["doc_count"], type_name, bucket["key"]))
    if not candidates:
        return None
    exact = [c for c in candidates if c[2].casefold() == name.casefold()]
    _count, type_name, canonical = max(exact or candidates, key=lambda c: (c[0], c[2]))
    return f"{type_name}:{canonical}"


def build_outlets_query(size: int) -> dict[str, Any]:
    return {
        "size": 0,
        "track_total_hits": False,
        "aggs": {
            "outlets": {
                "terms": {"field": "outlet", "size": size},
                "aggs": {
                    "name": {"terms": {"field": "outlet_name", "size": 1}},
                    "first": {"min": {"field": "published"}},
                    "undated": {"missing": {"field": "published"}},
                    "last": {"max": {"field": "published"}},
                },
            }
        },
    }


def build_cluster_members_query(cluster: str, exclude_id: str, size: int) -> dict[str, Any]:
    return {
        "size": size,
        "track_total_hits": False,
        "query": {
            "bool": {
                "filter": [{"term": {"cluster": cluster}}],
                "must_not": [{"ids": {"values": [exclude_id]}}],
            }
        },
        "sort": [{"published": {"order": "asc", "missing": "_last"}}, {"id": "asc"}],
        "_source": ["id", "title", "outlet", "outlet_name", "url", "published"],
    }
