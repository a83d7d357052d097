"""Main-text quality and speed on two dev sets: our pipeline beside trafilatura as we call it.

Sets (``bench/data``, each with its README and licence notes):

- ``dev``: ``extraction-dev``, 100 English news pages;
- ``wide``: ``extraction-dev-wide``, 845 pages of every kind, mostly German, in a dozen
  languages and several scripts.

Quality is scored as the sets' READMEs say: snippets that must / must not appear in the
text, whitespace folded; precision, recall and F1 over the snippet counts (as trafilatura's
own evaluation adds them up) and, as the wide set's README asks, the harmonic mean of the
per-page means (``f1_page_mean``).

Each set is split in two fixed halves by a hash of the file name: rules are developed
looking at the ``tune`` half only; ``holdout`` shows whether they generalise. Figures come
per half, overall and per language. A page's language is detected from its must-appear
snippets (main text by definition) with py3langid; below 0.5 confidence the page's own
``<html lang>`` decides when it has one. Languages with fewer than ``MIN_LANGUAGE_PAGES``
pages in a set are pooled as ``other``.

The baseline is trafilatura called exactly as ``extract_html_article`` calls it (its
``TRAFILATURA_ARGS``), on the page bytes, in the same process. Both sides run page by page,
back to back, so a busy machine slows both alike; pages/s is the whole path behind
:func:`ours` (decode, extract, clean, metadata, language) against that one call.

``scraped_text`` feeds the baseline's text to our plain-text path (as if a scraper had
saved it) and scores it against the same text unchanged: the plain-text heuristics must
not cost what the extractor found, in any language.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
DATASETS = {"dev": DATA / "extraction-dev", "wide": DATA / "extraction-dev-wide"}
MIN_LANGUAGE_PAGES = 10
# Below this py3langid confidence (normalised) the page's declared language decides.
MIN_LANGUAGE_CONFIDENCE = 0.5
_SPACE = re.compile(r"\s+")
_HTML_LANG = re.compile(rb"<html[^>]*?\blang=[\"']?([A-Za-z]{2,3})", re.IGNORECASE)


@dataclass
class Case:
    dataset: str
    file: str
    url: str | None
    data: bytes
    with_: list[str]
    without: list[str]
    language: str = "und"

    @property
    def half(self) -> str:
        # The first byte of sha256(file name): the split the dev set has always used.
        digest = hashlib.sha256(self.file.encode()).digest()
        return "tune" if digest[0] % 2 == 0 else "holdout"

    @property
    def key(self) -> str:
        """The object key our pipeline sees: the file name, without the storage ``.gz``."""
        return self.file.removesuffix(".gz")


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    pages: int = 0
    # Per-page shares, summed, for the wide set's README measure.
    page_recall: float = 0.0
    page_precision: float = 0.0

    def add(self, case: Case, text: str) -> None:
        folded = _fold(text)
        found = sum(_fold(snippet) in folded for snippet in case.with_)
        leaked = sum(_fold(snippet) in folded for snippet in case.without)
        self.tp += found
        self.fn += len(case.with_) - found
        self.fp += leaked
        self.tn += len(case.without) - leaked
        self.pages += 1
        self.page_recall += found / len(case.with_) if case.with_ else 1.0
        self.page_precision += 1 - leaked / len(case.without) if case.without else 1.0

    def figures(self) -> dict[str, float]:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        mean_p = self.page_precision / self.pages if self.pages else 0.0
        mean_r = self.page_recall / self.pages if self.pages else 0.0
        return {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(_harmonic(precision, recall), 4),
            "f1_page_mean": round(_harmonic(mean_p, mean_r), 4),
            "pages": self.pages,
        }


def _harmonic(a: float, b: float) -> float:
    return 2 * a * b / (a + b) if a + b else 0.0


def _fold(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


@cache
def _language_identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def page_language(html: bytes, snippets: Iterable[str]) -> str:
    """A page's language: py3langid on the must-appear snippets, else its ``<html lang>``.

    The ``lang`` attribute alone misleads (templates keep ``lang="en"`` on German pages);
    the snippets alone are sometimes too short to tell.
    """
    code, confidence = _language_identifier().classify(" ".join(snippets))
    if confidence < MIN_LANGUAGE_CONFIDENCE and (declared := _HTML_LANG.search(html[:20000])):
        return declared[1].decode("ascii").lower()
    return str(code)


def load_cases(dataset: str = "dev") -> list[Case]:
    """One set's pages, sorted by file name, with the language of each page."""
    folder = DATASETS[dataset]
    cases = []
    for line in (folder / "cases.jsonl").read_text("utf-8").splitlines():
        row = json.loads(line)
        data = (folder / row["file"]).read_bytes()
        if row["file"].endswith(".gz"):
            data = gzip.decompress(data)
        language = page_language(data, row["with"])
        cases.append(
            Case(dataset, row["file"], row.get("url"), data, row["with"], row["without"], language)
        )
    return sorted(cases, key=lambda c: c.file)


