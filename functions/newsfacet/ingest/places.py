"""The place gazetteer: fix place types and add country names the model missed.

``data/places.json`` (countries, first-level regions, capitals and cities of
100,000 people or more; derived once by ``scripts/make_places.py`` from
GeoNames and ISO 3166) is small data, not a dependency. It is trusted to
retype, not to invent: a mention the model called a person or organisation
becomes a place when its whole text is a known place, and only country names
are added where the model found nothing, since city and region names collide
with people ("Austin", "Florence") far more often than countries do.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources

from newsfacet.ingest.mentions import Mention

# Countries that are also common given names or surnames: never added from text alone.
_AMBIGUOUS_COUNTRIES = {"Jordan", "Chad", "Georgia", "Israel", "Niger", "Guinea", "Turkey", "Togo"}


@dataclass(frozen=True)
class Gazetteer:
    """Written form -> canonical country name; region and city names as written."""

    countries: dict[str, str]
    regions: frozenset[str]
    cities: frozenset[str]

    def is_place(self, name: str) -> bool:
        return self.canonical(name) is not None

    def is_country_or_region(self, name: str) -> bool:
        forms = (name, _title(name)) if name.isupper() else (name,)
        return any(f in self.countries or f in self.regions for f in forms)

    def canonical(self, name: str) -> str | None:
        """The gazetteer's name for a written place ("St. Lucia" -> "Saint Lucia"), or None."""
        for form in (name, _title(name)) if name.isupper() else (name,):
            if form in self.countries:
                return self.countries[form]
            if form in self.regions or form in self.cities:
                return form
        return None

    @cached_property
    def countries_by_first_word(self) -> dict[str, list[str]]:
        """Country spellings under their first word, longest first, for a scan without regex."""
        index: dict[str, list[str]] = {}
        for form in self.countries:
            if form not in _AMBIGUOUS_COUNTRIES:
                index.setdefault(form.split()[0], []).append(form)
        return {w: sorted(forms, key=len, reverse=True) for w, forms in index.items()}

    def find_countries(self, text: str) -> list[tuple[int, int]]:
        """Spans of whole-word country names in the text (a 400-way regex was ten times slower)."""
        found: list[tuple[int, int]] = []
        for word in _CAPITALISED.finditer(text):
            start = word.start()
            if found and start < found[-1][1]:
                continue
            for form in self.countries_by_first_word.get(word.group(), ()):
                end = start + len(form)
                if text.startswith(form, start) and not _WORD_CHAR.match(text, end):
                    found.append((start, end))
                    break
        return found


_CAPITALISED = re.compile(r"(?<![\w-])[A-Z][\w-]*\.?")
_WORD_CHAR = re.compile(r"[\w-]")


def _title(name: str) -> str:
    return " ".join(w[:1] + w[1:].lower() for w in name.split())


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    raw = json.loads(resources.files("newsfacet.data").joinpath("places.json").read_text("utf-8"))
    return Gazetteer(
        countries=dict(raw["countries"]),
        regions=frozenset(raw["regions"]),
        cities=frozenset(raw["cities"]),
    )


def fix_place_types(
    text: str, mentions: Sequence[Mention], gazetteer: Gazetteer, people_words: frozenset[str]
) -> list[Mention]:
    """Retype known places, then add country names no mention covers.

    Args:
        text: the entry's text.
        mentions: its mentions so far.
        gazetteer: the place names.
        people_words: words of multi-word person names in the document; a
            lone "Florence" stays a person when "Florence Pugh" is named.
    """
    out = []
    for m in mentions:
        # A person called by a place name becomes the place; an organisation only when
        # the name is a country or region: cities name companies too (Toyota).
        if (m.type == "PERSON" and gazetteer.is_place(m.text) and m.text not in people_words) or (
            m.type == "ORG" and gazetteer.is_country_or_region(m.text)
        ):
            m = Mention(m.start, m.end, m.text, "LOC")
        out.append(_first_name_as_place(text, m, mentions, gazetteer) or m)
    for start, end in gazetteer.find_countries(text):
        inside = [m for m in out if start <= m.start and m.end <= end]
        if any(m.start < end and start < m.end for m in out if m not in inside):
            continue
        if not inside and _joined_to_name(text, start, end):
            continue  # "New Mexico", "Mexico City", "Barbados Tridents"
        # the whole country name replaces the pieces the model found in it:
        # "Antigua" + "Barbuda" -> Antigua and Barbuda
        out = [m for m in out if m not in inside]
        out.append(Mention(start, end, text[start:end], "LOC"))
    return sorted(out, key=lambda m: m.start)


# Words that make a name after them a place ("Kherson Oblast", "Gaza Strip").
# fmt: off
_PLACE_WORDS = frozenset({
    "Oblast", "Region", "Province", "Krai", "District", "County", "City", "Town", "Village",
    "Strip", "Valley", "River", "Sea", "Island", "Islands", "Bay", "Lake", "Mountains",
    "Peninsula", "Republic", "State", "Airport", "Street", "Square",
})
# fmt: on
_NEXT_NAME = re.compile(r" ([A-Z][a-z][\w'’-]*)")


def _first_name_as_place(
    text: str, m: Mention, mentions: Sequence[Mention], gazetteer: Gazetteer
) -> Mention | None:
    """ "Natalia" (LOC) in "Natalia Abbakumova and ...": the model cut a person's name short.

    A one-word LOC that no gazetteer knows, written as a name (not an acronym),
    right before a capitalised word that is neither a place nor part of another
    mention, is the first name of that two-word person.
    """
    if m.type != "LOC" or " " in m.text or not m.text[1:].islower() or gazetteer.is_place(m.text):
        return None
    after = _NEXT_NAME.match(text, m.end)
    if after is None:
        return None
    word = after.group(1)
    if word in _PLACE_WORDS or gazetteer.is_place(word):
        return None
    if any(o.start < after.end() and after.start(1) < o.end for o in mentions if o is not m):
        return None
    return Mention(m.start, after.end(), text[m.start : after.end()], "PERSON")


def _joined_to_name(text: str, start: int, end: int) -> bool:
    after = re.match(r" ([A-Z][\w-]*)", text[end:])
    before = re.search(r"([A-Z][\w-]*) $", text[:start])
    return bool(after) or bool(before and before.group(1) not in {"The", "In", "And", "Of"})
