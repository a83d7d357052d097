"""Build the OpenSearch client from settings: plain HTTP locally, SigV4 on AWS."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opensearchpy import AWSV4SignerAuth, OpenSearch, RequestsHttpConnection
from opensearchpy.exceptions import NotFoundError, OpenSearchException

from newsfacet.config import Settings
from newsfacet.errors import IndexingError, IndexMissingError


def build_client(settings: Settings) -> OpenSearch:
    """One client per container; it pools connections across invocations."""
    url = str(settings.opensearch_url).rstrip("/")
    kwargs: dict[str, object] = {
        "hosts": [url],
        "timeout": settings.opensearch_timeout_s,
        "max_retries": 2,
        "retry_on_timeout": False,
        "http_compress": True,
    }
    if settings.opensearch_auth == "sigv4":
        import boto3  # only the signing path needs credentials

        credentials = boto3.Session().get_credentials()
        kwargs["http_auth"] = AWSV4SignerAuth(credentials, settings.aws_region, "es")
        kwargs["connection_class"] = RequestsHttpConnection
        kwargs["use_ssl"] = url.startswith("https")
        kwargs["verify_certs"] = True
    return OpenSearch(**kwargs)  # type: ignore[arg-type]


@contextmanager
def write_side_errors(index: str, doing: str) -> Iterator[None]:
    """Client errors on the ingest side as ours: a missing index, or a fault to retry.

    Raises:
        IndexMissingError: ``index`` does not exist (``newsfacet setup`` has not run).
        IndexingError: OpenSearch failed or did not answer.
    """
    try:
        yield
    except NotFoundError as exc:
        raise IndexMissingError(f"index {index} missing; run `newsfacet setup`") from exc
    except OpenSearchException as exc:
        raise IndexingError(f"{doing} failed: {exc}") from exc
