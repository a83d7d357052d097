"""OpenSearch goes away while uploads arrive: every object is searchable once it is back,
with no manual step, and nothing reaches the dead-letter queue."""

from __future__ import annotations

import json
import time

import pytest

from tests.conftest import seed_paths
from tests.fault.conftest import FaultStack

pytestmark = pytest.mark.fault


def test_an_outage_loses_nothing_and_needs_no_manual_step(fault_stack: FaultStack) -> None:
    info = fault_stack.info
    fault_stack.opensearch("stop")
    keys = []
    for path in seed_paths():
        key = f"outage/{path.name}"
        fault_stack.s3.upload_file(str(path), info.bucket, key)
        keys.append(key)
    for i in range(5):
        key = f"outage/story-{i}.json"
        text = f"Story {i}: the harbour board met on Tuesday and approved the new ferry timetable."
        fault_stack.s3.put_object(
            Bucket=info.bucket, Key=key, Body=json.dumps({"title": f"Ferry {i}", "text": text})
        )
        keys.append(key)
    # The poller hands them to the handler, which cannot reach OpenSearch: they back off.
    time.sleep(8)
    assert fault_stack.queue_depth(info.queue_url) >= len(keys)
    # The same node comes back at the same address, with its data.
    assert fault_stack.opensearch("start") == info.opensearch_url

    fault_stack.wait_until(
        lambda: all(fault_stack.entries_of(key) for key in keys),
        timeout_s=150,
        what="every object uploaded during the outage is searchable",
    )
    fault_stack.wait_until(
        lambda: fault_stack.queue_depth(info.queue_url) == 0, timeout_s=30, what="queue drained"
    )
    assert fault_stack.queue_depth(info.dlq_url) == 0
    assert [f for key in keys for f in fault_stack.failures_of(key)] == []
