"""Fixtures that load the real handlers with the template's environment."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from newsfacet_cli.local.stack import LOCAL_CREDENTIALS


@pytest.fixture
def function_env(settings: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """What the local stack passes the functions: this test's OpenSearch and index prefix."""
    overrides = {
        "NEWSFACET_OPENSEARCH_URL": str(settings.opensearch_url),
        "NEWSFACET_OPENSEARCH_AUTH": "none",
        "NEWSFACET_INDEX_PREFIX": settings.index_prefix,
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "Newsfacet",
        **LOCAL_CREDENTIALS,
    }
    for key in overrides:
        monkeypatch.delenv(key, raising=False)
    return overrides


@pytest.fixture
def invoke_function(
    template: Any, function_env: dict[str, str], os_client: Any
) -> Iterator[Callable[[str, dict[str, Any]], Any]]:
    """Invoke a template function in process, as `newsfacet invoke` does."""
    from newsfacet_cli.local import invoke as local_invoke

    def run(logical_id: str, event: dict[str, Any]) -> Any:
        handler, context = local_invoke.load_handler(template, logical_id, function_env)
        return handler(event, context)

    local_invoke._loaded.clear()
    yield run
    local_invoke._loaded.clear()
