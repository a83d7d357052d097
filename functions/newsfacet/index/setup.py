"""Indices as an explicit step (``newsfacet setup``), never a side effect of a cold start.

:func:`ensure_indices` puts the entries template, creates the versioned index
behind its alias (or applies in-place mapping changes to the one that exists)
and creates the small side indices. The local stack runs it when it starts;
a deployment runs it once after ``sam deploy`` (docs/deploy.md). The functions
only check (:func:`check_ready`) and fail clearly when it has not been run.
"""

from __future__ import annotations

from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import OpenSearchException, RequestError

from newsfacet.config import IndexNames
from newsfacet.errors import IndexingError, IndexMissingError
from newsfacet.index.bulk import run_bulk
from newsfacet.index.dedup import count_clusters, propagate_summaries
from newsfacet.index.mapping import (
    ALIAS_MAPPINGS,
    ENTRY_MAPPINGS,
    FAILURE_MAPPINGS,
    LINE_MAPPINGS,
    entries_index_name,
    entries_template,
)
from newsfacet.index.recent import RECENT_MAPPINGS
from newsfacet.ingest.clusters import cluster_hash

_SMALL_INDEX = {"number_of_shards": 1, "number_of_replicas": 0}


def ensure_indices(client: OpenSearch, names: IndexNames) -> list[str]:
    """Create or update everything under ``names``; safe to run again and from many places.

    Returns:
        What was done, one line each (for ``newsfacet setup``'s output).
    """
    done = []
    client.indices.put_index_template(name=names.entries, body=entries_template(names.prefix))
    done.append(f"template {names.entries} put")
    if client.indices.exists_alias(name=names.entries):
        # Additive changes (new fields, ignore_above) apply to the live index in place.
        client.indices.put_mapping(index=names.entries, body=ENTRY_MAPPINGS)
        done.append(f"mapping of {names.entries} updated")
        filled = fill_cluster_fields(client, names.entries)
        if filled:
            done.append(f"cluster fields filled on {filled} entries of {names.entries}")
    else:
        index = entries_index_name(names.prefix)
        _create(client, index, {"aliases": {names.entries: {"is_write_index": True}}})
        done.append(f"index {index} created behind alias {names.entries}")
    for index, mappings in (
        (names.failures, FAILURE_MAPPINGS),
        (names.lines, LINE_MAPPINGS),
        (names.aliases, ALIAS_MAPPINGS),
        (names.recent, RECENT_MAPPINGS),
    ):
        if client.indices.exists(index=index):
            client.indices.put_mapping(index=index, body=mappings)
            done.append(f"mapping of {index} updated")
        else:
            _create(client, index, {"settings": _SMALL_INDEX, "mappings": mappings})
            done.append(f"index {index} created")
    return done


_PAGE = 1000
_SET_HASH = "ctx._source.cluster_hash = params.hash"


def fill_cluster_fields(client: OpenSearch, alias: str) -> int:
    """Give entries stored before mapping revision 3 their cluster fields, once.

    ``cluster_hash`` on every entry that lacks it, and the summary (size,
    copies, members) on every member of each cluster of two or more among
    them. Entries written since carry both; a second run finds nothing to do.

    Returns:
        How many entries were given a cluster hash.
    """
    missing = {"bool": {"must_not": [{"exists": {"field": "cluster_hash"}}]}}
    filled = 0
    while True:
        hits = client.search(
            index=alias,
            body={
                "size": _PAGE,
                "track_total_hits": False,
                "_source": ["cluster"],
                "sort": [{"id": "asc"}],
                "query": missing,
            },
        )["hits"]["hits"]
        if not hits:
            return filled
        clusters = {str(h["_source"].get("cluster") or h["_id"]) for h in hits}
        actions = [
            {
                "_op_type": "update",
                "_index": alias,
                "_id": hit["_id"],
                "retry_on_conflict": 5,
                "script": {
                    "lang": "painless",
                    "source": _SET_HASH,
                    "params": {
                        "hash": cluster_hash(str(hit["_source"].get("cluster") or hit["_id"]))
                    },
                },
            }
            for hit in hits
        ]
        verdicts = run_bulk(client, actions, refresh="wait_for")
        refused = [v.reason for v in verdicts if not v.written and v.status != "missing"]
        if refused:
            raise IndexingError("cluster fields not stored", alias=alias, reason=refused[0])
        filled += len(hits)
        counted = count_clusters(client, alias, clusters)
        propagate_summaries(client, alias, {c: s for c, s in counted.items() if s.size > 1})


def check_ready(client: OpenSearch, names: IndexNames) -> None:
    """One request: are the alias and the side indices there?

    Raises:
        IndexMissingError: something is missing: run ``newsfacet setup``.
        IndexingError: OpenSearch did not answer.
    """
    wanted = [names.entries, names.failures, names.lines, names.aliases, names.recent]
    try:
        found = client.indices.get_alias(index=",".join(wanted), ignore_unavailable=True)
    except OpenSearchException as exc:
        if getattr(exc, "status_code", None) == 404:
            found = {}
        else:
            raise IndexingError(f"OpenSearch did not answer: {exc}") from exc
    present = set(found)
    for index_info in found.values():
        present.update(index_info.get("aliases", {}))
    missing = [name for name in wanted if name not in present]
    if missing:
        raise IndexMissingError(
            f"missing in OpenSearch: {', '.join(missing)}; run `newsfacet setup` against this "
            "cluster (docs/deploy.md)",
            missing=missing,
        )


def _create(client: OpenSearch, index: str, body: dict[str, Any]) -> None:
    try:
        client.indices.create(index=index, body=body)
    except RequestError as exc:
        if exc.error != "resource_already_exists_exception":
            raise


def delete_indices(client: OpenSearch, names: IndexNames) -> None:
    """Remove everything under a prefix (tests and `newsfacet setup --reset`)."""
    client.indices.delete(
        index=f"{names.prefix}-*", ignore_unavailable=True, expand_wildcards="all"
    )
    client.indices.delete_index_template(name=names.entries, ignore=[404])
