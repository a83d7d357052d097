"""The command line against the running local stack: it finds the stack itself, takes folders,
normalises the prefix, and says a missing bucket in one line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from newsfacet_cli.main import main
from tests.conftest import ROOT, STATE

pytestmark = pytest.mark.e2e


@pytest.fixture
def on_the_stack(local_stack: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Commands run as a user's would, finding the session's stack through its state dir."""
    monkeypatch.setenv("NEWSFACET_STATE_DIR", str(STATE / "stack"))
    for key in ("NEWSFACET_OPENSEARCH_URL", "NEWSFACET_INDEX_PREFIX", "NEWSFACET_API_URL"):
        monkeypatch.delenv(key, raising=False)
    return local_stack


def test_upload_a_folder_under_a_prefix_without_its_slash(
    on_the_stack: Any, local_aws: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "batch"
    (folder / "more").mkdir(parents=True)
    (folder / "a.txt").write_text("The harbour board approved the new ferry timetable on Tuesday.")
    (folder / "more" / "b.txt").write_text("The museum reopened its west wing after two years.")
    assert main(["upload", str(folder), "--prefix", "cli-test.example"]) == 0
    uploaded = [json.loads(line)["uploaded"] for line in capsys.readouterr().out.splitlines()]
    bucket = on_the_stack.bucket
    assert uploaded == [
        f"s3://{bucket}/cli-test.example/a.txt",
        f"s3://{bucket}/cli-test.example/more/b.txt",
    ]
    listed = local_aws["s3"].list_objects_v2(Bucket=bucket, Prefix="cli-test.example/")
    assert sorted(o["Key"] for o in listed["Contents"]) == [
        "cli-test.example/a.txt",
        "cli-test.example/more/b.txt",
    ]


def test_backfill_of_a_missing_bucket_is_one_line(
    on_the_stack: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(
        ["backfill", "s3://no-such-bucket-here/x/", "--checkpoint", str(ROOT / ".run" / "bf.json")]
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2
    assert err[-1] == "newsfacet backfill: bucket no-such-bucket-here does not exist"
    assert not any("Traceback" in line for line in err)


def test_search_finds_the_api_the_demo_serves(
    on_the_stack: Any, api_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from newsfacet_cli.local.stack import LocalStack

    # What `make demo` does once its HTTP server is up.
    LocalStack(ROOT, state_dir=STATE / "stack").record_api(api_url)
    assert main(["search", "Belgorod", "--size", "2"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["hits"]
    assert main(["search", "x", "--api", "http://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("newsfacet search: cannot reach the search API at http://127.0.0.1:9")
    assert "\n" not in err
