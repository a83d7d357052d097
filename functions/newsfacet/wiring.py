"""The composition root: each function's service, built from settings once per container.

Handlers call these factories inside the invocation, never at import time, so
importing a handler is cheap. The cache is keyed by the settings' values: a
process whose settings change (the local runner, tests) gets a new service
without clearing anything.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported on first use: the search function's cold start stays small
    from newsfacet.config import Settings
    from newsfacet.curation.admin import CurationAdmin
    from newsfacet.ingest.service import IngestService
    from newsfacet.queue import IngestQueue
    from newsfacet.search.service import SearchService

# Ingest re-reads the curation table whenever the head its batches' mget carries
# moved; this bounds how long it trusts its copy when no batch has asked.
INGEST_CURATION_TTL_S = 60.0


def ingest_service(settings: Settings | None = None) -> IngestService:
    """S3 in, OpenSearch out, for ``settings`` (default: the environment's)."""
    from newsfacet.config import get_settings

    return _ingest_service(settings or get_settings())


def search_service(settings: Settings | None = None) -> SearchService:
    """The search service for ``settings`` (default: the environment's)."""
    from newsfacet.config import get_settings

    return _search_service(settings or get_settings())


def admin_service(settings: Settings | None = None) -> CurationAdmin:
    """The curation admin service for ``settings`` (default: the environment's)."""
    from newsfacet.config import get_settings

    return _admin_service(settings or get_settings())


def ingest_queue(settings: Settings | None = None) -> IngestQueue:
    """Retry delays and parts on the ingest queue (SQS, or moto_server: ``sqs_endpoint_url``)."""
    from newsfacet.config import get_settings

    return _ingest_queue(settings or get_settings())


@lru_cache(maxsize=4)
def _ingest_queue(settings: Settings) -> IngestQueue:
    import boto3

    from newsfacet.queue import IngestQueue

    endpoint = str(settings.sqs_endpoint_url) if settings.sqs_endpoint_url else None
    return IngestQueue(boto3.client("sqs", region_name=settings.aws_region, endpoint_url=endpoint))


def set_up_indices(
    settings: Settings | None = None, *, stop: Callable[[], bool] | None = None
) -> list[str]:
    """The set-up step (``newsfacet setup``) against the configured cluster.

    ``stop`` ends the data migrations early (the deploy-time custom resource passes
    its time left); the next run of the step finishes them.
    """
    from newsfacet.config import get_settings
    from newsfacet.index.client import build_client
    from newsfacet.index.setup import ensure_indices

    settings = settings or get_settings()
    return ensure_indices(build_client(settings), settings.index_names, stop=stop)


def check_opensearch(settings: Settings | None = None) -> None:
    """Raises unless the indices are set up and the cluster is green or yellow."""
    from newsfacet.config import get_settings
    from newsfacet.index.client import build_client
    from newsfacet.index.setup import check_healthy

    settings = settings or get_settings()
    check_healthy(build_client(settings), settings.index_names)


@lru_cache(maxsize=4)
def _ingest_service(settings: Settings) -> IngestService:
    """Fails clearly (and is not cached) when the indices are not set up."""
    import boto3

    from newsfacet.curation.store import CurationCache, CurationIndex
    from newsfacet.index.client import build_client
    from newsfacet.index.entries import EntryIndex
    from newsfacet.index.learned import LearnedIndex
    from newsfacet.index.people import KnownPeople
    from newsfacet.index.setup import check_ready
    from newsfacet.ingest.reports import IngestConfig
    from newsfacet.ingest.service import IngestService
    from newsfacet.storage import S3ObjectStore

    client = build_client(settings)
    names = settings.index_names
    check_ready(client, names)
    s3 = boto3.client(
        "s3",
        region_name=settings.aws_region,
        endpoint_url=str(settings.s3_endpoint_url) if settings.s3_endpoint_url else None,
    )
    curation = CurationCache(CurationIndex(client, names.curation), probe_s=INGEST_CURATION_TTL_S)
    return IngestService(
        store=S3ObjectStore(s3),
        learned=LearnedIndex(
            client, lines_index=names.lines, aliases_index=names.aliases, curation=curation
        ),
        entries=EntryIndex(client, names),
        people=KnownPeople(client, names.entries),
        config=IngestConfig(
            max_object_bytes=settings.max_object_bytes,
            template_min_docs=settings.template_line_min_docs,
            learn_templates=settings.template_learning,
            tag_entities=settings.entities_enabled,
            max_object_chars=settings.max_object_chars,
            chars_per_s=settings.chars_per_s,
            reserve_s=settings.time_reserve_s,
        ),
    )


@lru_cache(maxsize=4)
def _search_service(settings: Settings) -> SearchService:
    from newsfacet.curation.store import CurationCache, CurationIndex
    from newsfacet.index.client import build_client
    from newsfacet.index.learned import LearnedIndex
    from newsfacet.search.names import NameCache
    from newsfacet.search.resolve import NAMES_TTL_S
    from newsfacet.search.service import SearchService, log_names_unavailable

    client = build_client(settings)
    names = settings.index_names
    # The learned alias table is read by the same reader ingest uses; the name
    # cache decides when to read it again (ttl 0 here: no second timer).
    learned = LearnedIndex(client, lines_index=names.lines, aliases_index=names.aliases, ttl_s=0)
    curation = CurationIndex(client, names.curation)
    return SearchService(
        client,
        names.entries,
        lambda: cursor_key(settings),
        names=NameCache(learned.aliases, ttl_s=NAMES_TTL_S, on_error=log_names_unavailable),
        curation=CurationCache(curation, probe_s=settings.curation_probe_s, degrade=True),
    )


@lru_cache(maxsize=4)
def _admin_service(settings: Settings) -> CurationAdmin:
    import boto3

    from newsfacet.curation.admin import CurationAdmin
    from newsfacet.curation.queue import SqsPassQueue
    from newsfacet.index.client import build_client

    sqs = boto3.client(
        "sqs",
        region_name=settings.aws_region,
        endpoint_url=str(settings.sqs_endpoint_url) if settings.sqs_endpoint_url else None,
    )
    names = settings.index_names
    return CurationAdmin(
        build_client(settings),
        curation_index=names.curation,
        entries_alias=names.entries,
        queue=SqsPassQueue(sqs, settings.curation_queue_url),
        settle_s=settings.curation_settle_s,
    )


@lru_cache(maxsize=4)
def cursor_key(settings: Settings) -> bytes:
    """The cursor HMAC key: the variable, else the Secrets Manager secret, read once.

    Raises:
        ConfigurationError: neither is set (no public default key exists).
        SearchBackendError: Secrets Manager did not answer (not cached: tried again).
    """
    from newsfacet.errors import ConfigurationError, SearchBackendError

    if settings.cursor_secret is not None:
        return settings.cursor_secret.get_secret_value().encode()
    if not settings.cursor_secret_arn:
        raise ConfigurationError(
            "no cursor key: set NEWSFACET_CURSOR_SECRET_ARN (the template does) or "
            "NEWSFACET_CURSOR_SECRET"
        )
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    secrets = boto3.client("secretsmanager", region_name=settings.aws_region)
    try:
        value = secrets.get_secret_value(SecretId=settings.cursor_secret_arn)["SecretString"]
    except (BotoCoreError, ClientError) as exc:
        raise SearchBackendError(f"cursor key unavailable: {exc.__class__.__name__}") from exc
    if not value:
        raise ConfigurationError("the cursor key secret is empty")
    return str(value).encode()
