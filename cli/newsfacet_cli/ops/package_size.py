"""Unzipped size of each built Lambda package (``make package-size``).

Lambda refuses a zip package whose unpacked files exceed 250 MB (262,144,000
bytes); this reports each function's total, its largest top-level entries and
the headroom, as JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

LAMBDA_UNZIPPED_LIMIT = 262_144_000


def tree_bytes(path: Path) -> int:
    """Sum of file sizes (what Lambda counts), not disk blocks."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def measure(build_dir: Path, top: int = 8) -> dict[str, Any]:
    """Sizes of every function folder under a ``sam build`` output directory."""
    report: dict[str, Any] = {"limit_bytes": LAMBDA_UNZIPPED_LIMIT, "functions": {}}
    for folder in sorted(p for p in build_dir.iterdir() if p.is_dir()):
        total = tree_bytes(folder)
        parts = sorted(((tree_bytes(p), p.name) for p in folder.iterdir()), reverse=True)
        report["functions"][folder.name] = {
            "bytes": total,
            "mib": round(total / 2**20, 1),
            "headroom_mib": round((LAMBDA_UNZIPPED_LIMIT - total) / 2**20, 1),
            "largest": {name: round(size / 2**20, 1) for size, name in parts[:top]},
        }
    return report


def main(argv: list[str]) -> int:
    build_dir = Path(argv[0] if argv else ".aws-sam/build")
    report = measure(build_dir)
    sys.stdout.write(json.dumps(report, indent=2) + "\n")
    over = [n for n, f in report["functions"].items() if f["bytes"] > LAMBDA_UNZIPPED_LIMIT]
    if over:
        sys.stderr.write(f"over Lambda's 250 MB unzipped limit: {', '.join(over)}\n")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
