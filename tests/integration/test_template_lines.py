"""The learned boilerplate layer on a real OpenSearch: recurring outlet lines become template."""

from __future__ import annotations

from typing import Any

import pytest

from newsfacet.index.lines import LineStatsIndex
from newsfacet.ingest.boilerplate import line_hash
from newsfacet.ingest.pipeline import TemplateLearning, parse_object
from newsfacet.models.document import ObjectRef, ParsedDocument

pytestmark = pytest.mark.integration

FOOTER = "Valley Courier has served readers of the valley since 1921 with local reporting."
STORIES = [
    "The council approved a new budget for the valley's schools on Monday evening.",
    "Flooding closed the river road for a second day, the county engineer said.",
    "A local bakery won a national award for its sourdough, judges announced.",
    "The high school football team reached the state final for the first time.",
    "Firefighters rescued two hikers stranded on the ridge overnight, officials said.",
]


def _article(index: int) -> bytes:
    return f"Headline number {index} for the valley\n\n{STORIES[index]}\n\n{FOOTER}\n".encode()


def _parse(
    templates: TemplateLearning,
    index: int,
    *,
    outlet: str = "valleycourier.com",
    key: str | None = None,
) -> ParsedDocument:
    ref = ObjectRef(bucket="b", key=key or f"{outlet}/story-{index}.txt")
    result = parse_object(_article(index), ref, limit=1_000_000, templates=templates)
    assert not result.errors
    return result.documents[0]


@pytest.fixture
def templates(os_client: Any, settings: Any) -> TemplateLearning:
    return TemplateLearning(LineStatsIndex(os_client, settings.lines_index), min_docs=3)


def test_line_shared_by_n_documents_is_removed_from_the_next(templates: TemplateLearning) -> None:
    for index in range(3):
        doc = _parse(templates, index)
        assert FOOTER in doc.text, f"document {index} lost the footer too early"
    fourth = _parse(templates, 3)
    assert FOOTER not in fourth.text
    assert STORIES[3] in fourth.text
    assert {"rule": "template", "line": FOOTER} in fourth.removed


def test_redelivered_document_counts_once(templates: TemplateLearning) -> None:
    for _ in range(4):
        doc = _parse(templates, 0)
    assert FOOTER in doc.text
    counts = templates.stats.line_counts("valleycourier.com", [line_hash(FOOTER)])
    assert counts == {line_hash(FOOTER): 1}


def test_counts_are_per_outlet(templates: TemplateLearning) -> None:
    for index in range(4):
        _parse(templates, index)
    other = _parse(templates, 4, outlet="othercourier.com")
    assert FOOTER in other.text


def test_threshold_is_a_setting(os_client: Any, settings: Any) -> None:
    strict = TemplateLearning(LineStatsIndex(os_client, settings.lines_index), min_docs=1)
    assert FOOTER in _parse(strict, 0).text
    assert FOOTER not in _parse(strict, 1).text
