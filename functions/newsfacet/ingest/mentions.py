"""A mention: a span of one entry's text that names something, before it has a canonical name."""

from __future__ import annotations

from dataclasses import dataclass

from newsfacet.models.entry import EntityType


@dataclass(frozen=True)
class Mention:
    """A raw span the model found, before canonicalisation; offsets into one entry's text."""

    start: int
    end: int
    text: str
    type: EntityType
