"""The local runner stops a function at its timeout, as Lambda does."""

from __future__ import annotations

import threading
import time

import pytest

from newsfacet_cli.local.invoke import FunctionTimeoutError, call_with_timeout

pytestmark = pytest.mark.unit


def test_a_function_past_its_timeout_is_stopped_and_reported() -> None:
    finished = threading.Event()

    def slow() -> str:
        for _ in range(100):  # 10 s of Python, interruptible between steps
            time.sleep(0.1)
        finished.set()
        return "too late"

    started = time.monotonic()
    with pytest.raises(FunctionTimeoutError, match=r"IngestFunction timed out after 0\.5 s"):
        call_with_timeout(slow, 0.5, "IngestFunction")
    assert time.monotonic() - started < 3
    time.sleep(0.5)
    assert not finished.is_set()  # interrupted, not left running to completion


def test_results_and_errors_pass_through() -> None:
    assert call_with_timeout(lambda: {"ok": 1}, 5, "f") == {"ok": 1}

    def broken() -> None:
        raise KeyError("bug")

    with pytest.raises(KeyError, match="bug"):
        call_with_timeout(broken, 5, "f")
