"""`newsfacet parse`: one JSON line per article, errors named, no AWS or OpenSearch imports."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEEDS

pytestmark = pytest.mark.unit

FIELDS = {
    "file",
    "title",
    "url",
    "outlet",
    "outlet_name",
    "published",
    "language",
    "authors",
    "cited_outlets",
    "text",
    "entries",
    "warnings",
}


def _run(*args: str, stdin: bytes = b"") -> tuple[int, list[dict[str, object]], str]:
    probe = (
        "import sys\n"
        "sys.argv = ['newsfacet', 'parse', '--model-cache', 'none', *sys.argv[1:]]\n"
        "from newsfacet_cli.main import main\n"
        "code = main()\n"
        "heavy = ('boto3', 'opensearchpy', 'trafilatura', 'spacy')\n"
        "heavy = [m for m in heavy if m in sys.modules]\n"
        "print('IMPORTED', heavy, file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "functions"), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    rows = [json.loads(line) for line in done.stdout.decode().splitlines()]
    return done.returncode, rows, done.stderr.decode()


def test_seeds_parse_without_heavy_imports() -> None:
    code, rows, err = _run(*(str(p) for p in sorted(SEEDS.glob("*.txt"))))
    assert code == 0
    assert len(rows) == 5
    assert all(set(row) == FIELDS for row in rows)
    assert rows[0]["outlet"] == "independent.co.uk"
    assert "IMPORTED []" in err


def test_stdin_gzip_and_bad_inputs_in_one_call(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(b"%PDF-1.7\n\x00binary")
    seed = gzip.compress((SEEDS / "004_9db52b1d6b26dc2e.txt").read_bytes())
    code, rows, _ = _run(
        "-",
        str(empty),
        str(pdf),
        str(tmp_path / "missing.txt"),
        "--outlet",
        "example.org",
        stdin=seed,
    )
    assert code == 1
    assert rows[0]["file"] == "-"
    assert rows[0]["outlet"] == "example.org"
    assert [(r["file"], r["error"]) for r in rows[1:]] == [
        (str(empty), "empty_object"),
        (str(pdf), "unsupported_format"),
        (str(tmp_path / "missing.txt"), "unreadable"),
    ]
