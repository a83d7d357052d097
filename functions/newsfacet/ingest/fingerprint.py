"""Content fingerprints: the same normalised text always gets the same entry id."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
_NON_WORD = re.compile(r"[^\w']+")


def normalise_text(text: str) -> str:
    """Fold case, Unicode forms, quote styles and spacing so trivial edits do not matter."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    return " ".join(_NON_WORD.sub(" ", text).split())


def content_id(text: str) -> str:
    """The entry id: a hash of the normalised body text."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()[:32]
