"""Shared fixtures: a real OpenSearch for the session, moto for AWS, seeds as inputs.

The OpenSearch fixture fails loudly when no cluster can be had: a suite that
silently skips its server tests proves nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "samples" / "seeds"
EVENTS = ROOT / "events"
STATE = ROOT / ".run" / "pytest"


def load_event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text("utf-8"))


def seed_paths() -> list[Path]:
    return sorted(SEEDS.glob("*.txt"))


@pytest.fixture(scope="session")
def opensearch_url() -> Iterator[str]:
    """A real OpenSearch: ``OPENSEARCH_URL`` if set, else one started by infra/opensearch.sh."""
    if os.environ.get("OPENSEARCH_URL"):
        yield os.environ["OPENSEARCH_URL"].rstrip("/")
        return
    env = {**os.environ, "NEWSFACET_STATE_DIR": str(STATE)}
    started = subprocess.run(
        ["bash", str(ROOT / "infra" / "opensearch.sh"), "start"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if started.returncode != 0:
        pytest.fail(
            "could not start OpenSearch with infra/opensearch.sh (set OPENSEARCH_URL to use a "
            f"running cluster):\n{started.stderr[-3000:]}",
            pytrace=False,
        )
    url = started.stdout.strip().splitlines()[-1]
    try:
        yield url
    finally:
        subprocess.run(
            # `stop` would keep the node's data for the next session; tests want none.
            ["bash", str(ROOT / "infra" / "opensearch.sh"), "destroy"],
            env=env,
            check=False,
            stdout=subprocess.DEVNULL,
        )


@pytest.fixture
def index_prefix(request: pytest.FixtureRequest) -> str:
    """A unique prefix per test, so tests never see each other's entries."""
    return f"t{uuid.uuid4().hex[:10]}"


@pytest.fixture
def settings(opensearch_url: str, index_prefix: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """This test's settings, blind to NEWSFACET_* left in the environment by in-process invokes."""
    from newsfacet.config import Settings

    for key in [k for k in os.environ if k.startswith("NEWSFACET_")]:
        monkeypatch.delenv(key)
    return Settings(opensearch_url=opensearch_url, index_prefix=index_prefix)  # type: ignore[arg-type]


@pytest.fixture
def os_client(settings: Any) -> Iterator[Any]:
    from newsfacet.index.client import build_client
    from newsfacet.index.setup import delete_indices, ensure_indices

    client = build_client(settings)
    ensure_indices(client, settings.index_names)
    yield client
    delete_indices(client, settings.index_names)


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def template() -> Any:
    from newsfacet_cli.local.template import Template

    return Template(ROOT / "template.yaml")


@pytest.fixture
def moto_aws(aws_env: None, template: Any) -> Iterator[dict[str, Any]]:
    """In-process moto with the bucket, queues and notification wired as the template says."""
    import boto3
    from moto import mock_aws

    from newsfacet_cli.local.stack import provision_aws

    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        sqs = boto3.client("sqs", region_name="us-east-1")
        names = provision_aws(template, s3, sqs)
        yield {"s3": s3, "sqs": sqs, **names}


@pytest.fixture(scope="session")
def local_stack(opensearch_url: str) -> Iterator[Any]:
    """moto_server on 127.0.0.1 provisioned from the template, beside the session OpenSearch."""
    from newsfacet_cli.local.stack import LocalStack

    stack = LocalStack(ROOT, state_dir=STATE / "stack", index_prefix=f"e2e{uuid.uuid4().hex[:8]}")
    info = stack.provision(opensearch_url, stack.start_moto())
    try:
        yield info
    finally:
        stack.down(stop_opensearch=False)


@pytest.fixture(scope="session")
def local_aws(local_stack: Any) -> dict[str, Any]:
    """boto3 clients talking to the local stack's moto_server, as any S3 client would."""
    import boto3

    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    return {
        "s3": session.client("s3", endpoint_url=local_stack.aws_endpoint),
        "sqs": session.client("sqs", endpoint_url=local_stack.aws_endpoint),
    }


@pytest.fixture
def isolated_stack(opensearch_url: str, index_prefix: str, tmp_path: Path) -> Iterator[Any]:
    """A moto_server of its own, provisioned from the template, and an index prefix of its own.

    For tests that must see an empty bucket, queue and index (``local_stack`` is
    shared by the session).
    """
    from newsfacet.config import Settings
    from newsfacet.index.client import build_client
    from newsfacet.index.setup import delete_indices
    from newsfacet_cli.local.stack import LocalStack, stop_pid

    stack = LocalStack(ROOT, state_dir=tmp_path / "stack", index_prefix=index_prefix)
    endpoint = stack.start_moto()
    try:
        yield stack.provision(opensearch_url, endpoint)
    finally:
        stop_pid(int(stack.moto_pidfile.read_text()))
        settings = Settings(opensearch_url=opensearch_url, index_prefix=index_prefix)  # type: ignore[arg-type]
        delete_indices(build_client(settings), settings.index_names)
