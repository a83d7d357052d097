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
from newsfacet.index.mapping import (
    ALIAS_MAPPINGS,
    CURATION_MAPPINGS,
    ENTRY_MAPPINGS,
    FAILURE_MAPPINGS,
    LINE_MAPPINGS,
    SLOW_LOG_SETTINGS,
    entries_index_name,
    entries_template,
)
from newsfacet.index.migrate import Stop, run_migrations
from newsfacet.index.recent import RECENT_MAPPINGS

_SMALL_INDEX = {"number_of_shards": 1, "number_of_replicas": 0}


def ensure_indices(client: OpenSearch, names: IndexNames, *, stop: Stop | None = None) -> list[str]:
    """Create or update everything under ``names``; safe to run again and from many places.

    The data migrations (``index/migrate.py``) run last; ``stop`` (asked before each page)
    ends them early when the caller is out of time, to be finished by the next run.

    Returns:
        What was done, one line each (for ``newsfacet setup``'s output).
    """
    done = []
    client.indices.put_index_template(name=names.entries, body=entries_template(names.prefix))
    done.append(f"template {names.entries} put")
    if client.indices.exists_alias(name=names.entries):
        # Additive changes (new fields, ignore_above) apply to the live index in place.
        client.indices.put_mapping(index=names.entries, body=ENTRY_MAPPINGS)
        client.indices.put_settings(index=names.entries, body=SLOW_LOG_SETTINGS)
        done.append(f"mapping and slow-log thresholds of {names.entries} updated")
        migrate = True
    else:
        migrate = False
        index = entries_index_name(names.prefix)
        _create(client, index, {"aliases": {names.entries: {"is_write_index": True}}})
        done.append(f"index {index} created behind alias {names.entries}")
    for index, mappings in (
        (names.failures, FAILURE_MAPPINGS),
        (names.lines, LINE_MAPPINGS),
        (names.aliases, ALIAS_MAPPINGS),
        (names.curation, CURATION_MAPPINGS),
        (names.recent, RECENT_MAPPINGS),
    ):
        if client.indices.exists(index=index):
            client.indices.put_mapping(index=index, body=mappings)
            done.append(f"mapping of {index} updated")
        else:
            _create(client, index, {"settings": _SMALL_INDEX, "mappings": mappings})
            done.append(f"index {index} created")
    if migrate:
        done += run_migrations(client, names.entries, stop or (lambda: False))
    return done


def check_ready(client: OpenSearch, names: IndexNames) -> None:
    """One request: are the alias and the side indices there?

    Raises:
        IndexMissingError: something is missing: run ``newsfacet setup``.
        IndexingError: OpenSearch did not answer.
    """
    wanted = [
        names.entries,
        names.failures,
        names.lines,
        names.aliases,
        names.curation,
        names.recent,
    ]
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


def check_healthy(client: OpenSearch, names: IndexNames) -> None:
    """The indices are there and the cluster is not red: worth sending work to again.

    Raises:
        IndexMissingError: ``newsfacet setup`` has not run.
        IndexingError: OpenSearch does not answer, or its health is red.
    """
    check_ready(client, names)
    try:
        status = client.cluster.health(request_timeout=5).get("status")
    except OpenSearchException as exc:
        raise IndexingError(f"OpenSearch did not answer: {exc}") from exc
    if status not in ("green", "yellow"):
        raise IndexingError(f"cluster health is {status}")


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
