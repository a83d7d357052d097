"""Hostile input the fault run found: each ends a typed failure or a bounded entry, not a crash.

Binary junk of a few bytes, a bare JSON string, lone surrogate escapes, metadata of
40,000 characters, an entry body past spaCy's limit.
"""

from __future__ import annotations

import json
import random

import pytest

from newsfacet.errors import BadEncodingError, InputError, MalformedContentError
from tests.parsing import parse_bytes

pytestmark = pytest.mark.unit

STORY = "The council approved a new budget for the valley's schools on Monday evening. "


def _outcome(data: bytes) -> tuple[list[str], list[str]]:
    """(error codes, entry bodies) of parsing ``data``; a whole-object error is one code."""
    try:
        result = parse_bytes(data, key="x", limit=10_000_000)
    except InputError as error:
        return [error.code], []
    return [e.code for e in result.errors], [e.body for d in result.documents for e in d.built]


@pytest.mark.parametrize("size", range(1, 41))
def test_short_binary_junk_never_becomes_an_entry(size: int) -> None:
    """Before: 9-35 random bytes decoded as UTF-16 CJK or cp1251 soup often gave an entry."""
    rng = random.Random(size)
    for _ in range(40):
        data = bytes(rng.randrange(256) for _ in range(size))
        codes, bodies = _outcome(data)
        assert bodies == [], (data, bodies)
        assert len(codes) == 1, (data, codes)


def test_short_non_utf8_is_refused_with_its_reason() -> None:
    with pytest.raises(BadEncodingError) as caught:
        parse_bytes(bytes(range(0x80, 0x8E)), key="junk.bin", limit=1000)
    assert "too few to detect a charset" in caught.value.message


def test_legacy_charsets_of_real_length_still_decode() -> None:
    text = "Le conseil municipal a approuvé mercredi un budget élevé pour les écoles de la vallée."
    (body,) = _outcome(text.encode("latin-1"))[1]
    assert "approuvé" in body
    russian = "Губернатор Белгородской области Вячеслав Гладков сообщил об атаке на районы."
    (body,) = _outcome(russian.encode("cp1251"))[1]
    assert "Гладков" in body


def test_control_characters_mark_binary() -> None:
    data = (b"abc\x01\x02\x03\x04def\x05\x06" * 20) + STORY.encode()
    assert _outcome(data) == (["unsupported_format"], [])


@pytest.mark.parametrize("body", [b'"just a string"', b'  "x"\n', b'"\\u00e9t\\u00e9 2023"'])
def test_a_bare_json_string_is_malformed_not_an_entry(body: bytes) -> None:
    with pytest.raises(MalformedContentError) as caught:
        parse_bytes(body, key="s.json", limit=1000)
    assert caught.value.data["reason"] == "expected a JSON object, got str"


def test_plain_text_that_opens_with_a_quote_is_still_text() -> None:
    data = b'"We will rebuild," the mayor said, as the council approved the budget.'
    codes, bodies = _outcome(data)
    assert codes == []
    assert bodies == [data.decode()]


def test_lone_surrogates_are_replaced_at_decode() -> None:
    """Before: a "\\ud800" escape raised UnicodeEncodeError in a later stage, for the batch."""
    article = '{"title": "Lone \\ud800", "text": "%s \\udc00 more", "author": "Ann \\ud83d"}'
    for data in (article % STORY, (article % STORY) + "\n" + (article % STORY.upper())):
        result = parse_bytes(data.encode(), key="s.jsonl", limit=100_000)
        for document in result.documents:
            for entry in document.built:
                for value in (entry.title, entry.body, *entry.authors):
                    assert value is not None
                    value.encode("utf-8")  # encodable: no lone surrogate left
                    assert "\ufffd" in value
    # A valid pair is one character, kept.
    result = parse_bytes(
        json.dumps({"title": "Smile \U0001f600", "text": STORY}).encode(), key="p", limit=10_000
    )
    assert result.documents[0].built[0].title == "Smile \U0001f600"


def test_metadata_is_bounded_with_a_warning() -> None:
    data = json.dumps(
        {
            "title": "T" * 5000,
            "text": STORY * 3,
            "author": ["A" * 40_000] + [f"Author {i}" for i in range(30)],
            "site_name": "S" * 40_000,
            "url": "https://example.org/" + "p" * 3000,
        }
    ).encode()
    (document,) = parse_bytes(data, key="k.json", limit=1_000_000).documents
    (entry,) = document.built
    assert entry.title is not None
    assert len(entry.title) == 1000
    assert len(entry.authors) == 20
    assert max(len(a) for a in entry.authors) == 200
    assert entry.url is None  # a cut URL would point elsewhere: dropped
    warnings = " | ".join(entry.warnings)
    for expected in (
        "title cut to 1000 characters (was 5000)",
        "authors cut to 200 characters (was 40000)",
        "authors: kept the first 20 of 31",
        "url dropped: 3020 characters, over 2048",
    ):
        assert expected in warnings


def test_a_long_site_name_is_cut() -> None:
    data = json.dumps({"text": STORY * 3, "site_name": "S" * 40_000}).encode()
    (document,) = parse_bytes(data, key="k.json", limit=1_000_000).documents
    (entry,) = document.built
    assert entry.outlet is None
    assert entry.outlet_name == "S" * 200
    assert "outlet_name cut to 200 characters (was 40000)" in entry.warnings


def test_ner_runs_in_pieces_cut_at_line_breaks() -> None:
    from newsfacet.ingest.entities import find_mentions, ner_pieces

    line = "Vyacheslav Gladkov said Belgorod was shelled on Monday.\n"
    text = line * 200
    pieces = ner_pieces(text, 1000)
    assert "".join(piece for _, piece in pieces) == text
    assert all(len(piece) <= 1000 and piece.endswith("\n") for _, piece in pieces)
    assert all(text[offset : offset + len(piece)] == piece for offset, piece in pieces)
    whole, cut = (
        find_mentions([text], piece_chars=2_000_000)[0],
        find_mentions([text], piece_chars=1000)[0],
    )
    # The same mentions at the same offsets, whether the model saw the text whole or in pieces.
    assert [(m.start, m.end, m.type) for m in cut] == [(m.start, m.end, m.type) for m in whole]
    assert all(text[m.start : m.end] == m.text for m in cut)
    assert {m.text for m in cut} >= {"Vyacheslav Gladkov", "Belgorod"}


def test_a_line_longer_than_a_piece_is_cut_at_a_space_or_hard() -> None:
    from newsfacet.ingest.entities import ner_pieces

    assert [len(p) for _, p in ner_pieces("word " * 500, 1000)] == [1000, 1000, 500]
    assert [len(p) for _, p in ner_pieces("x" * 2500, 1000)] == [1000, 1000, 500]
