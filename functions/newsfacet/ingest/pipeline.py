"""The ingest stages in order, as pure functions: no client, no I/O, no clock.

    decode -> detect format -> extract -> metadata   :func:`open_object`
    clean -> split -> language                        :func:`finish_article`
    entries (ids, sources, cited outlets)             :func:`prepare_unit`
    entities, curation                                :func:`tag_unit`
    surnames known across documents                   :func:`resolve_unit_surnames`
    fingerprints                                      :func:`sign_unit`

Everything a stage needs from outside (the outlet's learned template lines,
the alias table, the curation table, full names already indexed, the
object's S3 metadata, the time) comes in as data. The
ingest service (``ingest/service.py``) fetches that data for a whole batch
and runs these functions; ``newsfacet parse`` runs the very same functions on
local files, so it prints what ingest would index.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from newsfacet.errors import InputError, NoContentError, ProcessingError
from newsfacet.ingest.canonical import AliasEntry
from newsfacet.ingest.clean import clean_article
from newsfacet.ingest.entities import tag_documents
from newsfacet.ingest.entries import build_entries, merge_entries
from newsfacet.ingest.extract import extract_article
from newsfacet.ingest.formats import read_articles
from newsfacet.ingest.language import choose_language
from newsfacet.ingest.liveblog import EMPTY_WARNING, split_article
from newsfacet.ingest.metadata import decide_metadata
from newsfacet.ingest.minhash import sign_entry
from newsfacet.ingest.surnames import (
    SurnameLookup,
    known_names,
    lone_surnames,
    plan_lookups,
    resolve_known_surnames,
)
from newsfacet.ingest.template_lines import LineTally
from newsfacet.models.article import Article
from newsfacet.models.curation_table import EMPTY as EMPTY_CURATION
from newsfacet.models.curation_table import CurationTable
from newsfacet.models.document import ObjectRef
from newsfacet.models.entry import Entity, Entry


def open_object(data: bytes, ref: ObjectRef, *, limit: int) -> Iterator[Article | InputError]:
    """Decode, detect the format, extract and decide metadata, one article at a time.

    A JSON Lines object of many thousand articles is never held parsed all at
    once. A bad article yields its error and the rest go on. Articles before
    ``ref.start`` (a later part of a large object) are skipped before extraction.

    Raises:
        InputError: the object as a whole is unusable (empty, binary, corrupt gzip...).
    """
    fmt, items = read_articles(data, key=ref.key, limit=limit)
    for item in items:
        position = item.data.get("position") if isinstance(item, InputError) else item.position
        if ref.start and isinstance(position, int) and position < ref.start:
            continue  # an earlier part of a large object (ObjectRef.start)
        if isinstance(item, InputError):
            yield item
            continue
        try:
            yield decide_metadata(extract_article(item, ref, fmt=fmt))
        except InputError as error:
            yield error
        except Exception as exc:  # noqa: BLE001 - recorded as this article's failure, not lost
            yield ProcessingError(
                key=ref.key, stage="extract", exception=exc, position=item.position
            )


def finish_article(article: Article, template: set[str] | frozenset[str] = frozenset()) -> Article:
    """Clean (with the outlet's learned template lines), split, and detect the language."""
    article = split_article(clean_article(article, template))
    return replace(article, language=choose_language(article.claims.language, article.text))


@dataclass
class Unit:
    """The articles of one unit of work, turned into entries.

    ``documents`` holds each article's entries (an entry two articles share sits
    in both, so names fold inside each); ``entries`` each id once, listing every
    object it came from.
    """

    articles: list[Article] = field(default_factory=list)
    documents: list[list[Entry]] = field(default_factory=list)
    entries: dict[str, Entry] = field(default_factory=dict)
    # Articles that left nothing to index, with the reason.
    rejected: list[tuple[Article, InputError]] = field(default_factory=list)
    # Acronyms the unit's documents defined, for the alias table.
    learned: dict[str, AliasEntry] = field(default_factory=dict)


def prepare_unit(articles: Sequence[Article], tally: LineTally, *, now: datetime) -> Unit:
    """Finish each article in order (each sees the template counts of those before it).

    Args:
        articles: records after :func:`open_object`, in batch order.
        tally: the stored template-line counts; the unit's articles are counted in.
        now: when ingest saw the objects (each source's first and last seen).
    """
    unit = Unit()
    for article in articles:
        try:
            finished = finish_article(article, tally.template(article))
            entries = build_entries(finished, now=now)
        except Exception as exc:  # noqa: BLE001 - recorded as this article's failure, not lost
            failure = ProcessingError(
                key=article.ref.key, stage="clean", exception=exc, position=article.position
            )
            unit.rejected.append((article, failure))
            continue
        if not entries:
            reason = EMPTY_WARNING if not finished.entries else "too little text to index"
            error = NoContentError(key=article.ref.key, reason=reason, position=article.position)
            unit.rejected.append((finished, error))
            continue
        unit.articles.append(finished)
        unit.documents.append(entries)
    unit.entries = merge_entries(unit.documents)
    return unit


def tag_unit(
    unit: Unit,
    *,
    known: Mapping[str, AliasEntry],
    reuse: Mapping[str, Sequence[Entity]] | None = None,
    curation: CurationTable = EMPTY_CURATION,
) -> Unit:
    """Entities for every entry of the unit (stored ones reused), and the acronyms learned.

    The operator's curation comes last: each entry keeps the tagger's entities
    and is filed under their keys read through ``curation``.
    """
    tagging = tag_documents(unit.documents, known=known, reuse=reuse)
    return _with_entries(
        unit,
        {
            i: curate_entry(e.model_copy(update={"entities": tagging.entities[i]}), curation)
            for i, e in unit.entries.items()
        },
        learned=tagging.learned,
    )


def curate_entry(entry: Entry, curation: CurationTable) -> Entry:
    """The entry filed under its tagged keys as the curation table reads them."""
    return entry.model_copy(update={"entity_keys": curation.curate(entry.tagged_keys)})


def plan_surname_lookups(unit: Unit, *, skip: Collection[str] = ()) -> list[SurnameLookup]:
    """The index lookups the unit's lone surnames need (entries in ``skip`` are stored already)."""
    return plan_lookups(e for i, e in unit.entries.items() if i not in skip)


def resolve_unit_surnames(
    unit: Unit,
    lookups: Sequence[SurnameLookup],
    found: Sequence[Sequence[str]],
    *,
    curation: CurationTable = EMPTY_CURATION,
    skip: Collection[str] = (),
) -> Unit:
    """Lone surnames of new entries as the one full name the outlet knows, then curated again.

    Args:
        lookups: from :func:`plan_surname_lookups`.
        found: the full names the index holds for each lookup, in order.
        skip: ids of entries stored already (their entities are not rewritten).
    """
    batch = list(unit.entries.values())
    entries = dict(unit.entries)
    for entry_id, entry in unit.entries.items():
        if entry_id in skip or not lone_surnames(entry.entities):
            continue
        names = known_names(entry, lookups, found, batch)
        resolved = resolve_known_surnames(entry.entities, names)
        if resolved != entry.entities:
            entries[entry_id] = curate_entry(
                entry.model_copy(update={"entities": resolved}), curation
            )
    return _with_entries(unit, entries)


def sign_unit(unit: Unit) -> Unit:
    """MinHash values and LSH band keys on every entry (none for very short texts)."""
    return _with_entries(unit, {i: sign_entry(e) for i, e in unit.entries.items()})


def _with_entries(
    unit: Unit, entries: dict[str, Entry], learned: dict[str, AliasEntry] | None = None
) -> Unit:
    documents = [[entries[e.id] for e in group] for group in unit.documents]
    return replace(
        unit,
        entries=entries,
        documents=documents,
        learned=unit.learned if learned is None else learned,
    )


def isolate(
    stage: str, unit: Unit, step: Callable[[Unit], Unit]
) -> tuple[Unit, list[tuple[Article, InputError]]]:
    """Run a whole-unit step; if it raises, find the articles it fails on and run it without them.

    Entity tagging and signing run over the whole unit at once (one ``nlp.pipe``),
    so one pathological article would fail every object of the batch. On an
    exception each article is tried alone; those that fail are returned as
    ``processing_failed`` and the step runs again on the others. When no
    single article fails alone, every article of the unit is failed.

    Returns:
        The unit after the step, and the articles taken out with their errors.
    """
    try:
        return step(unit), []
    except Exception as exc:  # noqa: BLE001 - narrowed to the articles it comes from below
        whole = exc
    failed: dict[int, BaseException] = {}
    for i in range(len(unit.articles)):
        try:
            step(_only(unit, [i]))
        except Exception as exc:  # noqa: BLE001 - this article's failure, recorded
            failed[i] = exc
    if not failed:
        failed = dict.fromkeys(range(len(unit.articles)), whole)
    errors: list[tuple[Article, InputError]] = [
        (
            unit.articles[i],
            ProcessingError(
                key=unit.articles[i].ref.key,
                stage=stage,
                exception=exc,
                position=unit.articles[i].position,
            ),
        )
        for i, exc in failed.items()
    ]
    rest = _only(unit, [i for i in range(len(unit.articles)) if i not in failed])
    return (step(rest) if rest.articles else rest), errors


def _only(unit: Unit, keep: Sequence[int]) -> Unit:
    """The unit with only the articles (and their entries) at positions ``keep``."""
    documents = [unit.documents[i] for i in keep]
    return replace(
        unit,
        articles=[unit.articles[i] for i in keep],
        documents=documents,
        entries={e.id: unit.entries[e.id] for group in documents for e in group},
    )
