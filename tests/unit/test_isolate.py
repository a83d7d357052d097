"""A whole-unit stage that raises fails only the articles it fails on."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsfacet.ingest.pipeline import Unit, isolate, open_object, prepare_unit
from newsfacet.ingest.template_lines import LineTally
from newsfacet.models.document import ObjectRef

pytestmark = pytest.mark.unit

TEXTS = [
    "The council approved a new budget for the schools on Monday evening.",
    "POISON The river flooded three villages after a week of heavy rain.",
    "The festival drew record crowds to the old market square this summer.",
]


def _unit() -> Unit:
    articles = []
    for i, text in enumerate(TEXTS):
        ref = ObjectRef(bucket="b", key=f"{i}.txt")
        articles += [a for a in open_object(text.encode(), ref, limit=10_000)]
    return prepare_unit(articles, LineTally({}, 3), now=datetime(2026, 1, 1, tzinfo=UTC))


def poisoned(unit: Unit) -> Unit:
    if any("POISON" in e.body for e in unit.entries.values()):
        raise RecursionError("maximum recursion depth exceeded")
    return unit


def test_the_poison_article_is_failed_and_the_rest_go_on() -> None:
    unit, failed = isolate("entities", _unit(), poisoned)
    assert [a.ref.key for a in unit.articles] == ["0.txt", "2.txt"]
    assert len(unit.entries) == 2
    ((article, error),) = failed
    assert article.ref.key == "1.txt"
    assert error.code == "processing_failed"
    assert error.data["stage"] == "entities"
    assert "RecursionError" in error.data["reason"]


def test_a_failure_no_single_article_explains_fails_them_all() -> None:
    def fails_on_three(unit: Unit) -> Unit:
        if len(unit.articles) == 3:
            raise MemoryError("three at once")
        return unit

    unit, failed = isolate("fingerprints", _unit(), fails_on_three)
    assert unit.articles == []
    assert sorted(a.ref.key for a, _ in failed) == ["0.txt", "1.txt", "2.txt"]
    assert {e.data["reason"] for _, e in failed} == {"MemoryError: three at once"}


def test_a_step_that_works_runs_once() -> None:
    calls: list[int] = []

    def step(unit: Unit) -> Unit:
        calls.append(len(unit.articles))
        return unit

    unit, failed = isolate("entities", _unit(), step)
    assert (calls, failed, len(unit.articles)) == ([3], [], 3)
