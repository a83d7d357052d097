"""The five seeds against hand-written gold: boilerplate gone, story kept, posts, metadata.

Gold files (tests/data/seeds-gold/) list sentences that must and must not
appear, the expected posts of the live blogs and the metadata the text carries.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SEEDS
from tests.parsing import Parsed, parse_one

pytestmark = pytest.mark.unit
GOLD = Path(__file__).resolve().parents[1] / "data" / "seeds-gold"
GOLD_FILES = sorted(GOLD.glob("*.json"))


def _parse(seed: str) -> Parsed:
    return parse_one((SEEDS / seed).read_bytes(), key=seed)


def _stamp(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


@pytest.fixture(params=GOLD_FILES, ids=[p.stem for p in GOLD_FILES])
def gold(request: pytest.FixtureRequest) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(Path(request.param).read_text("utf-8"))
    data["doc"] = _parse(data["seed"])
    return data


def test_every_seed_has_gold() -> None:
    assert {p.stem for p in GOLD_FILES} == {p.stem for p in SEEDS.glob("*.txt")}


def test_story_sentences_stay(gold: dict[str, Any]) -> None:
    text = gold["doc"].text
    missing = [s for s in gold["must_contain"] if s not in text]
    assert not missing


def test_boilerplate_is_gone(gold: dict[str, Any]) -> None:
    doc: Parsed = gold["doc"]
    leaked = [s for s in gold["must_not_contain"] if s in doc.text]
    assert not leaked, leaked


def test_posts(gold: dict[str, Any]) -> None:
    doc: Parsed = gold["doc"]
    expected = gold["posts"]
    assert [e.title for e in doc.entries] == [p["title"] for p in expected]
    for entry, post in zip(doc.entries, expected, strict=True):
        assert entry.text.startswith(post["starts"]), (entry.title, entry.text[:80])
        if "author" in post:
            assert entry.author == post["author"]
            assert entry.published == _stamp(post["published"])


def test_metadata(gold: dict[str, Any]) -> None:
    doc: Parsed = gold["doc"]
    assert doc.title == gold["title"]
    assert doc.outlet == gold["outlet"]
    if "outlet_name" in gold:
        assert doc.outlet_name == gold["outlet_name"]
    if "url" in gold:
        assert doc.url == gold["url"]
    assert doc.published == _stamp(gold["published"])
    assert doc.language == gold["language"]
    assert doc.cited_outlets == gold["cited_outlets"]
    if "authors" in gold:
        assert doc.authors == gold["authors"]


def test_two_snapshots_of_one_live_blog_share_post_text() -> None:
    """Posts carried by both snapshots come out identical, so indexing stores them once."""
    first = {(e.title, e.text) for e in _parse("000_6816b149e7280501.txt").entries}
    second = {(e.title, e.text) for e in _parse("001_2e1da8ca0f3204d9.txt").entries}
    shared = {title for title, _ in first & second}
    assert (
        "Russia ‘forcefully mobilising’ AWOL soldiers in Ukraine, British intelligence says"
        in shared
    )
    assert (
        "Anti-Russia fighters using US-made armoured vehicles for incursion into Russia - Report"
        in shared
    )
    assert len(shared) == 4


def test_ordinary_article_is_one_entry() -> None:
    assert len(_parse("003_be923fc5e0fa518d.txt").entries) == 1
