"""Bad input is recorded where an operator can list it, and the good articles still go in."""

from __future__ import annotations

import gzip
import importlib
import io
import json
from collections.abc import Iterator
from contextlib import redirect_stdout
from typing import Any

import pytest

pytestmark = pytest.mark.integration

STORY = "The council approved a new budget for the valley's schools on Monday evening."


@pytest.fixture
def ingest_env(
    moto_aws: dict[str, Any], settings: Any, os_client: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, Any]]:
    from newsfacet import wiring
    from newsfacet.config import get_settings

    monkeypatch.setenv("NEWSFACET_OPENSEARCH_URL", str(settings.opensearch_url))
    monkeypatch.setenv("NEWSFACET_INDEX_PREFIX", settings.index_prefix)
    get_settings.cache_clear()
    wiring.ingest_deps.cache_clear()
    yield moto_aws
    get_settings.cache_clear()
    wiring.ingest_deps.cache_clear()


def _put(s3: Any, bucket: str, key: str, body: bytes) -> Any:
    from newsfacet.models.document import ObjectRef

    s3.put_object(Bucket=bucket, Key=key, Body=body)
    return ObjectRef(bucket=bucket, key=key)


def test_failures_are_recorded_and_listed(
    ingest_env: dict[str, Any], os_client: Any, settings: Any
) -> None:
    from newsfacet_cli.main import main

    app = importlib.import_module("functions.ingest.app")
    app.metrics.clear_metrics()
    ingest_ref = app.ingest_ref

    s3, bucket = ingest_env["s3"], ingest_env["bucket"]
    lines = [
        json.dumps({"title": "One", "text": STORY}),
        "{broken",
        json.dumps({"title": "Three", "text": STORY.replace("Monday", "Friday")}),
    ]
    batch = ingest_ref(_put(s3, bucket, "batch.jsonl", "\n".join(lines).encode()))
    empty = ingest_ref(_put(s3, bucket, "empty.txt", b""))
    cut = gzip.compress(STORY.encode() * 50)
    truncated = ingest_ref(_put(s3, bucket, "cut.txt.gz", cut[: len(cut) // 2]))

    assert batch["status"] == "ingested"
    assert batch["entries"] == 2
    assert empty == {"key": "empty.txt", "status": "rejected", "error": "empty_object"}
    assert truncated["error"] == "malformed_content"
    counted = {name: sum(m["Value"]) for name, m in app.metrics.metric_set.items()}
    app.metrics.clear_metrics()
    assert counted["ObjectsRejected"] == 2
    assert counted["ArticlesRejected"] == 1
    assert counted["RejectedEmptyObject"] == 1
    assert counted["RejectedMalformedContent"] == 2

    os_client.indices.refresh(index=settings.failures_index)
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["failures", "--since", "1h"]) == 0
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert {(r["key"], r["error"]) for r in rows} == {
        ("batch.jsonl", "malformed_content"),
        ("empty.txt", "empty_object"),
        ("cut.txt.gz", "malformed_content"),
    }
    bad_line = next(r for r in rows if r["key"] == "batch.jsonl")
    assert bad_line["position"] == 2
    assert "line 2" in bad_line["message"]
