"""OpenSearch crashes while uploads arrive: every object is searchable once it is started again,
with no manual step, nothing reaches the dead-letter queue, and what it held before is kept.

The node is killed (SIGKILL), not stopped: `infra/opensearch.sh start` must bring a crashed
node back with its data on its address. (A clean `stop` then `start` is the demo test's second
demo, which finds the node the first one stopped.)"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable

import pytest

from tests.conftest import seed_paths
from tests.fault.conftest import FaultStack

pytestmark = pytest.mark.fault


def test_an_outage_loses_nothing_and_needs_no_manual_step(
    fault_stack: FaultStack, record_property: Callable[[str, object], None]
) -> None:
    info = fault_stack.info
    held_before = fault_stack.entry_ids()
    down = time.monotonic()
    os.kill(int((fault_stack.state / "opensearch.pid").read_text()), signal.SIGKILL)
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
    outage_s = time.monotonic() - down

    recovered_s = fault_stack.wait_until(
        lambda: all(fault_stack.entries_of(key) for key in keys),
        timeout_s=150,
        what="every object uploaded during the outage is searchable",
    )
    fault_stack.wait_until(
        lambda: fault_stack.queue_depth(info.queue_url) == 0, timeout_s=30, what="queue drained"
    )
    assert fault_stack.queue_depth(info.dlq_url) == 0
    assert [f for key in keys for f in fault_stack.failures_of(key)] == []
    assert fault_stack.entry_ids() >= held_before  # nothing held before the crash is lost
    record_property("entries_before_crash", len(held_before))
    record_property("objects", len(keys))
    record_property("outage_s", round(outage_s, 1))
    record_property("searchable_after_restart_s", round(recovered_s, 1))
