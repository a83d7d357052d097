"""``newsfacet parse`` and ``newsfacet entities``: the ingest stages on local files, offline.

``parse`` runs the functions the ingest service runs (``ingest/pipeline.py``),
in the same order, on files instead of S3 objects: all files given are one
batch, so a document sees the template counts of the files before it exactly
as it would in one SQS batch. With the same learned data (none by default;
``--learned stack`` reads the running local stack's) it prints the entries
ingest would store, each with its id and entity keys.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsfacet.errors import InputError, NoContentError, ObjectTooLargeError, ProcessingError
from newsfacet.ingest.canonical import AliasEntry
from newsfacet.ingest.pipeline import (
    Unit,
    open_object,
    plan_surname_lookups,
    prepare_unit,
    resolve_unit_surnames,
    tag_unit,
)
from newsfacet.ingest.surnames import SurnameLookup
from newsfacet.ingest.template_lines import LineCount, LineKey, LineTally, line_keys
from newsfacet.models.article import Article
from newsfacet.models.curation_table import EMPTY as EMPTY_CURATION
from newsfacet.models.curation_table import CurationTable
from newsfacet.models.document import ObjectRef
from newsfacet.models.entry import Entry

# Articles per unit, as in the ingest service: a large JSON Lines file streams through.
UNIT_ARTICLES = 200


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")


@dataclass(frozen=True)
class Learned:
    """What earlier ingests (and the operator) taught: none offline, or the local stack's."""

    aliases: Mapping[str, AliasEntry]
    line_counts: Callable[[set[LineKey]], dict[LineKey, LineCount]] | None = None
    curation: CurationTable = EMPTY_CURATION
    # Full names stored per outlet and window, for lone surnames (PeopleStore.full_names).
    full_names: Callable[[Sequence[SurnameLookup]], list[list[str]]] | None = None


def expand_paths(paths: Sequence[str]) -> list[str]:
    """Files named on the command line; a folder stands for the files under it."""
    names: list[str] = []
    for name in paths:
        path = Path(name)
        if name != "-" and path.is_dir():
            names += [str(p) for p in sorted(path.rglob("*")) if p.is_file()]
        else:
            names.append(name)
    return names


def read_input(name: str, limit: int) -> bytes:
    """A file's bytes (``-``: stdin), refusing more than ``limit`` before reading them all."""
    if name == "-":
        data = sys.stdin.buffer.read(limit + 1)
    else:
        size = Path(name).stat().st_size
        if size > limit:
            raise ObjectTooLargeError(key=name, size=size, limit=limit)
        data = Path(name).read_bytes()
    if len(data) > limit:
        raise ObjectTooLargeError(key=name, size=len(data), limit=limit)
    return data


def entry_row(entry: Entry) -> dict[str, Any]:
    return {
        "id": entry.id,
        **entry.model_dump(
            mode="json",
            include={"title", "published", "published_source", "authors", "cited_outlets"},
        ),
        "text": entry.body,
        # What ingest files it under: the tagger's keys read through the curation table.
        "entities": entry.filed_keys,
    }


def article_row(article: Article, entries: list[Entry], *, explain: bool) -> dict[str, Any]:
    meta = article.meta
    row: dict[str, Any] = {
        "file": article.ref.key,
        "title": meta.title,
        "url": meta.url,
        "outlet": meta.outlet,
        "outlet_name": meta.outlet_name,
        "published": meta.published.isoformat() if meta.published else None,
        "published_source": meta.published_source,
        "language": article.language,
        "authors": list(meta.authors),
        "text": "\n\n".join(e.body for e in entries),
        "entries": [entry_row(e) for e in entries],
        "warnings": list(article.warnings),
    }
    if explain:
        row["removed"] = [{"rule": r.rule, "line": r.line} for r in article.removed]
    return row


