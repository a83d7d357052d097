"""Every bad-input class of the fault run, through the real local stack: each ends recorded
exactly once (or indexed, bounded), none is retried, none reaches the dead-letter queue."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

import pytest

from tests.fault.conftest import FaultStack

pytestmark = pytest.mark.fault

STORY = "The council approved a new budget for the valley's schools on Monday evening. "
WORDS = ["council", "budget", "river", "school", "teacher", "village", "market", "harbour"]


def _prose(chars: int, seed: int) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(chars // 7))


def _inputs() -> dict[str, tuple[bytes, str]]:
    """key -> (bytes, the outcome: a failure code recorded once, or "indexed")."""
    rng = random.Random(14)
    cases: dict[str, tuple[bytes, str]] = {
        "bad/huge-body.txt": ((_prose(1_200_000, 1) + ".").encode(), "over_budget"),
        "bad/surrogates.json": (
            f'{{"title": "Lone \\ud800", "text": "{STORY} \\udc00"}}'.encode(),
            "indexed",
        ),
        "bad/just-a-string.json": (b'"just a string"', "malformed_content"),
        "bad/long-author.json": (
            json.dumps(
                {
                    "title": "Long",
                    "text": STORY * 3,
                    "author": "A" * 40_000,
                    "site_name": "S" * 40_000,
                }
            ).encode(),
            "indexed",
        ),
        "bad/nested.json": (b"[" * 100_000 + b"]" * 100_000, "malformed_content"),
        "bad/nested-divs.html": (
            b"<html><body>" + b"<div>" * 100_000 + STORY.encode() + b"</div>" * 100_000,
            "no_content",
        ),
        "bad/one-byte.bin": (b"\xe6", "no_content"),
    }
    for size in range(1, 15):
        cases[f"bad/junk-{size:02d}.bin"] = (bytes(rng.randrange(256) for _ in range(size)), "*")
    lines = [
        json.dumps({"title": f"Line {i}", "text": f"Line {i}. {_prose(300, i)}."})
        for i in range(2000)
    ]
    cases["bad/two-thousand.jsonl"] = ("\n".join(lines).encode(), "indexed:2000")
    return cases


def test_each_bad_input_ends_recorded_once_and_never_in_the_dlq(
    fault_stack: FaultStack, record_property: Callable[[str, object], None]
) -> None:
    info = fault_stack.info
    cases = _inputs()
    for key, (body, _) in cases.items():
        fault_stack.s3.put_object(Bucket=info.bucket, Key=key, Body=body)

    def settled(key: str) -> bool:
        return bool(fault_stack.failures_of(key) or fault_stack.entries_of(key))

    fault_stack.wait_until(
        lambda: all(settled(k) for k in cases), timeout_s=240, what="every object settled"
    )
    fault_stack.wait_until(
        lambda: fault_stack.queue_depth(info.queue_url) == 0, timeout_s=120, what="queue drained"
    )
    outcomes: dict[str, Any] = {}
    for key, (_, expected) in cases.items():
        failures = [f["error"] for f in fault_stack.failures_of(key)]
        entries = fault_stack.entries_of(key)
        outcomes[key] = (failures, len(entries))
        if expected == "indexed":
            assert (failures, len(entries)) == ([], 1), key
        elif expected.startswith("indexed:"):
            assert (failures, len(entries)) == ([], int(expected.split(":")[1])), key
        elif expected == "*":  # junk: refused for one reason or another, once
            assert len(failures) == 1, (key, failures)
            assert entries == [], key
        else:
            assert failures == [expected], (key, failures)
            assert entries == [], key
    assert fault_stack.queue_depth(info.dlq_url) == 0, outcomes
    for key, (failures, entries) in outcomes.items():
        record_property(key, f"failures={failures} entries={entries}")
    (bounded,) = fault_stack.entries_of("bad/long-author.json")
    assert [len(a) for a in bounded["authors"]] == [200]
    (scrubbed,) = fault_stack.entries_of("bad/surrogates.json")
    assert "\ufffd" in scrubbed["title"]
