"""What earlier ingests taught, kept in OpenSearch: template-line counts and entity aliases.

``<prefix>-lines`` holds one document per (outlet, line hash): how many
documents of that outlet carried the line and, up to a cap, which (so a
re-delivered document never counts twice). ``<prefix>-entities`` holds one
document per learned alias ("SLN" -> Some Long Name); the first document to
define an alias wins (``create``), so concurrent workers cannot flip a
canonical name. The operator's alias file (``data/aliases.json``) wins over
both.

Reads: :class:`LearnedIndex` (the ingest service's ``LearnedStore``). Writes:
:func:`line_actions` and :func:`alias_actions`, sent by the entry writer in the
batch's one bulk request.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from datetime import datetime
from typing import Any, Protocol

from opensearchpy import OpenSearch

from newsfacet.index.client import write_side_errors
from newsfacet.ingest.canonical import AliasEntry
from newsfacet.ingest.template_lines import LineCount, LineKey, LineObservation
from newsfacet.models.curation_table import EMPTY as EMPTY_CURATION
from newsfacet.models.curation_table import CurationTable
from newsfacet.models.entry import ENTITY_TYPES

# Past this many distinct documents a line is template for any sane threshold;
# the set stops growing so the stored document stays small.
MAX_TRACKED_DOCS = 64
# How long one process trusts its copy of the alias table (aliases learned by
# other workers show up after at most this long; its own at once).
ALIAS_TTL_S = 300.0
_ALIAS_PAGE = 5000

COUNT_DOCUMENT_SCRIPT = """
if (ctx._source.docs.contains(params.doc)) { ctx.op = 'noop'; return; }
if (ctx._source.docs.size() < params.cap) { ctx._source.docs.add(params.doc); }
ctx._source.doc_count += 1;
ctx._source.updated_at = params.now;
"""


def line_doc_id(outlet: str, line_hash: str) -> str:
    return hashlib.sha256(f"{outlet}\n{line_hash}".encode()).hexdigest()[:32]


def alias_doc_id(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def line_actions(
    observations: Collection[LineObservation], index: str, *, now: datetime
) -> Iterator[dict[str, Any]]:
    """Count each observed document once for each of its lines (scripted upserts)."""
    stamp = now.isoformat()
    for seen in observations:
        for line_hash in seen.hashes:
            yield {
                "_op_type": "update",
                "_index": index,
                "_id": line_doc_id(seen.outlet, line_hash),
                "retry_on_conflict": 5,
                "script": {
                    "lang": "painless",
                    "source": COUNT_DOCUMENT_SCRIPT,
                    "params": {"doc": seen.identity, "cap": MAX_TRACKED_DOCS, "now": stamp},
                },
                "upsert": {
                    "outlet": seen.outlet,
                    "line_hash": line_hash,
                    "docs": [seen.identity],
                    "doc_count": 1,
                    "updated_at": stamp,
                },
            }


def alias_actions(
    aliases: Mapping[str, AliasEntry], index: str, *, now: datetime
) -> Iterator[dict[str, Any]]:
    """Create-only writes: the first document to define an alias keeps it."""
    for key, entry in aliases.items():
        yield {
            "_op_type": "create",
            "_index": index,
            "_id": alias_doc_id(key),
            "_source": {
                "alias": key,
                "canonical": entry.canonical,
                "type": entry.type,
                "learned_at": now.isoformat(),
            },
        }


class _HeadIndex(Protocol):
    def head_doc(self) -> dict[str, Any]: ...


class CurationSource(Protocol):
    """The curation table's cache (``curation/store.py``: ``CurationCache``), as read here.

    Its head document rides along in the batch's one ``mget``; what that finds is handed
    back (``observe``), and the table is read again only when the head moved.
    """

    @property
    def index(self) -> _HeadIndex: ...

    def observe(self, doc: dict[str, Any] | None) -> None: ...

    def table(self) -> CurationTable: ...


class LearnedIndex:
    """The ingest service's view of learned data: one mget, cached alias and curation tables.

    The curation table (``curation``; none: no curation) is read again when
    its head moved: the batch's one ``mget`` of template lines carries the head.
    """

    def __init__(
        self,
        client: OpenSearch,
        *,
        lines_index: str,
        aliases_index: str,
        curation: CurationSource | None = None,
        ttl_s: float = ALIAS_TTL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.lines_index = lines_index
        self.aliases_index = aliases_index
        self.ttl_s = ttl_s
        self.clock = clock
        self._curation = curation
        self._aliases: dict[str, AliasEntry] | None = None
        self._loaded_at = 0.0

    def line_counts(self, keys: Collection[LineKey]) -> dict[LineKey, LineCount]:
        """Stored counts for every (outlet, line) asked, in one realtime ``mget``."""
        wanted = sorted(keys)
        if not wanted:
            return {}
        docs: list[dict[str, Any]] = [
            {"_id": line_doc_id(o, h), "_source": ["doc_count", "docs"]} for o, h in wanted
        ]
        if self._curation is not None:
            docs.append(self._curation.index.head_doc())  # rides along: no round trip of its own
        with write_side_errors(self.lines_index, "template line lookup"):
            response = self.client.mget(index=self.lines_index, body={"docs": docs})
        found = response.get("docs", [])
        if self._curation is not None and len(found) > len(wanted):
            self._curation.observe(found[len(wanted)])
        counts: dict[LineKey, LineCount] = {}
        for key, doc in zip(wanted, found, strict=False):
            source = doc.get("_source")
            if doc.get("found") and source:
                counts[key] = LineCount(
                    int(source.get("doc_count", 0)), frozenset(source.get("docs") or ())
                )
        return counts

    def aliases(self) -> Mapping[str, AliasEntry]:
        """The whole alias table, read once per ``ttl_s`` (a few thousand small documents)."""
        if self._aliases is None or self.clock() - self._loaded_at > self.ttl_s:
            self._aliases = self._load_aliases()
            self._loaded_at = self.clock()
        return self._aliases

    def curation(self) -> CurationTable:
        return self._curation.table() if self._curation is not None else EMPTY_CURATION

    def remember(self, aliases: Mapping[str, AliasEntry]) -> None:
        if self._aliases is not None:
            for key, entry in aliases.items():
                self._aliases.setdefault(key, entry)

    def _load_aliases(self) -> dict[str, AliasEntry]:
        table: dict[str, AliasEntry] = {}
        after: list[Any] | None = None
        while True:
            body: dict[str, Any] = {
                "size": _ALIAS_PAGE,
                "sort": [{"alias": "asc"}],
                "_source": ["alias", "canonical", "type"],
                "track_total_hits": False,
            }
            if after is not None:
                body["search_after"] = after
            with write_side_errors(self.aliases_index, "alias table read"):
                hits = self.client.search(index=self.aliases_index, body=body)["hits"]["hits"]
            for hit in hits:
                source = hit["_source"]
                if source.get("type") in ENTITY_TYPES:
                    table[source["alias"]] = AliasEntry(source["canonical"], source["type"])
            if len(hits) < _ALIAS_PAGE:
                return table
            after = hits[-1]["sort"]