class Parser:
    """Files in, one JSON line per article out (errors as ``{"file", "error", ...}`` lines)."""

    def __init__(
        self, learned: Learned, *, limit: int, min_docs: int, entities: bool, explain: bool
    ) -> None:
        self.learned = learned
        self.limit = limit
        self.entities = entities
        self.explain = explain
        self.tally = LineTally({}, min_docs)
        self.failed = False
        # The unit's output in input order: an error row, or an article's (file, position).
        self._slots: list[dict[str, Any] | tuple[str, int]] = []

    def run(self, names: Sequence[str], metadata: dict[str, str]) -> None:
        unit: list[Article] = []
        for article in self._articles(names, metadata):
            unit.append(article)
            if len(unit) >= UNIT_ARTICLES:
                self._emit(unit)
                unit = []
        if unit or self._slots:
            self._emit(unit)

    def _articles(self, names: Sequence[str], metadata: dict[str, str]) -> Iterator[Article]:
        for name in names:
            ref = ObjectRef(bucket="local", key=name, metadata=metadata)
            found = 0
            try:
                data = read_input(name, self.limit)
                for item in open_object(data, ref, limit=self.limit):
                    found += 1
                    if isinstance(item, InputError):
                        self._error(name, item)
                    else:
                        self._slots.append((name, item.position))
                        yield item
                if not found:
                    raise NoContentError(key=name)
            except InputError as error:
                self._error(name, error)
            except OSError as exc:
                if isinstance(exc, BrokenPipeError):
                    raise
                message = f"{name}: {exc.strerror}"
                self._slots.append({"file": name, "error": "unreadable", "message": message})
                self.failed = True
            except Exception as exc:  # noqa: BLE001 - the service records these too
                self._error(name, ProcessingError(key=name, stage="decode", exception=exc))

    def _emit(self, articles: list[Article]) -> None:
        from datetime import UTC, datetime

        if self.learned.line_counts is not None:
            # As the service does per unit; counts of the run's own files stay in the tally.
            for key, count in self.learned.line_counts(line_keys(articles)).items():
                self.tally.stored.setdefault(key, count)
        unit: Unit = prepare_unit(articles, self.tally, now=datetime.now(UTC))
        if self.entities and unit.entries:
            learned = self.learned
            unit = tag_unit(unit, known=learned.aliases, curation=learned.curation)
            lookups = plan_surname_lookups(unit)
            if lookups:
                found = learned.full_names(lookups) if learned.full_names else [[] for _ in lookups]
                unit = resolve_unit_surnames(unit, lookups, found, curation=learned.curation)
        rows: dict[tuple[str, int], dict[str, Any]] = {}
        for article, error in unit.rejected:
            rows[(article.ref.key, article.position)] = {"file": article.ref.key, **error.to_dict()}
            self.failed = True
        for article, entries in zip(unit.articles, unit.documents, strict=True):
            rows[(article.ref.key, article.position)] = article_row(
                article, entries, explain=self.explain
            )
        for slot in self._slots:
            print_json(slot if isinstance(slot, dict) else rows.pop(slot))
        self._slots = []

    def _error(self, name: str, error: InputError) -> None:
        self._slots.append({"file": name, **error.to_dict()})
        self.failed = True


def stack_learned(state_dir: Path) -> Learned:
    """The learned data and curation table of the running local stack (read only)."""
    from newsfacet.config import Settings
    from newsfacet.curation.store import CurationIndex
    from newsfacet.index.client import build_client
    from newsfacet.index.learned import LearnedIndex
    from newsfacet.index.people import KnownPeople
    from newsfacet_cli.local.stack import LocalStack, repo_root

    info = LocalStack(repo_root(), state_dir=state_dir).info()
    settings = Settings(opensearch_url=info.opensearch_url, index_prefix=info.index_prefix)
    client = build_client(settings)
    names = settings.index_names
    index = LearnedIndex(client, lines_index=names.lines, aliases_index=names.aliases)
    return Learned(
        aliases=index.aliases(),
        line_counts=index.line_counts,
        curation=CurationIndex(client, names.curation).load_table(),
        full_names=KnownPeople(client, names.entries).full_names,
    )


def stop_quietly_on_broken_pipe() -> int:
    """The reader went away (``| head``): stop quietly, as Unix tools do."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 141


def cmd_parse(args: Any) -> int:
    """``newsfacet parse``: print what ingest would index for local files."""
    from newsfacet.ingest.language import use_model_cache

    if args.model_cache != "none":
        use_model_cache(Path(args.model_cache).expanduser())
    learned = Learned(aliases={})
    if args.learned == "stack":
        from newsfacet_cli.local.stack import state_dir

        learned = stack_learned(state_dir())
    metadata = {k: v for k, v in (("url", args.url), ("outlet", args.outlet)) if v}
    parser = Parser(
        learned,
        limit=args.max_bytes,
        min_docs=args.min_docs,
        entities=not args.no_entities,
        explain=args.explain,
    )
    try:
        parser.run(expand_paths(args.paths), metadata)
    except BrokenPipeError:
        return stop_quietly_on_broken_pipe()
    return 1 if parser.failed else 0


def cmd_entities(args: Any) -> int:
    """JSON lines {"id", "text"} in, {"id", "entities": [...]} out, in batches."""
    from newsfacet.ingest.entities import tag_texts

    status = 0
    batch: list[tuple[Any, str]] = []

    def flush() -> None:
        tagged = tag_texts([text for _, text in batch], with_aliases=not args.raw)
        for (item_id, _), entities in zip(batch, tagged, strict=True):
            print_json({"id": item_id, "entities": [e.model_dump() for e in entities]})
        batch.clear()

    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise ValueError('expected an object with a string "text"')
        except ValueError as exc:
            # One bad line does not stop the rest; the error names the line.
            sys.stderr.write(f"line {number}: {exc}\n")
            status = 1
            continue
        batch.append((item.get("id"), item["text"]))
        if len(batch) >= args.batch_size:
            flush()
    if batch:
        flush()
    return status
