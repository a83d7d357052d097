"""The search page on a running server: screenshots, bytes transferred, time to first results.

Usage::

    make demo                      # another terminal: serves on 127.0.0.1:3000
    .venv/bin/python -m bench.page --base http://127.0.0.1:3000 --screenshots docs

Needs Debian's chromium (``make browser``). Prints one JSON object. Not part of
``make bench``: it measures a server someone started, not one it starts.

* ``transfer``: what the browser fetched for ``/?q=Belgorod`` with an empty
  cache, from its Resource Timing entries (``transferSize``: headers plus the
  body as sent, gzip where the request accepted it), split into the page with
  its assets and the API's JSON; then the same load again with the cache warm.
* ``first_results_ms``: navigation start to the ``newsfacet:first-results``
  mark, which the page sets once the first hits are in the DOM; each round in a
  fresh browser context (empty cache). Beside it, measured in the same rounds:
  the ``/search`` request alone (its Resource Timing duration, inside the
  page) and the same URL fetched with ``requests`` (no browser at all).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import requests

QUERY = "/?q=Belgorod"
SHOTS = {"1280": (1280, 900), "360": (360, 800)}

RESOURCES = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const rows = [nav, ...performance.getEntriesByType("resource")].map((e) => ({
    url: e.name, transfer: e.transferSize, encoded: e.encodedBodySize,
    decoded: e.decodedBodySize, duration: e.duration,
  }));
  const mark = performance.getEntriesByName("newsfacet:first-results")[0];
  return { rows, firstResults: mark ? mark.startTime : null };
}"""


def _load(browser: Any, url: str, viewport: tuple[int, int]) -> tuple[Any, dict[str, Any]]:
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("#main[aria-busy=false] #hits > li", timeout=30_000)
    return page, page.evaluate(RESOURCES)


def _split(rows: list[dict[str, Any]]) -> dict[str, Any]:
    api = [r for r in rows if "/search?" in r["url"]]
    page = [r for r in rows if r not in api]
    return {
        "page_and_assets": {
            "requests": len(page),
            "transfer_bytes": sum(r["transfer"] for r in page),
            "body_bytes_gzip": sum(r["encoded"] for r in page),
            "body_bytes_decoded": sum(r["decoded"] for r in page),
        },
        "search_json": {
            "transfer_bytes": sum(r["transfer"] for r in api),
            "body_bytes_decoded": sum(r["decoded"] for r in api),
        },
    }


def measure(base: str, rounds: int, screenshots: Path | None) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    from newsfacet_cli.local.browser import launch_chromium

    url = base.rstrip("/") + QUERY
    first: list[float] = []
    in_page_api: list[float] = []
    plain_api: list[float] = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            # One load to warm the server (first request builds the OpenSearch client).
            page, _ = _load(browser, url, SHOTS["1280"])
            page.context.close()
            for _ in range(rounds):
                page, found = _load(browser, url, SHOTS["1280"])
                first.append(found["firstResults"])
                in_page_api += [r["duration"] for r in found["rows"] if "/search?" in r["url"]]
                page.context.close()
                started = time.perf_counter()
                requests.get(base.rstrip("/") + "/search?q=Belgorod&size=10", timeout=30)
                plain_api.append((time.perf_counter() - started) * 1000)
            page, cold = _load(browser, url, SHOTS["1280"])
            page.reload()
            page.wait_for_selector("#main[aria-busy=false] #hits > li")
            warm = page.evaluate(RESOURCES)
            page.context.close()
            if screenshots:
                screenshots.mkdir(parents=True, exist_ok=True)
                for name, viewport in SHOTS.items():
                    page, _ = _load(browser, url, viewport)
                    page.screenshot(path=str(screenshots / f"search-page-{name}.png"))
                    page.context.close()
        finally:
            browser.close()
    return {
        "url": url,
        "rounds": rounds,
        "transfer_empty_cache": _split(cold["rows"]),
        "transfer_warm_cache": _split(warm["rows"]),
        "first_results_ms": {
            "median": round(statistics.median(first), 1),
            "min": round(min(first), 1),
            "max": round(max(first), 1),
        },
        "search_request_in_page_ms": {"median": round(statistics.median(in_page_api), 1)},
        "search_request_without_browser_ms": {"median": round(statistics.median(plain_api), 1)},
        "screenshots": sorted(str(p) for p in screenshots.glob("search-page-*.png"))
        if screenshots
        else [],
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.page", description=__doc__)
    parser.add_argument("--base", default="http://127.0.0.1:3000")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--screenshots", type=Path, default=None, help="folder for the PNGs")
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.base, args.rounds, args.screenshots), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
