"""F1 floors on both extraction dev sets (bench/data), as trafilatura's own tests do.

`make bench` reports the figures beside trafilatura called as we call it; this only
guards against a change that quietly costs quality, on the whole of each set and on its
holdout half. Floors sit a little under the figures measured with this code
(docs/ingest.md, "Measured": dev 0.947, dev holdout 0.929, wide 0.935, wide holdout
0.931; trafilatura alone 0.920 / 0.927 / 0.929 / 0.928).
"""

from __future__ import annotations

import pytest
from bench.extraction import DATASETS, Score, load_cases, ours

pytestmark = pytest.mark.unit

FLOORS = {
    ("dev", "all"): 0.94,
    ("dev", "holdout"): 0.92,
    ("wide", "all"): 0.93,
    ("wide", "holdout"): 0.925,
}


@pytest.fixture(scope="module")
def scores() -> dict[tuple[str, str], Score]:
    out: dict[tuple[str, str], Score] = {}
    for dataset in DATASETS:
        for case in load_cases(dataset):
            text = ours(case)
            for half in ("all", case.half):
                out.setdefault((dataset, half), Score()).add(case, text)
    return out


@pytest.mark.parametrize(("dataset", "half"), list(FLOORS))
def test_f1_floor(scores: dict[tuple[str, str], Score], dataset: str, half: str) -> None:
    assert scores[(dataset, half)].figures()["f1"] >= FLOORS[(dataset, half)]
