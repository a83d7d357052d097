"""NER quality: precision, recall and F1 per type on a hand-labelled set of real news paragraphs.

Gold: ``bench/data/ner-gold.jsonl`` (built from ``ner-gold.txt`` by
``python -m bench.ner --build-gold``; guidelines and the fixed tune/held-back
split in ``bench/data/README.md``). A prediction counts only if its type and
exact character span match a gold entity. Configurations, all on the same
texts in the same run: the bare model (spaCy's small English NER, spans tidied
the same way), the model with the alias file (what ingest ran before the
entity chain), and the chain's steps added one at a time (tune part only);
the held-back part is scored for the bare model, the model with aliases and
the whole chain. ``python -m bench.ner --table`` prints the same figures as a
table. Tagging speed (entries per second through ``tag_texts``, best of three,
on the 97 article texts) is measured before and with the chain.
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
ARTICLES = DATA / "articles.jsonl"
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
        rows.append({"id": item_id, "part": part_of(item_id), "text": text, "entities": entities})
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


def _score_rows(rows: list[dict[str, Any]], tagged: list[list[Any]], part: str) -> dict[str, Any]:
    keep = [r["part"] == part for r in rows]
    gold = [{(e["start"], e["end"], e["type"]) for e in r["entities"]} for r in rows]
    pred = [{(e.start, e.end, e.type) for e in entities} for entities in tagged]
    return _scores(
        [g for g, k in zip(gold, keep, strict=True) if k],
        [p for p, k in zip(pred, keep, strict=True) if k],
    )


def _throughput(texts: list[str], steps: tuple[str, ...], rounds: int = 3) -> dict[str, float]:
    """Entries per second through tag_texts without and with the chain steps, best of N each.

    The two alternate round by round, so a burst of load on a shared machine
    hits both rather than one.
    """
    from newsfacet.ingest.entities import tag_texts

    best = {"before_chain": 0.0, "with_chain": 0.0}
    for _ in range(rounds):
        for name, chosen in (("before_chain", ()), ("with_chain", steps)):
            started = time.perf_counter()
            tag_texts(texts, steps=chosen)
            best[name] = max(best[name], len(texts) / (time.perf_counter() - started))
    return {name: round(rate, 1) for name, rate in best.items()}


def run(ctx: Any) -> dict[str, Any]:
    """F1 per type: the bare model, what ingest ran before the chain, each chain step added.

    The tune part shows every configuration (it is what the chain was built
    on); the held-back part shows the bare model, the model with the alias
    file as before issue 11, and the whole chain. Tagging speed is measured
    on the article texts with and without the chain, in the same run.
    """
    from newsfacet.ingest.chain import STEPS
    from newsfacet.ingest.entities import tag_texts

    rows = [json.loads(line) for line in GOLD.read_text("utf-8").splitlines() if line.strip()]
    texts = [r["text"] for r in rows]
    tag_texts(texts[:1])  # load the model outside the timed part
    configs: dict[str, tuple[bool, tuple[str, ...]]] = {"model_only": (False, ())}
    configs["model_aliases"] = (True, ())  # ingest before issue 11
    for i in range(len(STEPS)):
        configs["+" + STEPS[i]] = (True, STEPS[: i + 1])
    result: dict[str, Any] = {
        "paragraphs": {p: sum(r["part"] == p for r in rows) for p in ("tune", "holdout")},
        "gold_entities": {
            p: sum(len(r["entities"]) for r in rows if r["part"] == p) for p in ("tune", "holdout")
        },
        "tune": {},
        "holdout": {},
    }
    for name, (with_aliases, steps) in configs.items():
        tagged = tag_texts(texts, with_aliases=with_aliases, steps=steps)
        result["tune"][name] = _score_rows(rows, tagged, "tune")
        if name in {"model_only", "model_aliases", "+" + STEPS[-1]}:
            label = "chain" if name == "+" + STEPS[-1] else name
            result["holdout"][label] = _score_rows(rows, tagged, "holdout")
    articles = [
        json.loads(line)["text"] for line in ARTICLES.read_text("utf-8").splitlines() if line
    ]
    rates = _throughput(articles, STEPS)
    result["tagging_entries_per_s"] = {
        "texts": len(articles),
        **rates,
        "ratio": round(rates["with_chain"] / rates["before_chain"], 3),
    }
    return result


def _print_table(result: dict[str, Any]) -> None:
    for part in ("tune", "holdout"):
        print(f"{part}: {result['paragraphs'][part]} paragraphs")
        print(f"  {'config':16} " + " ".join(f"{t:>16}" for t in (*TYPES, "ALL")))
        for name, scores in result[part].items():
            cells = [
                f"{scores[t]['p']:.2f}/{scores[t]['r']:.2f}/{scores[t]['f1']:.3f}"
                for t in (*TYPES, "ALL")
            ]
            print(f"  {name:16} " + " ".join(f"{c:>16}" for c in cells))
    print("tagging entries/s:", result["tagging_entries_per_s"])


if __name__ == "__main__":
    if sys.argv[1:] == ["--build-gold"]:
        print(f"wrote {build_gold()} paragraphs to {GOLD}")
    elif sys.argv[1:] == ["--table"]:
        sys.path[:0] = [str(DATA.parents[1]), str(DATA.parents[1] / "functions")]
        _print_table(run(None))
