"""Cold import time of each handler module against ``import boto3`` alone, fresh interpreters."""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REPEAT = 5


def _import_ms(code: str) -> float:
    samples = []
    for _ in range(REPEAT):
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                "import time,sys;t=time.perf_counter();"
                + code
                + ";print((time.perf_counter()-t)*1000)",
            ],
            cwd=ROOT,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
            env={"PYTHONPATH": f"{ROOT / 'functions'}", "PATH": "/usr/bin:/bin"},
        )
        samples.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(samples)


def _handler_import(folder: str) -> str:
    return f"sys.path.insert(0,'functions/{folder}');import app"


def run(ctx: Any) -> dict[str, Any]:
    boto3_ms = _import_ms("import boto3")
    search_ms = _import_ms(_handler_import("search"))
    ingest_ms = _import_ms(_handler_import("ingest"))
    return {
        "import_boto3_ms": round(boto3_ms, 1),
        "import_search_handler_ms": round(search_ms, 1),
        "import_ingest_handler_ms": round(ingest_ms, 1),
        "search_handler_vs_boto3": round(search_ms / boto3_ms, 2),
        "ingest_handler_vs_boto3": round(ingest_ms / boto3_ms, 2),
    }
