"""Build each function's dependencies once per container, on first use.

Handlers call these factories inside the invocation, never at import time,
so importing a handler is cheap and tests can swap settings.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported on first use: the search function's cold start stays small
    from newsfacet.config import Settings
    from newsfacet.ingest.pipeline import IngestDeps
    from newsfacet.search.service import SearchService


@lru_cache(maxsize=4)
def ingest_deps(settings: Settings | None = None) -> IngestDeps:
    import boto3

    from newsfacet.config import get_settings
    from newsfacet.index.aliases import IndexAliasTable, alias_index_name
    from newsfacet.index.client import build_client
    from newsfacet.index.dedup import ClusterIndex
    from newsfacet.index.lines import LineStatsIndex
    from newsfacet.index.setup import ensure_indices
    from newsfacet.index.writer import EntryIndexWriter, FailureIndexLog
    from newsfacet.ingest.entities import SpacyEntityTagger
    from newsfacet.ingest.pipeline import IngestDeps, TemplateLearning
    from newsfacet.storage import S3ObjectStore

    settings = settings or get_settings()
    client = build_client(settings)
    ensure_indices(client, settings.index_prefix)
    return IngestDeps(
        store=S3ObjectStore(
            boto3.client(
                "s3",
                region_name=settings.aws_region,
                endpoint_url=str(settings.s3_endpoint_url) if settings.s3_endpoint_url else None,
            )
        ),
        writer=EntryIndexWriter(client, settings.entries_alias),
        failures=FailureIndexLog(client, settings.failures_index),
        max_object_bytes=settings.max_object_bytes,
        templates=TemplateLearning(
            LineStatsIndex(client, settings.lines_index), settings.template_line_min_docs
        )
        if settings.template_learning
        else None,
        entities=(
            SpacyEntityTagger(IndexAliasTable(client, alias_index_name(settings.index_prefix)))
            if settings.entities_enabled
            else None
        ),
        clusters=ClusterIndex(client, settings.entries_alias),
    )


@lru_cache(maxsize=4)
def search_service(settings: Settings | None = None) -> SearchService:
    from newsfacet.config import get_settings
    from newsfacet.index.client import build_client
    from newsfacet.search.service import SearchService

    settings = settings or get_settings()
    return SearchService(
        build_client(settings),
        settings.entries_alias,
        settings.cursor_secret.get_secret_value().encode(),
    )
