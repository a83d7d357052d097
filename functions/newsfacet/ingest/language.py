"""The language of an article: declared when the source says so, else detected from the text."""

from __future__ import annotations

import re

# Enough text for a confident guess; more only costs time.
SAMPLE_CHARS = 1200
MIN_CHARS = 40
_CODE = re.compile(r"^([a-z]{2,3})(?:[-_][A-Za-z0-9]+)*$")


def normalise_language(value: str | None) -> str | None:
    """``en-GB``, ``en_US``, ``EN`` -> ``en``; anything that is not a language code -> None."""
    if not value:
        return None
    match = _CODE.match(value.strip().lower().replace("_", "-"))
    return match[1] if match else None


def detect_language(text: str) -> str | None:
    """ISO 639-1 code guessed by py3langid from the text; None for too little text."""
    sample = text[:SAMPLE_CHARS]
    if len(sample.strip()) < MIN_CHARS:
        return None
    # Imported here: loading the model takes a moment, paid only when a text needs it.
    import py3langid

    code, _score = py3langid.classify(sample)
    return str(code)


# From this much text on, the detector beats declarations: pages often keep a
# template's lang="en" while the article is in German or Spanish.
TRUST_DETECTION_CHARS = 200


def choose_language(declared: str | None, text: str) -> str | None:
    """The detected language for a real text, else the declared one, else a short-text guess."""
    if len(text) >= TRUST_DETECTION_CHARS:
        return detect_language(text) or normalise_language(declared)
    return normalise_language(declared) or detect_language(text)
