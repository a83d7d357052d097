"""Main-text quality and speed on the extraction dev set: our pipeline against trafilatura alone.

Both sides run on the same pages in the same process. Quality is scored as the
set's README says (snippets that must / must not appear, whitespace folded).
The pages are split in two fixed halves by a hash of the file name: rules were
developed looking at the "tune" half only, so the "holdout" half shows whether
they generalise. Throughput is documents per second of the whole
path (the stages ``newsfacet parse`` and the Lambda run) against
``trafilatura.extract`` with its defaults.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data" / "extraction-dev"
_SPACE = re.compile(r"\s+")


@dataclass
class Case:
    file: str
    url: str | None
    html: bytes
    with_: list[str]
    without: list[str]

    @property
    def half(self) -> str:
        digest = hashlib.sha256(self.file.encode()).digest()
        return "tune" if digest[0] % 2 == 0 else "holdout"


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, case: Case, text: str) -> None:
        folded = _fold(text)
        for snippet in case.with_:
            if _fold(snippet) in folded:
                self.tp += 1
            else:
                self.fn += 1
        for snippet in case.without:
            if _fold(snippet) in folded:
                self.fp += 1
            else:
                self.tn += 1

    def figures(self) -> dict[str, float]:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        total = self.tp + self.fp + self.fn + self.tn
        return {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "accuracy": round((self.tp + self.tn) / total, 4) if total else 0.0,
        }


def _fold(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def load_cases() -> list[Case]:
    cases = []
    for line in (DATA / "cases.jsonl").read_text("utf-8").splitlines():
        row = json.loads(line)
        cases.append(
            Case(
                row["file"],
                row.get("url"),
                (DATA / row["file"]).read_bytes(),
                row["with"],
                row["without"],
            )
        )
    return sorted(cases, key=lambda c: c.file)


def ours(case: Case) -> str:
    """The text ingest keeps: the pure stages the Lambda and `newsfacet parse` run."""
    from datetime import UTC, datetime

    from newsfacet.errors import InputError
    from newsfacet.ingest.pipeline import open_object, prepare_unit
    from newsfacet.ingest.template_lines import LineTally
    from newsfacet.models.document import ObjectRef

    # The page URL, when known, arrives as object metadata, as an uploader would set it.
    meta = {"url": case.url} if case.url else {}
    ref = ObjectRef(bucket="bench", key=case.file, metadata=meta)
    try:
        articles = [
            item
            for item in open_object(case.html, ref, limit=50 * 1024 * 1024)
            if not isinstance(item, InputError)
        ]
    except InputError:
        return ""
    unit = prepare_unit(articles, LineTally({}, 3), now=datetime.now(UTC))
    return "\n\n".join(article.text for article in unit.articles)


def trafilatura_alone(case: Case) -> str:
    import trafilatura

    return trafilatura.extract(case.html, url=case.url) or ""


def _figures(scores: dict[str, Score]) -> dict[str, Any]:
    return {half: score.figures() for half, score in scores.items()}


def run(ctx: Any) -> dict[str, Any]:
    cases = load_cases()
    # Warm both sides up (imports, lxml, trafilatura's caches) outside the timing.
    ours(cases[0])
    trafilatura_alone(cases[0])
    scores = {
        side: {"all": Score(), "tune": Score(), "holdout": Score()}
        for side in ("ours", "trafilatura")
    }
    seconds = {"ours": 0.0, "trafilatura": 0.0}
    # Each page runs through both sides back to back, so a busy machine slows
    # both alike and the ratio stays fair.
    for case in cases:
        for side, extract in (("trafilatura", trafilatura_alone), ("ours", ours)):
            started = time.perf_counter()
            text = extract(case)
            seconds[side] += time.perf_counter() - started
            scores[side]["all"].add(case, text)
            scores[side][case.half].add(case, text)
    ours_scores, theirs_scores = _figures(scores["ours"]), _figures(scores["trafilatura"])
    pages = len(cases)
    return {
        "pages": pages,
        "pages_tune": sum(c.half == "tune" for c in cases),
        "pages_holdout": sum(c.half == "holdout" for c in cases),
        "ours": ours_scores,
        "trafilatura": theirs_scores,
        "f1_gain": round(ours_scores["all"]["f1"] - theirs_scores["all"]["f1"], 4),
        "ours_docs_per_s": round(pages / seconds["ours"], 1),
        "trafilatura_docs_per_s": round(pages / seconds["trafilatura"], 1),
        "throughput_ratio": round(seconds["trafilatura"] / seconds["ours"], 3),
    }


def per_page(extract: Callable[[Case], str], half: str | None = None) -> list[dict[str, Any]]:
    """Misses per page, for looking at what a rule change did (``python -m bench.extraction``)."""
    rows = []
    for case in load_cases():
        if half and case.half != half:
            continue
        text = _fold(extract(case))
        missing = [s for s in case.with_ if _fold(s) not in text]
        leaked = [s for s in case.without if _fold(s) in text]
        if missing or leaked:
            rows.append({"file": case.file, "missing": missing, "leaked": leaked})
    return rows


if __name__ == "__main__":
    import sys

    which = ours if "--theirs" not in sys.argv else trafilatura_alone
    for row in per_page(which, half="tune"):
        print(json.dumps(row, ensure_ascii=False))
