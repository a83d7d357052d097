"""Write ``functions/newsfacet/data/time_zones.txt``: zones both OpenSearch and Python accept.

Usage: ``python -m newsfacet_cli.local.zones [JAVA]``. Asks the JDK OpenSearch runs
on (default: Java 17, as ``infra/opensearch.sh`` picks it) for ``ZoneId``'s zones
and keeps those Python's ``zoneinfo`` knows too. A test sends every listed zone to
a real OpenSearch (tests/integration/test_time_zones.py).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import zoneinfo
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
TARGET = ROOT / "functions" / "newsfacet" / "data" / "time_zones.txt"
JAVA = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java"
SOURCE = """public class Zones { public static void main(String[] a) {
  java.time.ZoneId.getAvailableZoneIds().stream().sorted().forEach(System.out::println); } }"""
HEADER = (
    "# Time zones both OpenSearch (java.time, JDK 17 tzdb) and Python (zoneinfo) accept.\n"
    "# Regenerate: python -m newsfacet_cli.local.zones (needs the JDK OpenSearch runs on).\n"
)


def main(argv: list[str]) -> int:
    java = argv[0] if argv else JAVA
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "Zones.java"
        source.write_text(SOURCE, "utf-8")
        out = subprocess.run([java, str(source)], capture_output=True, text=True, check=True)
    zones = sorted(set(out.stdout.split()) & zoneinfo.available_timezones())
    TARGET.write_text(HEADER + "\n".join(zones) + "\n", "utf-8")
    print(f"{TARGET}: {len(zones)} zones")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
