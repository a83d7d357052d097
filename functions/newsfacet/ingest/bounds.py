"""Length bounds on metadata: what a file claims is cut to a sane size, with a warning.

A scraped page or a JSON export can put anything in ``author`` or
``site_name`` (40,000 characters of a mangled page have been seen). The
index would refuse such a keyword ("immense term") or skip it
(``ignore_above``), and a facet of such values is useless, so the metadata
stage keeps a prefix and says so in the entry's ``warnings``. A URL is never
cut, nor is a domain: a prefix of either names something else, so an overlong
one is dropped.
"""

from __future__ import annotations

from collections.abc import Iterable

MAX_TITLE = 1000
MAX_NAME = 200  # one author, an outlet's display name
MAX_AUTHORS = 20
MAX_URL = 2048  # the entries mapping's ignore_above for url
MAX_DOMAIN = 253  # DNS


def bound_text(value: str | None, limit: int, field: str, warnings: list[str]) -> str | None:
    """``value`` cut to ``limit`` characters; a warning names the field when it was cut."""
    if value is None or len(value) <= limit:
        return value
    warnings.append(f"{field} cut to {limit} characters (was {len(value)})")
    return value[:limit].rstrip()


def drop_overlong(value: str | None, limit: int, field: str, warnings: list[str]) -> str | None:
    """The value, or None (with a warning) when it is too long to be stored whole."""
    if value is None or len(value) <= limit:
        return value
    warnings.append(f"{field} dropped: {len(value)} characters, over {limit}")
    return None


def bound_names(values: Iterable[str], field: str, warnings: list[str]) -> tuple[str, ...]:
    """At most :data:`MAX_AUTHORS` names of at most :data:`MAX_NAME` characters each."""
    names = [bound_text(v, MAX_NAME, field, warnings) or "" for v in values]
    if len(names) > MAX_AUTHORS:
        warnings.append(f"{field}: kept the first {MAX_AUTHORS} of {len(names)}")
        names = names[:MAX_AUTHORS]
    return tuple(n for n in names if n)