def ours(case: Case) -> str:
    """Our main text for one page: the one adapter between the bench (and the F1-floor test)
    and the ingest code: the pure stages the Lambda and `newsfacet parse` run."""
    from datetime import UTC, datetime

    from newsfacet.errors import InputError
    from newsfacet.ingest.pipeline import open_object, prepare_unit
    from newsfacet.ingest.template_lines import LineTally
    from newsfacet.models.document import ObjectRef

    # The page URL, when known, arrives as object metadata, as an uploader would set it.
    meta = {"url": case.url} if case.url else {}
    ref = ObjectRef(bucket="bench", key=case.key, metadata=meta)
    try:
        articles = [
            item
            for item in open_object(case.data, ref, limit=50 * 1024 * 1024)
            if not isinstance(item, InputError)
        ]
    except InputError:
        return ""
    unit = prepare_unit(articles, LineTally({}, 3), now=datetime.now(UTC))
    # What gets indexed: each entry's text, and a live blog's post headings (they come
    # from the text). A document's own title stays out, as it does from trafilatura's text.
    return "\n\n".join(
        "\n".join(filter(None, [entry.title if len(art.entries) > 1 else None, entry.text]))
        for art in unit.articles
        for entry in art.entries
    )


def trafilatura_alone(case: Case) -> str:
    """The baseline: the trafilatura call ``extract_html_article`` makes, on the page bytes."""
    return trafilatura_document(case)[1]


def trafilatura_document(case: Case) -> tuple[str | None, str]:
    """The baseline's title and text."""
    import trafilatura

    from newsfacet.ingest.html import TRAFILATURA_ARGS

    found = trafilatura.bare_extraction(case.data, url=case.url, **TRAFILATURA_ARGS)
    if found is None:
        return None, ""
    return getattr(found, "title", None), getattr(found, "text", None) or ""


def as_scraped_text(case: Case, title: str | None, text: str) -> Case:
    """The same page as a plain-text scrape: its title line, then ``text`` (as the seeds are)."""
    return Case(
        case.dataset,
        case.file.removesuffix(".gz") + ".txt",
        case.url,
        "\n\n".join(filter(None, [title, text])).encode("utf-8"),
        case.with_,
        case.without,
        case.language,
    )


def language_groups(cases: list[Case]) -> dict[str, str]:
    """Page file -> the language row it is reported under (small languages pooled)."""
    counts = Counter(c.language for c in cases)
    return {
        c.file: c.language if counts[c.language] >= MIN_LANGUAGE_PAGES else "other" for c in cases
    }


