"""What the ingest service needs from the world, as interfaces; adapters live in ``index/`` and
``storage.py``.

Each port is used a fixed number of times per batch (not per object): one read
per object, one lookup of learned template lines (which carries the curation
head along), one lookup of stored entries and near-duplicate candidates, one
lookup of known full names (only when a lone surname is left), one bulk write
(which also registers what it wrote); a second look only when another worker
wrote near-duplicates at the same moment.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from newsfacet.errors import InputError
from newsfacet.ingest.canonical import AliasEntry
from newsfacet.ingest.clusters import ClusterSummary, SummaryPlan
from newsfacet.ingest.minhash import Member
from newsfacet.ingest.surnames import SurnameLookup
from newsfacet.ingest.template_lines import LineCount, LineKey, LineObservation
from newsfacet.models.curation_table import CurationTable
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
    # The document after an update that asked for it (``_source`` in the action).
    source: Mapping[str, Any] | None = None

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
    # The cluster summary each of those carries (a cluster of one if none), by entry id.
    summaries: Mapping[str, ClusterSummary] = field(default_factory=dict)


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
    # Cluster summaries for the batch's entries and the stored members they reach.
    summaries: SummaryPlan = field(default_factory=SummaryPlan)


@dataclass(frozen=True)
class WriteResult:
    """The verdict on every item of a :class:`WriteBatch`, in its order."""

    entries: Mapping[str, ItemResult] = field(default_factory=dict)
    lines: Sequence[ItemResult] = ()
    aliases: Mapping[str, ItemResult] = field(default_factory=dict)
    failures: Sequence[ItemResult] = ()
    # Entries other workers wrote under this batch's band keys or clusters within the
    # last minutes (index/recent.py): those this batch's lookup did not see need a second look.
    recent: frozenset[str] = frozenset()


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
        """One bulk request that also registers what it writes (no refresh awaited)."""
        ...

    def reconcile(
        self,
        entries: Sequence[Entry],
        *,
        unseen: Collection[str],
        merges: Mapping[str, str],
        summaries: SummaryPlan,
    ) -> int:
        """After writing: finish merges and summaries; look again if ``unseen`` is not empty.

        Args:
            entries: the batch's written entries.
            unseen: entries written by others at the same time that the lookup did not see.
            merges: stored cluster -> lower cluster, from the batch's plan.
            summaries: what the batch wrote; large clusters are finished here.

        Returns:
            How many stored entries changed.
        """
        ...
