"""Build the OpenSearch client from settings: plain HTTP locally, SigV4 on AWS."""

from __future__ import annotations

from opensearchpy import AWSV4SignerAuth, OpenSearch, RequestsHttpConnection

from newsfacet.config import Settings


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
