"""Start-up and batch speed of ``newsfacet parse``, in fresh processes.

- ``seeds_ms``: ``newsfacet parse samples/seeds/*.txt`` end to end (the five
  text seeds), beside a bare interpreter running ``import json`` (the floor any
  Python CLI pays) measured the same way.
- ``dev_pages``: ``newsfacet parse`` on all extraction-dev pages in one call,
  beside one process running ``trafilatura.extract`` over the same files.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "bench" / "data" / "extraction-dev" / "pages"
REPEAT = 3

TRAFILATURA_LOOP = (
    "import sys, trafilatura\n"
    "for p in sys.argv[1:]:\n"
    "    trafilatura.extract(open(p, 'rb').read())\n"
)


def _wall_ms(argv: list[str]) -> float:
    samples = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, check=False, stdout=subprocess.DEVNULL)
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def run(ctx: Any) -> dict[str, Any]:
    cli = [sys.executable, "-m", "newsfacet_cli.main", "parse"]
    seeds = [str(p) for p in sorted((ROOT / "samples" / "seeds").glob("*.txt"))]
    pages = [str(p) for p in sorted(PAGES.glob("*.html"))]
    floor_ms = _wall_ms([sys.executable, "-c", "import json"])
    seeds_ms = _wall_ms([*cli, *seeds])
    ours_ms = _wall_ms([*cli, *pages])
    theirs_ms = _wall_ms([sys.executable, "-c", TRAFILATURA_LOOP, *pages])
    return {
        "seeds_files": len(seeds),
        "seeds_ms": round(seeds_ms, 1),
        "python_floor_ms": round(floor_ms, 1),
        "dev_pages": len(pages),
        "ours_dev_pages_docs_per_s": round(len(pages) / (ours_ms / 1000), 1),
        "trafilatura_dev_pages_docs_per_s": round(len(pages) / (theirs_ms / 1000), 1),
        "throughput_ratio_incl_startup": round(theirs_ms / ours_ms, 3),
    }
