"""Datelines: the place (and agency) that opens a news story, typed from their position.

"KYIV, Ukraine –", "LOS ANGELES (Reuters) -", "AUSTIN (KXAN) —",
"NAPA COUNTY, Calif. (KGO) --": the small model reads an ALL-CAPS word as a
person or misses it, but a dateline's shape says what it is. Only the start
of the text or of a line is looked at; an ALL-CAPS opener is taken as a
place unless it is a section label ("UPDATE –"), a Title-case one only when
the gazetteer knows it ("London (CNN)", "Kyiv –").
"""

from __future__ import annotations

import re

from newsfacet.ingest.mentions import Mention
from newsfacet.ingest.places import Gazetteer

_CAPS_WORD = r"[A-Z][A-Z.'’\-]*[A-Z.]"
_TITLE_WORD = r"[A-Z][a-z.'’\-]+"
_DATELINE = re.compile(
    rf"^(?P<place>{_CAPS_WORD}(?: {_CAPS_WORD}){{0,3}}|{_TITLE_WORD}(?: {_TITLE_WORD}){{0,2}})"
    r"(?:,\s*(?P<region>[A-Z][A-Za-z.'’\-]*(?: [A-Z][A-Za-z.'’\-]*){0,2}))?"
    r"(?:\s*\((?P<agency>[A-Z][\w.&' -]{0,30})\))?"
    r"(?P<dash>\s*(?:—|–|--?)\s)?",
    re.MULTILINE,
)
# ALL-CAPS openers that are labels, not places.
# fmt: off
_LABELS = {
    "UPDATE", "UPDATED", "BREAKING", "ACCIDENT", "ARREST", "WATCH", "EXCLUSIVE", "ANALYSIS",
    "OPINION", "EDITORIAL", "REVIEW", "LIVE", "VIDEO", "PHOTOS", "NEWS", "CORRECTION", "FILE",
    "ANCHOR", "REPORT", "NOTE", "WARNING", "ALERT", "FT", "AP", "AFP", "UPI", "REUTERS", "TASS",
}
# fmt: on


def find_dateline(text: str, gazetteer: Gazetteer) -> list[Mention]:
    """The place, region and agency of every dateline at the start of the text or of a line."""
    found: list[Mention] = []
    for match in _DATELINE.finditer(text):
        place = match.group("place")
        agency = match.group("agency")
        if not (match.group("dash") or agency):
            continue
        if place.isupper():
            if any(w.rstrip(".") in _LABELS for w in place.split()) or len(place) < 3:
                continue
        elif not gazetteer.is_place(place):
            # "Kaieteur News – Police ...", "Russian Volunteer Corps (RDK)": not datelines
            continue
        found.append(Mention(match.start("place"), match.end("place"), place, "LOC"))
        region = match.group("region")
        if region is not None:
            found.append(Mention(match.start("region"), match.end("region"), region, "LOC"))
        if agency is not None:
            found.append(Mention(match.start("agency"), match.end("agency"), agency, "ORG"))
    return found


def apply_datelines(text: str, mentions: list[Mention], gazetteer: Gazetteer) -> list[Mention]:
    """Dateline spans replace whatever the model found over the same characters."""
    dateline = find_dateline(text, gazetteer)
    if not dateline:
        return mentions
    kept = [m for m in mentions if not any(m.start < d.end and d.start < m.end for d in dateline)]
    return sorted([*kept, *dateline], key=lambda m: m.start)
