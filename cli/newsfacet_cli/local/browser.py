"""Headless Chromium for the search page's tests and screenshots (dev only).

Always Debian's ``chromium`` package (``make browser`` installs it), driven by
Playwright for Python: ``playwright install`` and its downloaded browsers are
never used.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch_chromium(playwright: Any) -> Any:
    """A headless browser from a started ``sync_playwright()``.

    Raises:
        FileNotFoundError: no chromium at ``CHROMIUM`` (run ``make browser``).
    """
    if not CHROMIUM.is_file():
        raise FileNotFoundError(
            f"{CHROMIUM} not found: `make browser` installs Debian's chromium (or set CHROMIUM)"
        )
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
