"""Format detection and decoding on real-shaped inputs, including the bad ones."""

from __future__ import annotations

import gzip
import json

import pytest

from newsfacet.errors import (
    BadEncodingError,
    EmptyObjectError,
    MalformedContentError,
    UnsupportedFormatError,
)
from newsfacet.ingest.formats import read_articles
from tests.conftest import SEEDS

pytestmark = pytest.mark.unit
LIMIT = 10_000_000


def _read(data: bytes, key: str = "k") -> tuple[str, list[object]]:
    fmt, items = read_articles(data, key=key, limit=LIMIT)
    return fmt, list(items)


def test_seed_is_plain_text() -> None:
    fmt, items = _read((SEEDS / "002_0328ac7a846e38ba.txt").read_bytes())
    assert fmt == "text"
    assert len(items) == 1


@pytest.mark.parametrize(
    ("obj", "title", "url"),
    [
        (
            {"headline": "H", "body": "Story.", "link": "https://bbc.co.uk/a"},
            "H",
            "https://bbc.co.uk/a",
        ),
        (
            {"title": "T", "text": "Story.", "url": "https://ft.com/x", "published": "2023-05-24"},
            "T",
            "https://ft.com/x",
        ),
    ],
)
def test_json_accepts_common_spellings(obj: dict[str, str], title: str, url: str) -> None:
    fmt, items = _read(json.dumps(obj).encode())
    assert fmt == "json"
    assert items[0].title == title  # type: ignore[attr-defined]
    assert items[0].url == url  # type: ignore[attr-defined]


def test_jsonl_bad_line_does_not_drop_the_others() -> None:
    lines = [
        json.dumps({"title": "one", "text": "First story."}),
        '{"title": "broken", "text": ',
        json.dumps({"title": "three", "text": "Third story."}),
    ]
    fmt, items = _read("\n".join(lines).encode(), key="batch.jsonl")
    assert fmt == "jsonl"
    assert [getattr(i, "title", None) for i in items] == ["one", None, "three"]
    error = items[1]
    assert isinstance(error, MalformedContentError)
    assert "line 2" in str(error)
    assert "batch.jsonl" in str(error)


def test_gzip_is_transparent() -> None:
    raw = (SEEDS / "004_9db52b1d6b26dc2e.txt").read_bytes()
    _, plain = _read(raw)
    _, packed = _read(gzip.compress(raw))
    assert plain == packed


def test_truncated_gzip_is_named() -> None:
    data = gzip.compress((SEEDS / "003_be923fc5e0fa518d.txt").read_bytes())
    with pytest.raises(MalformedContentError, match="truncated gzip"):
        _read(data[: len(data) // 2], key="cut.txt.gz")


def test_gzip_bomb_is_refused() -> None:
    with pytest.raises(MalformedContentError, match="beyond the limit"):
        read_articles(gzip.compress(b"a" * 2_000_000), key="bomb.gz", limit=1_000_000)


@pytest.mark.parametrize("data", [b"", b"   \n\t ", gzip.compress(b"")])
def test_empty_object(data: bytes) -> None:
    with pytest.raises(EmptyObjectError, match="empty"):
        _read(data, key="empty.txt")


def test_binary_is_refused_with_its_kind() -> None:
    with pytest.raises(UnsupportedFormatError, match="pdf"):
        _read(b"%PDF-1.7\n\x00\x01binary", key="paper.pdf")


def test_latin1_is_detected() -> None:
    text = "Le président a déclaré que la réunion était très importante pour l'économie. " * 5
    _, items = _read(text.encode("latin-1"))
    assert "président" in items[0].text  # type: ignore[attr-defined]


def test_undecodable_bytes_are_named() -> None:
    with pytest.raises((BadEncodingError, UnsupportedFormatError), match=r"noise\.txt"):
        _read(bytes(range(1, 32)) * 50 + b"\x81\x8d\x8f\x90\x9d" * 100, key="noise.txt")


def test_html_meta_charset_is_honoured() -> None:
    page = (
        '<html><head><meta charset="windows-1251"><title>Т</title></head><body>'
        "<p>Губернатор Белгородской области заявил о начале эвакуации жителей.</p></body></html>"
    )
    _, items = _read(page.encode("windows-1251"), key="ru.html")
    assert "Губернатор Белгородской" in items[0].html  # type: ignore[attr-defined]


def test_long_jsonl_keeps_going_past_bad_lines() -> None:
    lines = [json.dumps({"title": f"t{i}", "text": f"Story number {i}."}) for i in range(2000)]
    lines[700] = '{"title": "cut'
    lines[1400] = json.dumps({"title": "no text"})
    fmt, items = _read("\n".join(lines).encode(), key="big.jsonl")
    errors = [i for i in items if isinstance(i, MalformedContentError)]
    assert fmt == "jsonl"
    assert len(items) == 2000
    assert [e.data["position"] for e in errors] == [701, 1401]


@pytest.mark.parametrize(
    "page",
    [
        b"<html><head><title>x</title></head><body><script>var a = 1;</script></body></html>",
        b"<html><body><div><p>",
    ],
)
def test_html_without_text_is_named(page: bytes) -> None:
    from tests.parsing import parse_bytes

    result = parse_bytes(page, key="shell.html", limit=LIMIT)
    assert not result.documents
    assert [e.code for e in result.errors] == ["no_content"]
    assert "shell.html" in str(result.errors[0])


@pytest.mark.parametrize(
    "head",
    [
        b"<script type='text/javascript'>var preroll = 1;" + b" " * 3000 + b"</script>\n",
        b"<br />\n<b>Deprecated</b>: Assigning the return value of new by reference\n" * 40,
    ],
)
def test_html_behind_a_script_or_a_php_warning_is_html(head: bytes) -> None:
    page = head + b"<html><head><title>T</title></head><body><p>Story.</p></body></html>"
    fmt, _ = _read(page, key="page.html")
    assert fmt == "html"


def test_utf8_with_a_stray_byte_stays_utf8() -> None:
    """One bad byte must not make a detector guess a legacy charset for the whole page."""
    text = "<html><head><meta charset='utf-8'></head><body><p>Mäscot: Schaf, weiß.</p>"
    page = text.encode("utf-8") * 20 + b"\xe9 caf" + b"</body></html>"
    _, items = _read(page, key="page.html")
    html = items[0].html  # type: ignore[attr-defined]
    assert "Mäscot: Schaf, weiß." in html
    assert "\ufffd" in html


def test_a_declared_legacy_charset_is_used() -> None:
    page = "<html><head><meta charset='iso-8859-1'></head><body>Größe</body></html>"
    _, items = _read(page.encode("latin-1"), key="page.html")
    assert "Größe" in items[0].html  # type: ignore[attr-defined]
