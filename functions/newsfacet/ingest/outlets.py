"""Outlet facts are data: display names, the names texts cite them by, their time zones."""

from __future__ import annotations

import json
from datetime import UTC, tzinfo
from functools import lru_cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@lru_cache(maxsize=4)
def _data(name: str) -> dict[str, str]:
    data = resources.files("newsfacet.data").joinpath(name).read_text("utf-8")
    table: dict[str, str] = json.loads(data)
    return table


def _lookup(table: dict[str, str], domain: str) -> str | None:
    parts = domain.split(".")
    # news.bbc.co.uk -> bbc.co.uk; "co.uk" itself is never a key.
    for start in range(len(parts) - 1):
        candidate = ".".join(parts[start:])
        if candidate in table:
            return table[candidate]
    return None


def outlet_name(domain: str) -> str:
    """Display name for a publisher domain; a tidy form of the domain when unknown."""
    return _lookup(_data("outlets.json"), domain) or domain


def known_outlet(domain: str) -> bool:
    return _lookup(_data("outlets.json"), domain) is not None


def outlet_aliases() -> dict[str, str]:
    """Names texts use for outlets ("the FT", "Tass") -> publisher domain."""
    return _data("outlet_aliases.json")


def outlet_timezone(domain: str | None) -> tzinfo:
    """The zone an outlet prints local times in (live-blog bylines); UTC when unknown."""
    name = _lookup(_data("outlet_timezones.json"), domain) if domain else None
    if name is None:
        return UTC
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:
        return UTC


def outlet_names() -> dict[str, str]:
    """Publisher domain -> display name, for every outlet the data files know."""
    return _data("outlets.json")
