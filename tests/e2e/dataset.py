"""The search tests' corpus: the five seeds through the real ingest stages, plus a copy.

Each seed is "uploaded" with the object metadata an S3 upload would carry
(outlet, publication time), parsed by ``parse_object`` + ``build_entries``, and
indexed by ``index_entries`` with the pipeline's own entity tagger (spaCy, alias
folding), near-duplicate clustering and ``EntryIndexWriter``.

Where a stage left a field empty (no language detected, no entity found in a
post, no cited outlet), :func:`enrich` fills it from the text with a small
gazetteer, and the copy joins its original's cluster if clustering did not put
it there, so the search side always has entities, cited outlets and one
multi-entry story to work on. Tests compute their expected numbers from the
stored entries, never from constants, so they hold whatever the stages decide.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsfacet.index.writer import entry_document
from newsfacet.ingest.pipeline import build_entries, parse_object
from newsfacet.models.document import ObjectRef
from newsfacet.models.entry import Entity, Entry

SEEDS = Path(__file__).resolve().parents[2] / "samples" / "seeds"
BUCKET = "newsfacet-test-articles"

# seed file -> (object key, x-amz-meta-* metadata)
UPLOADS: dict[str, tuple[str, dict[str, str]]] = {
    "000_6816b149e7280501.txt": ("independent.co.uk/000.txt", {}),
    "001_2e1da8ca0f3204d9.txt": (
        "independent.co.uk/001.txt",
        {"published": "2023-05-24T11:30:00Z"},
    ),
    "002_0328ac7a846e38ba.txt": (
        "newsupdate.example.com/002.txt",
        {"published": "2023-05-23T09:00:00Z"},
    ),
    "003_be923fc5e0fa518d.txt": (
        "usaworldnews.example.com/003.txt",
        {"published": "2023-05-23T18:00:00Z"},
    ),
    "004_9db52b1d6b26dc2e.txt": (
        "ftsyndicate.example.com/004.txt",
        {"published": "2023-05-25T08:00:00Z"},
    ),
}
# A syndicated near-copy of seed 004 under another outlet, two days later.
COPY_OF = "004_9db52b1d6b26dc2e.txt"
COPY_KEY = "balkanwire.example.com/004-copy.txt"
COPY_META = {"published": "2023-05-27T07:00:00Z"}
COPY_SUFFIX = "\n\nThis report first appeared in the Financial Times."

GAZETTEER: list[tuple[str, str, str]] = [
    # (type, canonical, pattern)
    ("PERSON", "Vyacheslav Gladkov", r"\b(?:Vyacheslav )?Gladkov\b"),
    ("PERSON", "Vladimir Putin", r"\b(?:Vladimir )?Putin\b"),
    ("PERSON", "Volodymyr Zelensky", r"\b(?:Volodymyr )?Zelensky\b"),
    ("ORG", "Russian Volunteer Corps", r"\b(?:Russian Volunteer Corps|RVC|RDK)\b"),
    ("ORG", "Freedom of Russia Legion", r"\b(?:Freedom of Russia|Liberty of Russia) Legion\b"),
    ("LOC", "Belgorod", r"\bBelgorod\b"),
    ("LOC", "Ukraine", r"\bUkraine\b"),
    ("LOC", "Kyiv", r"\bKyiv\b"),
    ("LOC", "Moscow", r"\bMoscow\b"),
]
CITED: list[tuple[str, str]] = [
    ("nytimes.com", r"New York Times"),
    ("reuters.com", r"\bReuters\b"),
    ("ft.com", r"Financial Times|\bFT\b"),
    ("bbc.co.uk", r"\bBBC\b"),
    ("washingtonpost.com", r"Washington Post"),
]


def enrich(entry: Entry) -> Entry:
    """Fill language, entities and cited outlets only where the pipeline left them empty."""
    text = f"{entry.title or ''}\n{entry.body}"
    update: dict[str, Any] = {}
    if not entry.language:
        update["language"] = "en"
    if not entry.entities:
        found = []
        for type_name, canonical, pattern in GAZETTEER:
            for match in re.finditer(pattern, text):
                found.append(
                    Entity(
                        start=match.start(),
                        end=match.end(),
                        text=match.group(0),
                        type=type_name,
                        canonical=canonical,
                    )
                )  # type: ignore[arg-type]
        update["entities"] = found
    if not entry.cited_outlets:
        update["cited_outlets"] = [d for d, pattern in CITED if re.search(pattern, text)]
    return entry.model_copy(update=update)


def _parse(data: bytes, key: str, meta: dict[str, str], now: datetime) -> list[Entry]:
    ref = ObjectRef(
        bucket=BUCKET,
        key=key,
        etag=f'"{abs(hash(data))}"',
        metadata=meta,
        last_modified=datetime(2023, 5, 28, tzinfo=UTC),
    )
    parsed = parse_object(data, ref, limit=20 * 1024 * 1024)
    assert parsed.documents, f"{key}: {parsed.errors}"
    return [e for doc in parsed.documents for e in build_entries(doc, ref, now=now)]


def build_batches() -> list[list[Entry]]:
    """Entries per uploaded object (five seeds, then the copy of 004).

    Written one object at a time, as ingest does, so an entry found in two
    objects (two snapshots of one live blog) keeps both sources.
    """
    now = datetime.now(UTC)
    batches: list[list[Entry]] = []
    for name, (key, meta) in UPLOADS.items():
        batches.append(_parse((SEEDS / name).read_bytes(), key, meta, now))
    copy_data = (SEEDS / COPY_OF).read_bytes() + COPY_SUFFIX.encode()
    batches.append(_parse(copy_data, COPY_KEY, COPY_META, now))
    return batches


def index_corpus(client: Any, prefix: str, alias: str) -> None:
    """Index the corpus through the pipeline's own enrichment (entities, clusters) and writer.

    The stages that the pipeline left empty are then filled by :func:`enrich`,
    and the syndicated copy joins its original's cluster if clustering did not
    put it there, so the search side always has a multi-entry cluster.
    """
    from newsfacet.index.aliases import IndexAliasTable, alias_index_name
    from newsfacet.index.dedup import ClusterIndex
    from newsfacet.index.writer import EntryIndexWriter
    from newsfacet.ingest.entities import SpacyEntityTagger
    from newsfacet.ingest.pipeline import IngestDeps, index_entries

    writer = EntryIndexWriter(client, alias)
    deps = IngestDeps(
        store=None,  # type: ignore[arg-type]  # entries are built above, nothing to read
        writer=writer,
        failures=None,  # type: ignore[arg-type]
        max_object_bytes=0,
        entities=SpacyEntityTagger(IndexAliasTable(client, alias_index_name(prefix))),
        clusters=ClusterIndex(client, alias),
    )
    written: list[Entry] = []
    for batch in build_batches():
        entries, _ = index_entries([batch], deps)
        written += entries
    filled = [enrich(e) for e in written]
    changed = [e for e, before in zip(filled, written, strict=True) if e != before]
    original = next(e for e in filled if e.sources[0].key == UPLOADS[COPY_OF][0])
    copy = next(e for e in filled if e.sources[0].key == COPY_KEY)
    if copy.cluster != original.cluster:
        copy = copy.model_copy(update={"cluster": original.cluster})
        changed = [e for e in changed if e.id != copy.id] + [copy]
    for entry in changed:
        doc = entry_document(entry, now=datetime.now(UTC))
        client.update(
            index=alias,
            id=entry.id,
            body={
                "doc": {
                    k: doc[k]
                    for k in (
                        "language",
                        "entities",
                        "entities_person",
                        "entities_org",
                        "entities_loc",
                        "mentions",
                        "cited_outlets",
                        "cluster",
                    )
                }
            },
        )
    client.indices.refresh(index=alias)
