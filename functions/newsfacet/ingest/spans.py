"""Span tidying: cut a mention to the name, or into the names it holds.

The small model's spans absorb words around a name: a title ("Mr Li",
"Prince Harry"), a possessive country ("Ukraine’s Air Force", "Mexico’s
Sinaloa"), a descriptor ("Reuters News Agency", "UK Government", "Belgorod
oblast"), a bracketed acronym ("... Kindness (Baark"), a by-line tail
("James Whittaker - May 4"), or a second name ("Atlantis Paradise Island and
Dolphin Cay"). Each rule returns spans whose text is exactly the source's
characters, so offsets stay true. Names in the alias file are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from newsfacet.ingest.canonical import FUNCTION_WORDS, AliasBook, fold_key
from newsfacet.ingest.mentions import Mention
from newsfacet.ingest.nonentities import load_not_entities
from newsfacet.ingest.places import Gazetteer

_TITLE = re.compile(
    r"^(?:(?:Mr|Mrs|Ms|Miss|Dr|Prof|Sir|Dame|Lord|Lady|Prince|Princess|King|Queen|Pope|"
    r"President|Vice President|Prime Minister|Premier|Chancellor|Minister|Senator|Sen|Rep|"
    r"Representative|Congressman|Congresswoman|Governor|Gov|Mayor|Judge|Justice|General|Gen|"
    r"Col|Colonel|Capt|Captain|Lt|Sgt|Sergeant|Officer|Detective|Inspector|Rev|Father|"
    r"Secretary|Ambassador|Commissioner|Chairman|Chairwoman|Director|Spokesman|Spokeswoman|"
    r"Brigadier General|Major General|Lieutenant General)\.?\s+)+"
)
# Words that end a person span: a caption label or a by-line date.
_PERSON_TAIL = re.compile(r"\s+(?:Photo|Photos|Video|Videos|Reporting|Editing)\b.*$|\s+[-–—|]\s.*$")
_POSSESSIVE_PLACE = re.compile(r"^(?P<place>.+?)['’‘]s\s+(?P<rest>\S.*)$")
_ORG_TAIL = re.compile(
    r"\s+(?:[Nn]ews [Aa]gency|[Nn]ews [Ss]ervice|[Nn]ewspaper|[Gg]overnment|[Aa]dministration)$"
)
# Place-type words after a name: "Belgorod region", "Belgorod Oblast", "Hubei Province".
_PLACE_TYPE = re.compile(
    r"\s+(?:[Rr]egion|[Oo]blast|[Pp]rovince|[Gg]overnorate|[Pp]refecture|[Kk]rai|[Kk]ray)$"
)
# Last words of an organisation that can own another ("the Party's Politburo").
# fmt: off
_ORG_HEADS = {
    "Party", "Ministry", "Council", "Committee", "Union", "Government", "Agency", "Service",
    "Corps", "Army", "Navy", "Bank", "Parliament", "Assembly", "Department", "Commission",
}
# fmt: on
_NOT_A_PLACE_NAME = {"Northern", "Southern", "Eastern", "Western", "Central", "Capital", "Border"}
_ACRONYM_INSIDE = re.compile(r"^(?P<name>.+?)\s*\((?P<acronym>[A-Z][A-Za-z0-9]{1,9})\)?$")
_AND = re.compile(r"\s+(?:and|&)\s+")
# Capitalised words before a lone surname that are not a given name.
# fmt: off
_NOT_GIVEN_NAMES = FUNCTION_WORDS | {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January",
    "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December", "Russian", "Ukrainian", "American", "British", "Chinese",
    "Kremlin", "Pentagon", "Governor", "Colonel", "General", "Former",
}
# fmt: on


def tidy_spans(
    text: str, mentions: Sequence[Mention], book: AliasBook, gazetteer: Gazetteer
) -> list[Mention]:
    """Every rule, in order, on every mention not named in the alias file."""
    out: list[Mention] = []
    for mention in mentions:
        if fold_key(mention.text) in book.names:
            out.append(mention)
            continue
        parts = [mention]
        for rule in (
            _strip_title,
            _cut_person_tail,
            _strip_group_prefix,
            _split_acronym,
            _split_possessive_place,
        ):
            parts = [piece for part in parts for piece in rule(part, gazetteer)]
        parts = [piece for part in parts for piece in _strip_descriptor(part, gazetteer)]
        parts = [piece for part in parts for piece in _split_and(text, part, gazetteer, mentions)]
        # a piece the alias file knows takes its type from it ("UK" of "UK Government")
        parts = [
            Mention(p.start, p.end, p.text, book.names[fold_key(p.text)].type)
            if fold_key(p.text) in book.names
            else p
            for p in parts
        ]
        out.extend(p for p in parts if p.end > p.start)
    return sorted((_add_first_name(text, m, out) for m in out), key=lambda m: m.start)


def _add_first_name(text: str, m: Mention, mentions: Sequence[Mention]) -> Mention:
    """'figure Ilya Ponomarev' where the model found only 'Ponomarev': take the given name in.

    Only a lone capitalised word right before a one-word person, itself after
    a lowercase word or a comma, and neither a title, a month, a weekday nor
    a nationality ("said Russian Gladkov" stays as it is).
    """
    if m.type != "PERSON" or " " in m.text:
        return m
    match = re.search(r"(?:^|[a-z,] )([A-Z][a-z]+) $", text[max(0, m.start - 40) : m.start])
    if match is None:
        return m
    word = match.group(1)
    start = m.start - len(word) - 1
    if (
        word in _NOT_GIVEN_NAMES
        or _TITLE.match(word + " ")
        or fold_key(word) in load_not_entities().names
        or word.endswith(("ian", "ese", "ish", "ean"))
        or any(o.start < m.start and start < o.end for o in mentions if o is not m)
    ):
        return m
    return Mention(start, m.end, text[start : m.end], "PERSON")


def _sub(mention: Mention, start: int, end: int, entity_type: str | None = None) -> Mention:
    """The part of a mention between two offsets relative to its start."""
    text = mention.text[start:end]
    lead = len(text) - len(text.lstrip())
    text = text.strip()
    return Mention(
        mention.start + start + lead,
        mention.start + start + lead + len(text),
        text,
        entity_type or mention.type,  # type: ignore[arg-type]
    )


def _strip_title(m: Mention, _: Gazetteer) -> list[Mention]:
    if m.type != "PERSON":
        return [m]
    title = _TITLE.match(m.text)
    if title is None or title.end() >= len(m.text):
        return [m]
    return [_sub(m, title.end(), len(m.text))]


def _cut_person_tail(m: Mention, _: Gazetteer) -> list[Mention]:
    if m.type != "PERSON":
        return [m]
    tail = _PERSON_TAIL.search(m.text)
    return [_sub(m, 0, tail.start())] if tail and tail.start() > 0 else [m]


def _strip_group_prefix(m: Mention, _: Gazetteer) -> list[Mention]:
    """'Native American Supreme Court' -> Supreme Court: a group word is not part of the name."""
    words = m.text.split()
    not_entities = load_not_entities()
    for size in (2, 1):
        if len(words) > size and fold_key(" ".join(words[:size])) in not_entities.names:
            rest = m.text.split(maxsplit=size)[-1]
            if rest[:1].isupper():
                return [_sub(m, len(m.text) - len(rest), len(m.text))]
    return [m]


def _split_acronym(m: Mention, _: Gazetteer) -> list[Mention]:
    """'Bahamas Alliance For Animal Rights and Kindness (Baark' -> the name and the acronym."""
    match = _ACRONYM_INSIDE.match(m.text)
    if match is None or " " not in match.group("name"):
        return [m]
    return [
        _sub(m, 0, match.end("name")),
        _sub(m, match.start("acronym"), match.end("acronym"), "ORG"),
    ]


def _split_possessive_place(m: Mention, gazetteer: Gazetteer) -> list[Mention]:
    """'Ukraine’s Air Force' -> Ukraine (LOC) + Air Force; 'Russia‘s RIA' -> Russia + RIA."""
    match = _POSSESSIVE_PLACE.match(m.text)
    if match is None:
        return [m]
    owner = match.group("place")
    if gazetteer.is_place(owner):
        owner_type = "LOC"
    elif m.type == "ORG" and owner.split()[-1] in _ORG_HEADS and match.group("rest")[:1].isupper():
        owner_type = "ORG"  # "Chinese Communist Party’s Politburo": two bodies
    else:
        return [m]  # "Harris County Sheriff's Office" is one name
    return [
        _sub(m, 0, match.end("place"), owner_type),
        _sub(m, match.start("rest"), len(m.text)),
    ]


def _strip_descriptor(m: Mention, gazetteer: Gazetteer) -> list[Mention]:
    """'Reuters News Agency' -> Reuters; 'UK Government' -> UK; 'Belgorod oblast' -> Belgorod."""
    place_type = _PLACE_TYPE.search(m.text)
    if place_type is not None:
        name = m.text[: place_type.start()]
        words = name.split()
        if words and words[-1] not in _NOT_A_PLACE_NAME and words[-1][:1].isupper():
            the = 4 if words[0] in {"the", "The"} and len(words) > 1 else 0
            return [_sub(m, the, place_type.start(), "LOC")]
        return [m]
    tail = _ORG_TAIL.search(m.text)
    if tail is not None and m.type == "ORG" and tail.start() > 0:
        name = m.text[: tail.start()]
        return [_sub(m, 0, tail.start(), "LOC" if gazetteer.is_place(name) else "ORG")]
    return [m]


def _split_and(
    text: str, m: Mention, gazetteer: Gazetteer, mentions: Sequence[Mention]
) -> list[Mention]:
    """'A and B' is two names when either half also stands alone in the text or both are places.

    "Antigua and Barbuda", "University and College Union" and "Aisha's Salon
    and Spa" stay whole: the gazetteer knows the first, and no half of the
    others is named on its own.
    """
    if m.type == "PERSON" or gazetteer.is_place(m.text):
        return [m]
    parts = _AND.split(m.text)
    if len(parts) != 2 or not all(p[:1].isupper() for p in parts):
        return [m]
    left, right = parts

    def stands_alone(name: str) -> bool:
        pattern = re.compile(r"(?<!\w)" + re.escape(name) + r"(?!\w)")
        return any(not (m.start <= hit.start() < m.end) for hit in pattern.finditer(text)) or any(
            other.text == name for other in mentions if other is not m
        )

    if not (
        stands_alone(left)
        or stands_alone(right)
        or (gazetteer.is_place(left) and gazetteer.is_place(right))
    ):
        return [m]
    gap = _AND.search(m.text)
    assert gap is not None
    left_m = _sub(m, 0, gap.start())
    right_m = _sub(m, gap.end(), len(m.text))
    if gazetteer.is_place(left):
        left_m = Mention(left_m.start, left_m.end, left_m.text, "LOC")
    if gazetteer.is_place(right):
        right_m = Mention(right_m.start, right_m.end, right_m.text, "LOC")
    return [left_m, right_m]