@dataclass
class SetScores:
    """Scores of the sides on one set, by half and by (language, half)."""

    sides: tuple[str, ...]
    by_group: dict[tuple[str, str], dict[str, Score]] = field(default_factory=dict)

    def add(self, groups: Iterable[tuple[str, str]], side: str, case: Case, text: str) -> None:
        for group in groups:
            scores = self.by_group.setdefault(group, {s: Score() for s in self.sides})
            scores[side].add(case, text)

    def figures(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for (language, half), scores in sorted(self.by_group.items()):
            row = {side: score.figures() for side, score in scores.items()}
            if language == "*":
                out[half] = row
            else:
                out.setdefault("languages", {}).setdefault(language, {})[half] = row
        return out


def _groups(case: Case, language: str) -> list[tuple[str, str]]:
    return [("*", "all"), ("*", case.half), (language, case.half), (language, "all")]


def run(ctx: Any) -> dict[str, Any]:
    sets = {name: load_cases(name) for name in DATASETS}
    first = sets["dev"][0]
    # Warm both sides up (imports, lxml, trafilatura's caches) outside the timing.
    ours(first)
    ours(as_scraped_text(first, *trafilatura_document(first)))
    seconds = {"ours": 0.0, "trafilatura": 0.0}
    figures: dict[str, Any] = {}
    for name, cases in sets.items():
        languages = language_groups(cases)
        html = SetScores(("ours", "trafilatura"))
        scraped = SetScores(("ours", "as_is"))
        for case in cases:
            groups = _groups(case, languages[case.file])
            started = time.perf_counter()
            title, theirs = trafilatura_document(case)
            seconds["trafilatura"] += time.perf_counter() - started
            html.add(groups, "trafilatura", case, theirs)
            started = time.perf_counter()
            html.add(groups, "ours", case, ours(case))
            seconds["ours"] += time.perf_counter() - started
            scraped.add(groups, "as_is", case, theirs)
            scraped.add(
                groups, "ours", case, ours(as_scraped_text(case, title, theirs)) if theirs else ""
            )
        figures[name] = html.figures()
        figures[f"{name}_scraped_text"] = scraped.figures()
    pages = sum(len(cases) for cases in sets.values())
    figures["pages_per_s"] = {
        "ours": round(pages / seconds["ours"], 1),
        "trafilatura": round(pages / seconds["trafilatura"], 1),
        "ratio": round(seconds["trafilatura"] / seconds["ours"], 3),
    }
    print(format_table(figures), file=sys.stderr)
    return figures


def format_table(figures: dict[str, Any]) -> str:
    """The figures as a Markdown table: F1 (P/R) of each side, per set, half and language."""
    lines = [
        "| set | part | language | pages | ours F1 (P/R) | trafilatura F1 (P/R) |",
        "|---|---|---|---|---|---|",
    ]

    def cell(f: dict[str, float]) -> str:
        return f"{f['f1']:.3f} ({f['precision']:.3f}/{f['recall']:.3f})"

    for name in DATASETS:
        for key, other in ((name, "trafilatura"), (f"{name}_scraped_text", "as_is")):
            block = figures[key]
            label = name if key == name else f"{name}, scraped text (vs text as is)"
            rows = [(half, "all", block[half]) for half in ("tune", "holdout", "all")]
            for language, halves in block.get("languages", {}).items():
                rows += [
                    (half, language, halves[half]) for half in ("tune", "holdout") if half in halves
                ]
            for half, language, row in rows:
                lines.append(
                    f"| {label} | {half} | {language} | {row['ours']['pages']} "
                    f"| {cell(row['ours'])} | {cell(row[other])} |"
                )
    rate = figures["pages_per_s"]
    lines.append(
        f"\npages/s: ours {rate['ours']}, trafilatura {rate['trafilatura']}, ratio {rate['ratio']}"
    )
    return "\n".join(lines)


def per_page(
    extract: Callable[[Case], str], dataset: str = "dev", half: str | None = "tune"
) -> list[dict[str, Any]]:
    """Misses per page, for looking at what a rule change did (``python -m bench.extraction``)."""
    rows = []
    for case in load_cases(dataset):
        if half and case.half != half:
            continue
        text = _fold(extract(case))
        missing = [s for s in case.with_ if _fold(s) not in text]
        leaked = [s for s in case.without if _fold(s) in text]
        if missing or leaked:
            rows.append(
                {"file": case.file, "lang": case.language, "missing": missing, "leaked": leaked}
            )
    return rows


if __name__ == "__main__":
    # python -m bench.extraction [--theirs] [--wide]: misses on the tune half, one page a line.
    which = trafilatura_alone if "--theirs" in sys.argv else ours
    for row in per_page(which, "wide" if "--wide" in sys.argv else "dev"):
        print(json.dumps(row, ensure_ascii=False))
