"""Every file in events/ runs through `newsfacet invoke` against the local stack."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any
from urllib.parse import unquote_plus

import pytest

from tests.conftest import EVENTS, ROOT, SEEDS, load_event

pytestmark = pytest.mark.e2e


def _object_keys(event: dict[str, Any]) -> list[str]:
    """The (decoded) keys an S3-shaped event names, whatever its wrapping."""
    if event.get("source") == "aws.s3":
        return [unquote_plus(event["detail"]["object"]["key"])]
    keys = []
    for record in event.get("Records", []):
        notification = json.loads(record["body"]) if "body" in record else {"Records": [record]}
        keys += [unquote_plus(r["s3"]["object"]["key"]) for r in notification["Records"]]
    return keys


def _seed_for(key: str) -> bytes:
    number = key.rsplit("/", 1)[-1].replace("Belgorod raid ", "")[:3]
    return next(SEEDS.glob(f"{number}_*.txt")).read_bytes()


@pytest.fixture(scope="module")
def uploaded(local_stack: Any, local_aws: dict[str, Any]) -> None:
    for path in EVENTS.glob("*.json"):
        for key in _object_keys(load_event(path.name)):
            local_aws["s3"].put_object(Bucket=local_stack.bucket, Key=key, Body=_seed_for(key))


def _invoke(function: str, event_file: str, local_stack: Any, tmp_path: Any) -> Any:
    """Run the real CLI in a subprocess, pointed at the test stack's state."""
    env_vars = tmp_path / "env.json"
    env_vars.write_text(json.dumps({function: local_stack.function_overrides()}))
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "newsfacet_cli.main",
            "invoke",
            function,
            "--event",
            str(EVENTS / event_file),
            "--env-vars",
            str(env_vars),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        env={
            "PATH": "/usr/bin:/bin",
            "NEWSFACET_STATE_DIR": str(ROOT / ".run" / "pytest" / "stack"),
            "PYTHONPATH": str(ROOT / "functions"),
        },
    )
    # Powertools prints metrics (EMF) on stdout too; the result is the last line.
    return json.loads(out.stdout.strip().splitlines()[-1])


INGEST_EVENTS = sorted(p.name for p in EVENTS.glob("*.json") if not p.name.startswith("api-"))
API_EVENTS = sorted(p.name for p in EVENTS.glob("api-*.json"))


@pytest.fixture(scope="module")
def ingested(uploaded: None, local_stack: Any, tmp_path_factory: Any) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("ingest")
    return {name: _invoke("IngestFunction", name, local_stack, tmp) for name in INGEST_EVENTS}


@pytest.mark.parametrize("event_file", INGEST_EVENTS)
def test_ingest_event(event_file: str, ingested: dict[str, Any]) -> None:
    result = ingested[event_file]
    if "batchItemFailures" in result:  # SQS-shaped: a partial batch response
        assert result == {"batchItemFailures": []}
    else:
        assert [r["status"] for r in result["results"]] == ["ingested"]


@pytest.mark.parametrize("event_file", API_EVENTS)
def test_api_event(
    event_file: str, ingested: dict[str, Any], local_stack: Any, tmp_path: Any
) -> None:
    result = _invoke("SearchFunction", event_file, local_stack, tmp_path)
    assert result["statusCode"] == 200
    body = json.loads(result["body"])
    if "/search" in load_event(event_file)["rawPath"]:
        assert body["total"] >= 3
        assert {"outlet", "person", "org", "loc", "date"} <= body["facets"].keys()
        assert all("belgorod" in json.dumps(h).lower() for h in body["hits"])
    else:
        assert body["status"] == "ok"


def test_events_cover_both_functions() -> None:
    assert {"s3-put.json", "sqs-s3.json", "eventbridge-s3.json"} <= set(INGEST_EVENTS)
    assert "api-search.json" in API_EVENTS
