"""Outlet display names are data: a domain maps to the name readers know."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    data = resources.files("newsfacet.data").joinpath("outlets.json").read_text("utf-8")
    names: dict[str, str] = json.loads(data)
    return names


def outlet_name(domain: str) -> str:
    """Display name for a publisher domain; a tidy form of the domain when unknown."""
    names = _names()
    parts = domain.split(".")
    # Try bbc.co.uk, then co.uk is never a match, so also news.bbc.co.uk -> bbc.co.uk.
    for start in range(len(parts) - 1):
        candidate = ".".join(parts[start:])
        if candidate in names:
            return names[candidate]
    return domain
