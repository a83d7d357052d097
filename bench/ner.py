"""NER quality: precision, recall and F1 per type on a hand-labelled set of real news paragraphs.

Gold: ``bench/data/ner-gold.jsonl`` (built from ``ner-gold.txt`` by
``python -m bench.ner --build-gold``; guidelines in ``bench/data/README.md``).
A prediction counts only if its type and exact character span match a gold
entity. Two systems run on the same texts: the bare model (spaCy's small
English NER, spans tidied the same way) as the baseline, and what ingest runs
(model + entity ruler + alias file). Figures are given for all paragraphs and
separately for the held-out ones (extraction-dev pages: the alias file was not
written with them in view) and the seed paragraphs (it was).
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
GOLD_TXT = DATA / "ner-gold.txt"
GOLD = DATA / "ner-gold.jsonl"
TYPES = ("PERSON", "ORG", "LOC")
_MARK = re.compile(r"\[([^\[\]|]+)\|(PERSON|ORG|LOC)\]")


def parse_marked(marked: str) -> tuple[str, list[dict[str, Any]]]:
    """``[Vyacheslav Gladkov|PERSON] said`` -> plain text and entity spans."""
    text, entities, position = [], [], 0
    length = 0
    for match in _MARK.finditer(marked):
        before = marked[position : match.start()]
        text.append(before)
        length += len(before)
        surface, label = match.group(1), match.group(2)
        entities.append(
            {"start": length, "end": length + len(surface), "text": surface, "type": label}
        )
        text.append(surface)
        length += len(surface)
        position = match.end()
    text.append(marked[position:])
    return "".join(text), entities


def part_of(item_id: str) -> str:
    """The fixed split: a hash of the paragraph id, so no choice of ours decides it."""
    return "holdout" if int(hashlib.sha256(item_id.encode()).hexdigest(), 16) % 2 else "tune"


def build_gold() -> int:
    rows = []
    for line in GOLD_TXT.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        item_id, marked = line.split("\t", 1)
        text, entities = parse_marked(marked)
        rows.append(
            {"id": item_id, "part": part_of(item_id), "text": text, "entities": entities}
        )
    GOLD.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return len(rows)


def _scores(
    gold: Iterable[set[tuple[int, int, str]]],
    pred: Iterable[set[tuple[int, int, str]]],
) -> dict[str, Any]:
    counts = {t: {"tp": 0, "fp": 0, "fn": 0} for t in (*TYPES, "ALL")}
    for g, p in zip(gold, pred, strict=True):
        for kind, items, other in (("fp", p, g), ("fn", g, p)):
            for item in items - other:
                counts[item[2]][kind] += 1
                counts["ALL"][kind] += 1
        for item in g & p:
            counts[item[2]]["tp"] += 1
            counts["ALL"]["tp"] += 1
    out: dict[str, Any] = {}
    for label, c in counts.items():
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[label] = {
            "p": round(precision, 3),
            "r": round(recall, 3),
            "f1": round(f1, 3),
            "gold": c["tp"] + c["fn"],
        }
    return out


def run(ctx: Any) -> dict[str, Any]:
    from newsfacet.ingest.entities import tag_texts

    rows = [json.loads(line) for line in GOLD.read_text("utf-8").splitlines() if line.strip()]
    texts = [r["text"] for r in rows]
    gold = [{(e["start"], e["end"], e["type"]) for e in r["entities"]} for r in rows]
    subsets = {
        "all": [True] * len(rows),
        "held_out": [not r["id"].startswith("seed-") for r in rows],
        "seeds": [r["id"].startswith("seed-") for r in rows],
    }
    result: dict[str, Any] = {"paragraphs": len(rows), "gold_entities": sum(map(len, gold))}
    for name, with_aliases in (("model_only", False), ("model_aliases", True)):
        tag_texts(texts[:1], with_aliases=with_aliases)  # load outside the timed part
        started = time.perf_counter()
        tagged = tag_texts(texts, with_aliases=with_aliases)
        elapsed = time.perf_counter() - started
        pred = [{(e.start, e.end, e.type) for e in entities} for entities in tagged]
        result[name] = {
            subset: _scores(
                [g for g, k in zip(gold, keep, strict=True) if k],
                [p for p, k in zip(pred, keep, strict=True) if k],
            )
            for subset, keep in subsets.items()
        }
        result[name]["chars_per_s"] = round(sum(map(len, texts)) / elapsed)
    return result


if __name__ == "__main__":
    if sys.argv[1:] == ["--build-gold"]:
        print(f"wrote {build_gold()} paragraphs to {GOLD}")
