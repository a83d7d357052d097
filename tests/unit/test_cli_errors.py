"""The command line says expected failures in one line, and normalises what it is given."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newsfacet_cli.errors import CliError, describe
from newsfacet_cli.local.commands import files_to_upload, key_prefix
from newsfacet_cli.main import main

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("given", "prefix"),
    [("", ""), ("site.com", "site.com/"), ("site.com/", "site.com/"), ("/a/b", "a/b/")],
)
def test_prefix_is_a_folder(given: str, prefix: str) -> None:
    assert key_prefix(given) == prefix


def test_upload_takes_files_and_folders_and_checks_them_all_first(tmp_path: Path) -> None:
    (tmp_path / "one.txt").write_text("x")
    folder = tmp_path / "batch"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.html").write_text("x")
    (folder / "sub" / "b.json").write_text("x")
    (folder / ".hidden").write_text("x")
    found = files_to_upload([str(tmp_path / "one.txt"), str(folder)])
    assert [key for _, key in found] == ["one.txt", "a.html", "sub/b.json"]
    with pytest.raises(CliError, match=r"missing\.txt: no such file or folder"):
        files_to_upload([str(tmp_path / "one.txt"), str(tmp_path / "missing.txt")])
    (tmp_path / "empty").mkdir()
    with pytest.raises(CliError, match="holds no files"):
        files_to_upload([str(tmp_path / "empty")])


def test_expected_failures_are_one_line_and_bugs_are_not() -> None:
    from botocore.exceptions import ClientError

    missing = ClientError(
        {"Error": {"Code": "NoSuchBucket", "Message": "nope", "BucketName": "gone"}},
        "ListObjectsV2",
    )
    assert describe(missing) == "bucket gone does not exist"
    assert describe(FileNotFoundError(2, "No such file", "x.json")) == "no such file: x.json"
    assert describe(KeyError("a bug")) is None


def test_a_missing_file_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # As a user's shell: no NEWSFACET_* left by in-process invocations of the functions.
    for key in [k for k in os.environ if k.startswith("NEWSFACET_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("NEWSFACET_STATE_DIR", str(tmp_path / "state"))
    assert main(["upload", str(tmp_path / "nope.txt")]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"newsfacet upload: {tmp_path / 'nope.txt'}: no such file or folder"
    # No stack: said in one line, for every command that needs one.
    for argv in (["search", "x"], ["failures"], ["setup"], ["stack", "status"], ["replay-dlq"]):
        assert main(argv) == 2
        lines = capsys.readouterr().err.strip().splitlines()
        assert len(lines) == 1, lines
        assert "the local stack is not running" in lines[0]
