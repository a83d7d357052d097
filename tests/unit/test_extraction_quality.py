"""An F1 floor on the extraction dev set (bench/data/extraction-dev), as trafilatura's own tests do.

`make bench` reports the figures beside trafilatura alone; this only guards
against a rule change that quietly costs quality. Floors sit a little under
the measured values (all 0.949, holdout 0.925; trafilatura alone 0.908 / 0.920).
"""

from __future__ import annotations

import pytest
from bench.extraction import Score, load_cases, ours

pytestmark = pytest.mark.unit


def test_f1_floor_on_the_dev_pages() -> None:
    scores = {"all": Score(), "holdout": Score()}
    for case in load_cases():
        text = ours(case)
        scores["all"].add(case, text)
        if case.half == "holdout":
            scores["holdout"].add(case, text)
    assert scores["all"].figures()["f1"] >= 0.94
    assert scores["holdout"].figures()["f1"] >= 0.92
