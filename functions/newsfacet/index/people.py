"""Full PERSON names already indexed per outlet and window: the ingest service's ``PeopleStore``.

One search per batch, with one aggregation per :class:`SurnameLookup`: the
outlet's entries in the window (dated by ``published``, or by ``ingested_at``
when they have no date) whose person names have a word starting with one of
the surnames (the ``.prefix`` edge n-grams, so no name is scanned), then the
names themselves, restricted by a regular expression built here to names of
two words or more ending in one of the surnames. The caller decides which
one, if any, a lone surname stands for (``ingest/surnames.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from opensearchpy import OpenSearch

from newsfacet.index.client import write_side_errors
from newsfacet.ingest.surnames import SurnameLookup

# Names per lookup: far more than one surname ever names in an outlet's month.
MAX_NAMES = 100


def surname_regexp(surnames: Sequence[str]) -> str:
    """A Lucene regexp: a name of two words or more whose last word is one of ``surnames``.

    Letters match in either case, one character class each; anything else is
    escaped, so a name can never inject an operator.
    """
    alternatives = []
    for surname in sorted(surnames):
        out = []
        for char in surname:
            lower, upper = char.lower(), char.upper()
            if lower != upper and len(lower) == 1 and len(upper) == 1:
                out.append(f"[{lower}{upper}]")
            elif char.isalnum():
                out.append(char)
            else:
                out.append("\\" + char)
        alternatives.append("".join(out))
    return ".+ (" + "|".join(alternatives) + ")"


def window_filter(lookup: SurnameLookup) -> dict[str, Any]:
    """Entries of the lookup's window: by date, or by upload time when undated."""
    bounds = {"gte": lookup.start.isoformat(), "lte": lookup.end.isoformat()}
    return {
        "bool": {
            "should": [
                {"range": {"published": bounds}},
                {
                    "bool": {
                        "must_not": [{"exists": {"field": "published"}}],
                        "filter": [{"range": {"ingested_at": bounds}}],
                    }
                },
            ],
            "minimum_should_match": 1,
        }
    }


def build_names_query(lookups: Sequence[SurnameLookup]) -> dict[str, Any]:
    aggs: dict[str, Any] = {}
    for i, lookup in enumerate(lookups):
        aggs[f"l{i}"] = {
            "filter": {
                "bool": {
                    "filter": [
                        {"term": {"outlet": lookup.outlet}},
                        window_filter(lookup),
                        {
                            "match": {
                                "entities_person.prefix": {
                                    "query": " ".join(sorted(lookup.surnames)),
                                    "operator": "or",
                                }
                            }
                        },
                    ]
                }
            },
            "aggs": {
                "names": {
                    "terms": {
                        "field": "entities_person",
                        "size": MAX_NAMES,
                        "include": surname_regexp(sorted(lookup.surnames)),
                    }
                }
            },
        }
    return {"size": 0, "track_total_hits": False, "aggs": aggs}


class KnownPeople:
    def __init__(self, client: OpenSearch, alias: str) -> None:
        self.client = client
        self.alias = alias

    def full_names(self, lookups: Sequence[SurnameLookup]) -> list[list[str]]:
        """The stored full names for each lookup, in order, from one search."""
        if not lookups:
            return []
        with write_side_errors(self.alias, "known full names lookup"):
            raw = self.client.search(index=self.alias, body=build_names_query(lookups))
        aggs = raw.get("aggregations", {})
        return [
            [str(b["key"]) for b in aggs.get(f"l{i}", {}).get("names", {}).get("buckets", [])]
            for i in range(len(lookups))
        ]
