"""The entity chain after the model: named steps over one document's mentions, in order.

``model (+ alias matcher) -> filter -> datelines -> spans -> places -> document``

Each step is a pure function over texts and mentions (its own module); the
chain runs them in this order, and ``steps`` lets the NER benchmark measure
what each one adds. Canonical names are decided afterwards, by
:func:`newsfacet.ingest.canonical.fold_document`.
"""

from __future__ import annotations

from collections.abc import Sequence

from newsfacet.ingest.canonical import AliasBook
from newsfacet.ingest.consistency import harmonise_document
from newsfacet.ingest.datelines import apply_datelines
from newsfacet.ingest.mentions import Mention
from newsfacet.ingest.nonentities import drop_non_entities
from newsfacet.ingest.places import fix_place_types, load_gazetteer
from newsfacet.ingest.spans import tidy_spans

STEPS: tuple[str, ...] = ("filter", "datelines", "spans", "places", "document")


def refine_document(
    texts: Sequence[str],
    mentions: Sequence[Sequence[Mention]],
    book: AliasBook,
    *,
    steps: Sequence[str] = STEPS,
) -> list[list[Mention]]:
    """The mentions of one document's entries after the chosen steps of the chain.

    Args:
        texts: the text of each entry of the document.
        mentions: the model's (and alias matcher's) mentions for each text.
        book: the operator's alias file; names in it are never cut or dropped.
        steps: which steps to run (always in the order of :data:`STEPS`).

    Returns:
        Mentions per text, sorted by offset, each ``text`` equal to its slice.
    """
    unknown = set(steps) - set(STEPS)
    if unknown:
        raise ValueError(f"unknown entity chain steps {sorted(unknown)}; known: {STEPS}")
    gazetteer = load_gazetteer()
    groups = [list(g) for g in mentions]
    if "filter" in steps:
        groups = [drop_non_entities(t, g, book) for t, g in zip(texts, groups, strict=True)]
    if "datelines" in steps:
        groups = [apply_datelines(t, g, gazetteer) for t, g in zip(texts, groups, strict=True)]
    if "spans" in steps:
        groups = [tidy_spans(t, g, book, gazetteer) for t, g in zip(texts, groups, strict=True)]
        if "filter" in steps:  # a cut can leave a non-entity ("Air Force" is fine, "Videos" not)
            groups = [drop_non_entities(t, g, book) for t, g in zip(texts, groups, strict=True)]
    if "places" in steps:
        people = frozenset(
            word
            for group in groups
            for m in group
            if m.type == "PERSON" and " " in m.text
            for word in m.text.split()
        )
        groups = [
            fix_place_types(t, g, gazetteer, people) for t, g in zip(texts, groups, strict=True)
        ]
    if "document" in steps:
        groups = harmonise_document(texts, groups)
    return groups
