"""The fault suite's local stack: an OpenSearch node it may kill and start, moto_server,
and a poller driving the real ingest handler through the local runner (timeout enforced).

Retries back off from 1 s, capped at 15 s (``NEWSFACET_RETRY_*``), so the queue's
``maxReceiveCount`` from template.yaml (12) outlasts ~135 s of outage within the
suite's time; everything else is as ``make demo`` runs it.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, STATE

RETRIES = {"NEWSFACET_RETRY_BASE_S": "1", "NEWSFACET_RETRY_MAX_S": "15"}


def without_cluster_url() -> dict[str, str]:
    """The environment minus OPENSEARCH_URL, so infra/opensearch.sh runs a node of its own."""
    return {k: v for k, v in os.environ.items() if k != "OPENSEARCH_URL"}


@dataclass
class FaultStack:
    info: Any
    state: Path
    s3: Any
    sqs: Any
    os_client: Any

    def opensearch(self, command: str) -> str:
        """``infra/opensearch.sh COMMAND`` on this suite's node; its last line of output."""
        result = subprocess.run(
            ["bash", str(ROOT / "infra" / "opensearch.sh"), command],
            # This suite's own node: a cluster named by OPENSEARCH_URL is not ours to stop.
            env={**without_cluster_url(), "NEWSFACET_STATE_DIR": str(self.state)},
            capture_output=True,
            text=True,
            check=True,
            timeout=180,
        )
        lines = result.stdout.strip().splitlines()
        return lines[-1] if lines else ""

    def queue_depth(self, url: str) -> int:
        attrs = self.sqs.get_queue_attributes(
            QueueUrl=url,
            AttributeNames=[
                "ApproximateNumberOfMessages",
                "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed",
            ],
        )["Attributes"]
        return sum(int(v) for v in attrs.values())

    def wait_until(self, done: Callable[[], bool], timeout_s: float, what: str) -> float:
        """Seconds until ``done()`` held; fails the test after ``timeout_s``."""
        start = time.monotonic()
        while time.monotonic() - start < timeout_s:
            if done():
                return time.monotonic() - start
            time.sleep(0.5)
        raise AssertionError(f"not within {timeout_s} s: {what}")

    def failures_of(self, key: str) -> list[dict[str, Any]]:
        index = self.info.index_prefix + "-failures"
        self.os_client.indices.refresh(index=index)
        hits = self.os_client.search(
            index=index, body={"size": 100, "query": {"term": {"key": key}}}
        )["hits"]["hits"]
        return [h["_source"] for h in hits]

    def entry_ids(self) -> set[str]:
        alias = self.info.index_prefix + "-entries"
        self.os_client.indices.refresh(index=alias)
        hits = self.os_client.search(
            index=alias, body={"size": 10_000, "_source": False, "query": {"match_all": {}}}
        )["hits"]["hits"]
        return {h["_id"] for h in hits}

    def entries_of(self, key: str) -> list[dict[str, Any]]:
        alias = self.info.index_prefix + "-entries"
        self.os_client.indices.refresh(index=alias)
        hits = self.os_client.search(
            index=alias, body={"size": 3000, "query": {"term": {"sources.key": key}}}
        )["hits"]["hits"]
        return [h["_source"] for h in hits]


@pytest.fixture(scope="session")
def fault_stack(opensearch_url: str) -> Iterator[FaultStack]:
    """The suite's stack, on the session's OpenSearch node when this session started it
    (stopping and starting it mid-session shows that the rest of the suite carries on);
    on a node of its own when ``OPENSEARCH_URL`` names a cluster it must not stop."""
    import boto3

    from newsfacet.config import Settings
    from newsfacet.index.client import build_client
    from newsfacet_cli.local.invoke import invoke
    from newsfacet_cli.local.poller import QueuePoller
    from newsfacet_cli.local.stack import LocalStack, stop_pid
    from newsfacet_cli.local.template import Template

    own_node = bool(os.environ.get("OPENSEARCH_URL"))
    state = ROOT / ".run" / "pytest-fault" / uuid.uuid4().hex[:8] if own_node else STATE
    stack = LocalStack(
        ROOT, state_dir=state / "fault-stack", index_prefix=f"fault{uuid.uuid4().hex[:6]}"
    )
    holder = FaultStack(info=None, state=state, s3=None, sqs=None, os_client=None)
    url = holder.opensearch("start") if own_node else opensearch_url
    try:
        info = stack.provision(url, stack.start_moto())
        session = boto3.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        )
        holder.info = info
        holder.s3 = session.client("s3", endpoint_url=info.aws_endpoint)
        holder.sqs = session.client("sqs", endpoint_url=info.aws_endpoint)
        holder.os_client = build_client(
            Settings(opensearch_url=url, index_prefix=info.index_prefix)  # type: ignore[arg-type]
        )
        template = Template(ROOT / "template.yaml")
        overrides = {**info.function_overrides(), **RETRIES, "POWERTOOLS_LOG_LEVEL": "WARNING"}
        poller = QueuePoller(
            holder.sqs,
            info.queue_url,
            lambda event: invoke(template, "IngestFunction", event, overrides),
        )
        thread = threading.Thread(target=poller.run_forever, daemon=True)
        thread.start()
        try:
            yield holder
        finally:
            poller.stop()
            thread.join(timeout=60)
    finally:
        if stack.moto_pidfile.exists():
            stop_pid(int(stack.moto_pidfile.read_text()))
        if own_node:
            holder.opensearch("destroy")
        else:
            from newsfacet.config import IndexNames
            from newsfacet.index.setup import delete_indices

            delete_indices(holder.os_client, IndexNames(stack.index_prefix))
