"""Run the benchmarks and print one JSON object of named figures.

Usage: ``python -m bench [NAME ...]``. Each benchmark module exposes
``run(ctx) -> dict`` and is listed in ``BENCHMARKS``; a benchmark that needs
OpenSearch asks ``ctx.opensearch_url()``, which starts the local one once.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "functions"), str(ROOT / "cli")]

# name -> module under bench/; each module's run(ctx) returns a dict of figures.
BENCHMARKS: dict[str, str] = {
    "startup": "bench.startup",
    "extraction": "bench.extraction",
    "parse_cli": "bench.parse_cli",
    "dedup": "bench.dedup",
    "ner": "bench.ner",
    "ingest_throughput": "bench.ingest_throughput",
    "search_latency": "bench.search_latency",
}


class Context:
    def __init__(self) -> None:
        self._url: str | None = os.environ.get("OPENSEARCH_URL")
        self._started = False
        self.state = ROOT / ".run" / "bench"

    def opensearch_url(self) -> str:
        if self._url is None:
            env = {**os.environ, "NEWSFACET_STATE_DIR": str(self.state)}
            out = subprocess.run(
                ["bash", str(ROOT / "infra" / "opensearch.sh"), "start"],
                env=env,
                check=True,
                stdout=subprocess.PIPE,
                text=True,
            )
            self._url = out.stdout.strip().splitlines()[-1]
            self._started = True
        return self._url

    def close(self) -> None:
        if self._started:
            env = {**os.environ, "NEWSFACET_STATE_DIR": str(self.state)}
            subprocess.run(
                # A fresh node every run (`stop` would keep its data for the next).
                ["bash", str(ROOT / "infra" / "opensearch.sh"), "destroy"],
                env=env,
                check=False,
                stdout=subprocess.DEVNULL,
            )


def main(names: list[str]) -> int:
    selected = names or list(BENCHMARKS)
    unknown = [n for n in selected if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s) {unknown}; known: {list(BENCHMARKS)}", file=sys.stderr)
        return 2
    ctx = Context()
    figures: dict[str, Any] = {}
    try:
        for name in selected:
            started = time.perf_counter()
            print(f"bench: {name} ...", file=sys.stderr, flush=True)
            figures[name] = importlib.import_module(BENCHMARKS[name]).run(ctx)
            print(f"bench: {name} done in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    finally:
        ctx.close()
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
