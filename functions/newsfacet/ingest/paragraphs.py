"""Paragraphs and titles as every extractor hands them on: one paragraph a line, spaces folded."""

from __future__ import annotations

import re

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b]+")
_YEAR_SUFFIX = re.compile(r"\s*\((?:19|20)\d\d\)$")


def split_paragraphs(text: str) -> list[str]:
    """One paragraph per non-blank line, inner whitespace folded."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n"))
    return [line for line in lines if line]


def tidy_title(title: str | None) -> str | None:
    """Fold spaces and drop the "(2023)" year tag that scraper sites append to titles."""
    if not title:
        return None
    title = _YEAR_SUFFIX.sub("", _SPACES.sub(" ", title).strip())
    return title or None
