"""The search tests' corpus: the five seeds through the real parse path, plus one syndicated copy.

Each seed is "uploaded" with the object metadata an S3 upload would carry
(outlet, publication time) and parsed by ``parse_object`` + ``build_entries``,
then written by the real ``EntryIndexWriter``.

Stages of other issues (language detection, entity tagging, cited outlets,
near-duplicate clustering) may or may not be on this branch. Where the
pipeline left a field empty, :func:`enrich` fills it from the text with a small
gazetteer, so the search side always has entities, cited outlets and one
multi-entry cluster to work on. Fields the pipeline filled are kept as they are,
and tests compute their expected numbers from the stored entries, never from
constants, so they hold either way.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
    """Entries per uploaded object (five seeds, then the copy, which joins 004's cluster).

    Written one object at a time, as ingest does, so an entry found in two
    objects (two snapshots of one live blog) keeps both sources.
    """
    now = datetime.now(UTC)
    batches: list[list[Entry]] = []
    for name, (key, meta) in UPLOADS.items():
        batches.append([enrich(e) for e in _parse((SEEDS / name).read_bytes(), key, meta, now)])
    original = batches[list(UPLOADS).index(COPY_OF)]
    copy_data = (SEEDS / COPY_OF).read_bytes() + COPY_SUFFIX.encode()
    copies = _parse(copy_data, COPY_KEY, COPY_META, now)
    # A near-duplicate shares its original's cluster: issue 4's clustering does
    # this at index time; keep whatever it chose when it did.
    if original and copies and copies[0].cluster == copies[0].id:
        copies = [c.model_copy(update={"cluster": original[0].cluster}) for c in copies]
    batches.append([enrich(c) for c in copies])
    return batches
