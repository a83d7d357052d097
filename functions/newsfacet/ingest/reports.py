"""What a batch reports: one ``ObjectReport`` per object, and the service's settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from newsfacet.errors import InputError
from newsfacet.models.document import ObjectRef

Status = Literal["indexed", "partial", "rejected", "retry"]


@dataclass
class ObjectReport:
    """What became of one object."""

    ref: ObjectRef
    articles: int = 0
    entries: int = 0
    created: int = 0
    updated: int = 0
    # Rejections recorded for this object: the object itself, or its articles or entries.
    errors: list[InputError] = field(default_factory=list)
    # Set when a dependency failed: the object is retried whatever else happened.
    retry: str | None = None
    # The retry is for want of time in this invocation, not a fault: retry at once.
    deferred: bool = False
    whole_object_rejected: bool = False
    # Characters of text read so far (the per-object budget).
    chars: int = 0
    # Where the rest of an object past its budget starts, when it is to be ingested in parts.
    continue_at: int | None = None

    @property
    def status(self) -> Status:
        if self.retry is not None:
            return "retry"
        if self.whole_object_rejected or (self.errors and self.entries == 0):
            return "rejected"
        return "partial" if self.errors else "indexed"


@dataclass(frozen=True)
class IngestConfig:
    max_object_bytes: int
    template_min_docs: int = 3
    learn_templates: bool = True
    tag_entities: bool = True
    # Articles per unit of work (one lookup round and one bulk write each).
    unit_articles: int = 200
    # The per-object budget: characters of text one object may bring (ingest/budget.py).
    max_object_chars: int = 600_000
    # What a unit of work is expected to cost, to decide whether it fits the time left.
    chars_per_s: float = 25_000
    # Kept free at the end of an invocation: the last write, and the adapter's own work.
    reserve_s: float = 15
