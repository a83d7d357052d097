"""The admin API's service: record merges, renames, hides and undos; list them.

Each call reads the head and the changes, checks the request against the
table they make (and the index, for keys nobody carries), claims the next
sequence number and records the change. Search shows it from then on
(``search/curation.py``); a message on the curation queue starts the background
pass that rewrites stored entries (:mod:`newsfacet.curation.rewrite`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from opensearchpy import OpenSearch

from newsfacet.curation.rewrite import rewrite_entries
from newsfacet.curation.store import CurationIndex
from newsfacet.errors import CurationConflictError, UnknownChangeError, UnknownKeyError
from newsfacet.index.client import write_side_errors
from newsfacet.models.curation import KEY_PATTERN, Change, ChangesResponse, Op, change_id
from newsfacet.models.curation_table import (
    CurationTable,
    build_table,
    changed_keys,
    check_change,
    split_key,
    touched_values,
)

logger = logging.getLogger(__name__)

# Attempts to claim a sequence number while other operators record changes.
MAX_CLAIMS = 5


class PassQueue(Protocol):
    """Where background passes are requested (the curation queue)."""

    def request_pass(self, change: str, *, settle: bool = False, delay_s: int = 0) -> None: ...


class CurationAdmin:
    def __init__(
        self,
        client: OpenSearch,
        *,
        curation_index: str,
        entries_alias: str,
        queue: PassQueue,
        settle_s: int = 0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.client = client
        self.store = CurationIndex(client, curation_index)
        self.entries_alias = entries_alias
        self.queue = queue
        self.settle_s = settle_s
        self.clock = clock

    # -- changes -----------------------------------------------------------------------
    def merge(self, source: str, target: str, *, who: str) -> Change:
        """File every entry of ``source`` under ``target`` (the target may be of another type)."""
        split_key(source)
        split_key(target)
        return self._record("merge", who, key=source, target=target)

    def rename(self, key: str, name: str, *, who: str) -> Change:
        """Give ``key`` a new name (a merge, when that name exists).

        The type stays, unless ``name`` is itself a key: ``LOC:Natalia`` renamed
        ``PERSON:Natalia Abbakumova`` fixes a type the tagger got wrong.
        """
        entity_type, _ = split_key(key)
        name = name.strip()
        target = name if re.match(KEY_PATTERN, name) else f"{entity_type}:{name}"
        return self._record("rename", who, key=key, target=target)

    def hide(self, key: str, *, who: str) -> Change:
        """Take ``key`` off entries, facets and filters (the tagger's key is kept for undo)."""
        split_key(key)
        return self._record("hide", who, key=key)

    def undo(self, undone: str, *, who: str) -> Change:
        """Record that ``undone`` no longer holds; later changes are replayed without it."""
        return self._record("undo", who, undoes=undone)

    def request_pass(self, wanted: str) -> Change:
        """Ask for a change's background pass again (after a failure to queue it)."""
        change = self.change(wanted)
        self.queue.request_pass(change.id)
        return change

    # -- the background pass -------------------------------------------------------------
    def run_pass(self, wanted: str, *, settle: bool = False) -> int:
        """Rewrite the stored entries a change moved; the first pass records it applied.

        The first pass also asks for a settle pass ``settle_s`` later: it files
        entries that an ingest batch wrote with the table it had read before
        the change. Running either again changes nothing.

        Returns:
            Entries rewritten.
        """
        change = self.store.get(wanted)
        if change is None:
            raise UnknownChangeError(change=wanted)
        entries = rewrite_entries(
            self.client, self.entries_alias, change.keys, self.store.load_table, now=self.clock()
        )
        if not settle:
            if change.status == "pending":
                self.store.mark_applied(change, entries=entries, at=self.clock())
            if self.settle_s:
                self.queue.request_pass(change.id, settle=True, delay_s=self.settle_s)
        logger.info(
            "curation pass done",
            extra={"change": change.id, "settle": settle, "entries_rewritten": entries},
        )
        return entries

    # -- reading -----------------------------------------------------------------------
    def changes(self, *, after: int = 0, size: int = 100) -> ChangesResponse:
        head = self.store.head()
        page = self.store.changes(after=after, size=size)
        undone = self._undone(self.store.changes() if page else [])
        listed = [c.model_copy(update={"undone_by": undone.get(c.id)}) for c in page]
        more = len(page) == size and page[-1].seq < head.version
        return ChangesResponse(
            version=head.version, changes=listed, next_after=page[-1].seq if more else None
        )

    def change(self, wanted: str) -> Change:
        found = self.store.get(wanted)
        if found is None:
            raise UnknownChangeError(change=wanted)
        undone = self._undone(self.store.changes())
        return found.model_copy(update={"undone_by": undone.get(found.id)})

    @staticmethod
    def _undone(changes: Sequence[Change]) -> dict[str, str]:
        return {c.undoes: c.id for c in changes if c.op == "undo" and c.undoes}

    # -- recording ---------------------------------------------------------------------
    def _record(
        self,
        op: Op,
        who: str,
        *,
        key: str | None = None,
        target: str | None = None,
        undoes: str | None = None,
    ) -> Change:
        for _ in range(MAX_CLAIMS):
            head = self.store.head()
            changes = self.store.changes()
            before = build_table(changes, head.version)
            draft = Change(
                id=change_id(head.version + 1),
                seq=head.version + 1,
                op=op,
                key=key,
                target=target,
                undoes=undoes,
                who=who,
                at=self.clock(),
            )
            if op == "undo":
                draft = self._check_undo(draft, changes)
            else:
                self._check(draft, before)
            after = build_table([*changes, draft], draft.seq)
            keys = changed_keys(before, after)
            record = draft.model_copy(
                update={"keys": keys, "values": touched_values(before, after, keys)}
            )
            if self.store.claim(head):
                self.store.create(record)
                self.queue.request_pass(record.id)
                logger.info(
                    "curation change recorded",
                    extra={"change": record.id, "op": op, "key": key, "target": target},
                )
                return record
        raise CurationConflictError(
            "other changes were being recorded at the same time; try again", key=key
        )

    def _check(self, draft: Change, table: CurationTable) -> None:
        assert draft.key is not None
        if draft.op == "rename" and draft.target == draft.key:
            raise CurationConflictError(f"{draft.key} has that name already", key=draft.key)
        check_change(table, draft.op, draft.key, draft.target)
        # A rename's new name may be new; a merge joins two values that exist.
        wanted = [draft.key, draft.target] if draft.op == "merge" and draft.target else [draft.key]
        known = self._carried(wanted) | set(table.groups)
        for key in wanted:
            if key not in known:
                raise UnknownKeyError(key=key)

    def _check_undo(self, draft: Change, changes: Sequence[Change]) -> Change:
        by_id = {c.id: c for c in changes}
        undone = by_id.get(draft.undoes or "")
        if undone is None:
            raise UnknownChangeError(change=draft.undoes or "")
        if undone.op == "undo":
            raise CurationConflictError(
                f"{undone.id} is an undo; record {undone.undoes}'s change again instead",
                change=undone.id,
            )
        earlier = self._undone(changes).get(undone.id)
        if earlier is not None:
            raise CurationConflictError(
                f"{undone.id} is undone already ({earlier})", change=earlier
            )
        # The undo names what it undoes, so the log reads on its own.
        return draft.model_copy(update={"key": undone.key, "target": undone.target})

    def _carried(self, keys: Sequence[str]) -> set[str]:
        """Which keys some stored entry carries (as tagged, or filed under), in one request."""
        body: dict[str, Any] = {
            "size": 0,
            "track_total_hits": False,
            "aggs": {
                f"k{i}": {
                    "filter": {
                        "bool": {
                            "should": [
                                {"term": {"tagged_entities": key}},
                                {"term": {"entities": key}},
                            ]
                        }
                    }
                }
                for i, key in enumerate(keys)
            },
        }
        with write_side_errors(self.entries_alias, "entity key lookup"):
            aggs = self.client.search(index=self.entries_alias, body=body)["aggregations"]
        return {key for i, key in enumerate(keys) if aggs[f"k{i}"]["doc_count"] > 0}
