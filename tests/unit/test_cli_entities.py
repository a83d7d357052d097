"""`newsfacet entities --jsonl`: JSON lines in, entities with offsets out, bad lines named."""

from __future__ import annotations

import io
import json

import pytest

from newsfacet_cli.main import main

pytestmark = pytest.mark.unit


def test_entities_jsonl_tags_each_line_and_names_bad_ones(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        {"id": "a", "text": "Vyacheslav Gladkov said Gladkov would stay in Belgorod."},
        "not json",
        {"id": 7, "text": "The Russian Volunteer Corps (RDK) crossed the border."},
    ]
    stdin = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))

    status = main(["entities", "--jsonl"])

    out, err = capsys.readouterr()
    results = [json.loads(line) for line in out.splitlines()]
    assert status == 1
    assert "line 2" in err
    assert [r["id"] for r in results] == ["a", 7]
    first = results[0]["entities"]
    assert {(e["text"], e["type"], e["canonical"]) for e in first} >= {
        ("Vyacheslav Gladkov", "PERSON", "Vyacheslav Gladkov"),
        ("Gladkov", "PERSON", "Vyacheslav Gladkov"),
        ("Belgorod", "LOC", "Belgorod"),
    }
    for entity in first:
        assert lines[0]["text"][entity["start"] : entity["end"]] == entity["text"]  # type: ignore[index]
    assert {e["canonical"] for e in results[1]["entities"]} == {"Russian Volunteer Corps"}
