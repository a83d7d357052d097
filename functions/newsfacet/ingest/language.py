"""The language of an article: declared when the source says so, else detected from the text."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import shutil
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

# Enough text for a confident guess; more only costs time.
SAMPLE_CHARS = 1200
MIN_CHARS = 40
_CODE = re.compile(r"^([a-z]{2,3})(?:[-_][A-Za-z0-9]+)*$")
_ARRAYS = ("ptc", "pc", "nextmove", "nextmove_row", "out_feat")


class _Detector:
    """py3langid's identifier, built once per process.

    py3langid ships its model xz-compressed; inflating it is most of the
    ``newsfacet parse`` start-up (about 0.9 s). With a cache folder (the CLI
    passes one) the inflated arrays are kept there as ``.npy`` files and
    memory-mapped on later runs. The Lambda passes none: a fresh container's
    disk is empty anyway.
    """

    def __init__(self) -> None:
        self.cache: Path | None = None
        self.identifier: Any = None

    def classify(self, text: str) -> str:
        if self.identifier is None:
            self.identifier = self._load()
        if self.identifier is None:
            import py3langid  # the library's own lazy loader

            code, _ = py3langid.classify(text)
            return str(code)
        code, _ = self.identifier.classify(text)
        return str(code)

    def _load(self) -> Any:
        if self.cache is None:
            return None
        try:
            return _cached_identifier(self.cache)
        except (OSError, ValueError, TypeError, AttributeError, KeyError) as exc:
            # An internal of py3langid moved, or the disk is full: fall back, slower.
            logger.info("language model cache unusable", extra={"error": str(exc)})
            return None


def _cached_identifier(cache: Path) -> Any:
    import lzma

    import numpy as np
    from py3langid import __version__
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier
    from py3langid.modelio import _to_array

    folder = cache / f"py3langid-{__version__}"
    if not folder.exists():
        # Built aside and renamed into place, so a concurrent run never reads half a cache.
        staging = cache / f".{folder.name}.{os.getpid()}"
        staging.mkdir(parents=True, exist_ok=True)
        # np.load needs to seek; an LZMA stream seeks by re-inflating, so read it once.
        with lzma.open(MODEL_DIR / MODEL_FILE) as packed:
            inflated = io.BytesIO(packed.read())
        with np.load(inflated) as data:
            for name in _ARRAYS:
                np.save(staging / f"{name}.npy", data[name])
            (staging / "classes.json").write_text(json.dumps(data["classes"].tolist()), "utf-8")
        try:
            staging.rename(folder)
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)  # another run got there first
    arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in _ARRAYS}
    return LanguageIdentifier(
        np.asarray(arrays["ptc"]),
        np.asarray(arrays["pc"]),
        json.loads((folder / "classes.json").read_text("utf-8")),
        _to_array(arrays["nextmove"]),
        arrays["out_feat"].tolist(),
        tk_row=_to_array(arrays["nextmove_row"]),
    )


_DETECTOR = _Detector()


def use_model_cache(folder: Path | None) -> None:
    """Keep the inflated language model in ``folder``, for short-lived processes (the CLI)."""
    _DETECTOR.cache = folder


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
    return _DETECTOR.classify(sample)


# From this much text on, the detector beats declarations: pages often keep a
# template's lang="en" while the article is in German or Spanish.
TRUST_DETECTION_CHARS = 200


def choose_language(declared: str | None, text: str) -> str | None:
    """The detected language for a real text, else the declared one, else a short-text guess."""
    if len(text) >= TRUST_DETECTION_CHARS:
        return detect_language(text) or normalise_language(declared)
    return normalise_language(declared) or detect_language(text)
