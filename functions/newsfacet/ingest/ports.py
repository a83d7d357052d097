"""What the ingest service needs from the world, as interfaces; adapters live in ``index/`` and
``storage.py``.

Each port is used a fixed number of times per batch (not per object): one read
per object, one lookup of learned template lines (which carries the curation
head along), one lookup of stored entries and near-duplicate candidates, one
lookup of known full names (only when a lone surname is left), one bulk
write, one second look for clusters.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from newsfacet.curation.table import CurationTable
from newsfacet.errors import InputError
from newsfacet.ingest.canonical import AliasEntry
from newsfacet.ingest.minhash import Member
from newsfacet.ingest.surnames import SurnameLookup
from newsfacet.ingest.template_lines import LineCount, LineKey, LineObservation
from newsfacet.models.document import ObjectRef
from newsfacet.models.entry import Entity, Entry

# What became of one written item (the bulk core's verdict, ``index/bulk.py``):
# written (created / updated / noop / exists: a create that lost to an earlier one),
# missing (an update whose document is gone), rejected by OpenSearch for good (4xx),
# or to retry later (429, 5xx, unreachable).
ItemStatus = Literal["created", "updated", "noop", "exists", "missing", "rejected", "retry"]


@dataclass(frozen=True)
class ItemResult:
    status: ItemStatus
    reason: str | None = None

    @property
    def written(self) -> bool:
        return self.status in {"created", "updated", "noop", "exists"}


@dataclass(frozen=True)
class StoredEntry:
    """What ingest needs of an entry that is already indexed."""

    cluster: str
    entities: tuple[Entity, ...] = ()


@dataclass(frozen=True)
class Stored:
    """Entries of the batch that exist already, and stored near-duplicate candidates."""

    entries: Mapping[str, StoredEntry] = field(default_factory=dict)
    candidates: Sequence[Member] = ()


@dataclass(frozen=True)
class FailureRecord:
    """One rejected object, article or entry, recorded once for operators."""

    ref: ObjectRef
    error: InputError


@dataclass(frozen=True)
class WriteBatch:
    """Everything one batch writes, sent in one bulk request."""

    entries: Sequence[Entry] = ()
    lines: Sequence[LineObservation] = ()
    aliases: Mapping[str, AliasEntry] = field(default_factory=dict)
    failures: Sequence[FailureRecord] = ()


@dataclass(frozen=True)
class WriteResult:
    """The verdict on every item of a :class:`WriteBatch`, in its order."""

    entries: Mapping[str, ItemResult] = field(default_factory=dict)
    lines: Sequence[ItemResult] = ()
    aliases: Mapping[str, ItemResult] = field(default_factory=dict)
    failures: Sequence[ItemResult] = ()


class ObjectStore(Protocol):
    def read(self, ref: ObjectRef, *, limit: int) -> tuple[bytes, ObjectRef]:
        """The object's bytes and its ref completed with size, etag, upload time and metadata.

        Raises:
            InputError: the object is gone or too large (not retried).
            TransientError: the store failed; retry later.
        """
        ...


class LearnedStore(Protocol):
    """What earlier ingests taught: template-line counts and entity aliases."""

    def line_counts(self, keys: Collection[LineKey]) -> dict[LineKey, LineCount]: ...

    def aliases(self) -> Mapping[str, AliasEntry]:
        """The whole alias table (small; cached by the adapter and refreshed on a timer)."""
        ...

    def remember(self, aliases: Mapping[str, AliasEntry]) -> None:
        """Aliases this process just stored: visible to its next batch without waiting."""
        ...

    def curation(self) -> CurationTable:
        """The operator's curation table (cached; read again when a change was recorded)."""
        ...


class PeopleStore(Protocol):
    def full_names(self, lookups: Sequence[SurnameLookup]) -> list[list[str]]:
        """Full PERSON names stored for each lookup's outlet and window, in one request."""
        ...


class EntryStore(Protocol):
    def lookup(self, ids: Collection[str], bands: Collection[str]) -> Stored:
        """Which of ``ids`` exist, and the stored entries sharing a band key, in one request."""
        ...

    def write(self, batch: WriteBatch) -> WriteResult:
        """One bulk request; returns once its writes are visible to searches."""
        ...

    def reconcile(self, entries: Sequence[Entry]) -> int:
        """After writing: look again, lower clusters a concurrent writer split; entries changed."""
        ...
