"""The search tests' corpus: the five seeds through the real ingest service, plus a copy.

Each seed is uploaded (to moto's S3) with the object metadata an upload would
carry (outlet in the key, publication time), and ingested one object at a time
by the ingest service as the function builds it: its parsing, entity tagging
(spaCy, alias folding), near-duplicate clustering and bulk writer.

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

from newsfacet.index.dedup import count_clusters, propagate_summaries
from newsfacet.index.entries import entry_document
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


def _ingest_objects(client: Any, prefix: str) -> None:
    """Upload the seeds and the copy to moto's S3 and ingest them one object at a time."""
    import boto3
    from moto import mock_aws

    from newsfacet.config import IndexNames
    from newsfacet.index.entries import EntryIndex
    from newsfacet.index.learned import LearnedIndex
    from newsfacet.ingest.reports import IngestConfig
    from newsfacet.ingest.service import IngestService
    from newsfacet.storage import S3ObjectStore

    objects = [((SEEDS / name).read_bytes(), key, meta) for name, (key, meta) in UPLOADS.items()]
    copy_data = (SEEDS / COPY_OF).read_bytes() + COPY_SUFFIX.encode()
    objects.append((copy_data, COPY_KEY, COPY_META))
    names = IndexNames(prefix)
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        service = IngestService(
            store=S3ObjectStore(s3),
            learned=LearnedIndex(client, lines_index=names.lines, aliases_index=names.aliases),
            entries=EntryIndex(client, names),
            config=IngestConfig(max_object_bytes=20 * 1024 * 1024),
        )
        for data, key, meta in objects:
            s3.put_object(Bucket=BUCKET, Key=key, Body=data, Metadata=meta)
            (report,) = service.ingest([ObjectRef(bucket=BUCKET, key=key)])
            assert report.status == "indexed", (key, report.errors, report.retry)


def stored_entries(client: Any, alias: str) -> list[Entry]:
    """The corpus as stored, read back into entries (entities from their mentions)."""
    client.indices.refresh(index=alias)
    hits = client.search(index=alias, body={"size": 1000, "query": {"match_all": {}}})
    fields = set(Entry.model_fields) - {"entities"}
    return [
        Entry(
            **{k: v for k, v in hit["_source"].items() if k in fields},
            entities=[Entity(**m) for m in hit["_source"].get("mentions") or ()],
        )
        for hit in hits["hits"]["hits"]
    ]


def index_corpus(client: Any, prefix: str, alias: str) -> None:
    """Index the corpus through the ingest service, then fill what the stages left empty.

    The stages that the pipeline left empty are filled by :func:`enrich`, and
    the syndicated copy joins its original's cluster if clustering did not put
    it there, so the search side always has a multi-entry cluster.
    """
    _ingest_objects(client, prefix)
    written = stored_entries(client, alias)
    filled = [enrich(e) for e in written]
    changed = [e for e, before in zip(filled, written, strict=True) if e != before]
    original = next(e for e in filled if any(s.key == UPLOADS[COPY_OF][0] for s in e.sources))
    copy = next(e for e in filled if any(s.key == COPY_KEY for s in e.sources))
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
                        "cluster_hash",
                    )
                }
            },
        )
    client.indices.refresh(index=alias)
    # The copy's story, counted again as ingest would have kept it on its members.
    counted = count_clusters(client, alias, [original.cluster])
    propagate_summaries(client, alias, counted)
    client.indices.refresh(index=alias)
