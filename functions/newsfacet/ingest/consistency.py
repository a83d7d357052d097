"""Document-level consistency: one name, one type, found wherever it is written.

The model decides sentence by sentence, so one article can call an unknown
company ORG in one place and PERSON in the next, find "Tridents" once and miss
it twice, or find "Li Qiang" and miss "Mr Li". Across all entries of one
document: each name takes the type most of its mentions have; every other
occurrence of a name already found becomes a mention too; and a surname of a
person, or the short form of a company ("Microsoft" of "Microsoft Corp"),
is that person or company wherever it stands alone.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from newsfacet.ingest.canonical import FUNCTION_WORDS, fold_key
from newsfacet.ingest.mentions import Mention
from newsfacet.models.entry import EntityType

_CORPORATE = re.compile(
    r",?\s+(?:Corp|Corporation|Inc|Incorporated|LLC|Ltd|Limited|Co|Company|PLC|plc|AG|SA|"
    r"Group|Holdings|Global)\.?(?:,?\s+(?:Inc|Ltd|LLC)\.?)?$"
)
# A repeat next to one of these words is part of a longer name ("Washington Post").
_NAME_WORD = re.compile(r"[A-Z][\w'’.-]*")
# Capitalised words that may stand before a name without being part of it.
# Capitalised words that may stand before a name without being part of it.
# fmt: off
_OPENERS = FUNCTION_WORDS | {
    "Mr", "Mrs", "Ms", "Dr", "Sir", "President", "Governor", "Senator", "Rep.", "Prince",
    "Princess", "Minister", "General", "Judge", "Mayor", "Premier", "Chancellor",
    "Representative", "Congresswoman", "Congressman",
}
# fmt: on


def harmonise_document(
    texts: Sequence[str], groups: Sequence[Sequence[Mention]]
) -> list[list[Mention]]:
    """One type per name across the document's entries, and every occurrence of it tagged."""
    groups = _people_named_as_organisations(groups)
    types = _majority_types(groups)
    aliases = _short_forms(groups)
    out: list[list[Mention]] = []
    for text, group in zip(texts, groups, strict=True):
        mentions = [
            Mention(m.start, m.end, m.text, types.get(fold_key(m.text), m.type)) for m in group
        ]
        mentions = [_retype_short_form(m, aliases) for m in mentions]
        mentions.extend(_unfound_repeats(text, mentions, {**types, **aliases}))
        out.append(sorted(mentions, key=lambda m: m.start))
    return out


def _people_named_as_organisations(
    groups: Sequence[Sequence[Mention]],
) -> list[list[Mention]]:
    """'Nadia Mohamed' (ORG) is a person when 'Mohamed' alone is one in the same document."""
    surnames = {
        m.text for group in groups for m in group if m.type == "PERSON" and " " not in m.text
    }
    out = []
    for group in groups:
        fixed = []
        for m in group:
            words = m.text.split()
            if (
                m.type != "PERSON"
                and 2 <= len(words) <= 3
                and words[-1] in surnames
                and all(w[:1].isupper() and w.isalpha() for w in words)
            ):
                m = Mention(m.start, m.end, m.text, "PERSON")
            fixed.append(m)
        out.append(fixed)
    return out


def _majority_types(groups: Sequence[Sequence[Mention]]) -> dict[str, EntityType]:
    votes: dict[str, Counter[EntityType]] = {}
    for group in groups:
        for m in group:
            votes.setdefault(fold_key(m.text), Counter())[m.type] += 1
    # a tie keeps what each mention has
    return {
        key: counts.most_common(1)[0][0]
        for key, counts in votes.items()
        if len(counts) == 1 or counts.most_common(2)[0][1] > counts.most_common(2)[1][1]
    }


def _short_forms(groups: Sequence[Sequence[Mention]]) -> dict[str, EntityType]:
    """Surnames of people and short names of companies named in full, when unambiguous."""
    owners: dict[str, set[tuple[str, EntityType]]] = {}
    for group in groups:
        for m in group:
            words = m.text.split()
            if m.type == "PERSON" and len(words) >= 2 and words[-1][:1].isupper():
                owners.setdefault(words[-1], set()).add((m.text, "PERSON"))
            elif m.type == "ORG":
                short = _CORPORATE.sub("", m.text)
                if short != m.text and short[:1].isupper():
                    owners.setdefault(short, set()).add((m.text, "ORG"))
    return {
        fold_key(form): next(iter(found))[1]
        for form, found in owners.items()
        if len({t for _, t in found}) == 1 and len(form) > 2
    }


def _retype_short_form(m: Mention, aliases: dict[str, EntityType]) -> Mention:
    key = fold_key(m.text)
    if " " not in key and key in aliases and m.type != aliases[key]:
        return Mention(m.start, m.end, m.text, aliases[key])
    return m


def _unfound_repeats(
    text: str, mentions: Sequence[Mention], types: dict[str, EntityType]
) -> list[Mention]:
    """Whole-word occurrences of found names (and short forms) that no mention covers."""
    exact = {m.text for m in mentions if len(m.text) >= 3}
    # short forms are folded keys: any capitalised spelling of them counts
    folded = {key for key in types if " " not in key and len(key) >= 3}
    if not exact and not folded:
        return []
    alternatives = sorted(exact | folded, key=len, reverse=True)
    pattern = re.compile(
        r"(?<![\w@#-])(?:" + "|".join(map(re.escape, alternatives)) + r")(?![\w-])",
        re.IGNORECASE,
    )  # one pass over the text: a pattern per name cost more than the model's own work
    added: list[Mention] = []
    taken = [(m.start, m.end) for m in mentions]
    for hit in pattern.finditer(text):
        start, end = hit.span()
        surface = hit.group()
        if surface not in exact and fold_key(surface) not in folded:
            continue
        if not surface[:1].isupper() or any(s < end and start < e for s, e in taken):
            continue
        if _inside_longer_name(text, start, end):
            continue
        entity_type = types.get(fold_key(surface))
        if entity_type is None:
            continue
        added.append(Mention(start, end, surface, entity_type))
        taken.append((start, end))
    return added


def _inside_longer_name(text: str, start: int, end: int) -> bool:
    after = re.match(r"[ ]([A-Z][\w'’.-]*)", text[end:])
    if after is not None:
        return True
    before = re.search(r"([A-Z][\w'’.-]*)[ ]$", text[:start])
    if before is None or before.group(1) in _OPENERS:
        return False
    # a capitalised word right after a sentence end starts the sentence, not a name
    return not re.search(r"[.!?:;\"“”]\s*[A-Z][\w'’.-]*[ ]$", text[:start])
