"""SIGTERM to `make demo`'s process group leaves no process, and a demo right after starts cleanly.

`make` passes the signal on to its child, so the demo gets it twice: the second
must not cut its clean-up short (OpenSearch was left running before).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from newsfacet_cli.local.stack import free_port
from tests.conftest import ROOT
from tests.fault.conftest import without_cluster_url

pytestmark = pytest.mark.fault


def _session_members(sid: int) -> list[int]:
    """Live processes whose session is ``sid`` (the group `make demo` was started in)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        # After the command: state, ppid, pgrp, session ...
        if fields[0] != "Z" and int(fields[3]) == sid:
            members.append(int(stat.parent.name))
    return members


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _run_demo_until_ready(state: Path, samples: Path) -> subprocess.Popen[str]:
    port = free_port()
    demo = subprocess.Popen(
        ["make", "-s", "demo", f"PORT={port}", f"DEMO_ARGS=--samples {samples}"],
        cwd=ROOT,
        env={**without_cluster_url(), "NEWSFACET_STATE_DIR": str(state)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert demo.stdout is not None
    seen: list[str] = []
    # A thread reads the output for as long as the demo writes it, so its pipe never fills.
    threading.Thread(target=lambda: seen.extend(demo.stdout or ()), daemon=True).start()
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and demo.poll() is None:
        if any("newsfacet is running" in line for line in list(seen)):
            return demo
        time.sleep(0.5)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(demo.pid, signal.SIGKILL)
    raise AssertionError(f"the demo did not start ({demo.poll()}):\n" + "".join(seen[-40:]))


def _stop_by_group_sigterm(demo: subprocess.Popen[str], state: Path) -> float:
    """SIGTERM to the group; the seconds until the demo, OpenSearch and moto_server were gone."""
    opensearch = int((state / "opensearch.pid").read_text())
    moto = int((state / "moto.pid").read_text())
    assert _alive(opensearch)
    assert _alive(moto)
    sent = time.monotonic()
    os.killpg(demo.pid, signal.SIGTERM)  # make and the demo; make sends the demo another
    assert demo.wait(timeout=120) is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (_alive(opensearch) or _alive(moto)):
        time.sleep(0.2)
    assert not _alive(opensearch), "OpenSearch left running"
    assert not _alive(moto), "moto_server left running"
    assert _session_members(demo.pid) == []
    assert not (state / "stack.json").exists()
    return time.monotonic() - sent


def test_sigterm_to_make_demo_leaves_no_process_and_a_second_demo_starts(
    tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    state = ROOT / ".run" / "pytest-fault" / f"demo-{tmp_path.name}"
    samples = tmp_path / "samples"
    samples.mkdir()
    (samples / "one.txt").write_text(
        "The harbour board met on Tuesday and approved the new ferry timetable for the islands.\n"
    )
    try:
        first = _stop_by_group_sigterm(_run_demo_until_ready(state, samples), state)
        # Right after: the stopped node comes back, moto starts afresh, nothing stale in the way.
        second = _stop_by_group_sigterm(_run_demo_until_ready(state, samples), state)
        record_property("stopped_in_s", f"{first:.1f}, {second:.1f}")
    finally:
        subprocess.run(
            ["bash", str(ROOT / "infra" / "opensearch.sh"), "destroy"],
            env={**without_cluster_url(), "NEWSFACET_STATE_DIR": str(state)},
            check=False,
            capture_output=True,
        )
