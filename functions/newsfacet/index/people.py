"""Full PERSON names already indexed per outlet and window: the ingest service's ``PeopleStore``.

One search per batch, with one aggregation per :class:`SurnameLookup`: the
outlet's entries in the window (dated by ``published``, or by ``ingested_at``
when they have no date) whose person names have a word starting with one of
the surnames (the ``.prefix`` edge n-grams, so no name is scanned), then the
names themselves, restricted by a regular expression built here to names of
two words or more ending in one of the surnames. The caller decides which
one, if any, a lone surname stands for (``ingest/surnames.py``).

OpenSearch refuses a regular expression longer than ``index.max_regex_length``
(1,000 characters by default) with a 400, and each letter of a surname costs
four (``[bB]``), so a lookup with many surnames is split into several
aggregations of the same search, each under ``MAX_REGEX_CHARS``. A lookup the
cluster still refuses (a 4xx: retrying the batch cannot help) leaves every lone
surname as it is, logged, rather than holding the batch.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import RequestError

from newsfacet.index.client import write_side_errors
from newsfacet.ingest.surnames import SurnameLookup
from newsfacet.lucene import case_blind_literal

logger = logging.getLogger(__name__)
# Names per lookup: far more than one surname ever names in an outlet's month.
MAX_NAMES = 100
# Under OpenSearch's default index.max_regex_length (1,000), with room to spare.
MAX_REGEX_CHARS = 900


def surname_regexp(surnames: Sequence[str]) -> str:
    """A Lucene regexp: a name of two words or more whose last word is one of ``surnames``.

    Letters match in either case, anything else is escaped
    (:func:`newsfacet.lucene.case_blind_literal`), so a name can never inject an operator.
    """
    alternatives = [case_blind_literal(s) for s in sorted(surnames)]
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


def surname_groups(surnames: Sequence[str]) -> Iterator[list[str]]:
    """The surnames in groups whose :func:`surname_regexp` stays within ``MAX_REGEX_CHARS``.

    A surname too long to fit alone is left out (no name is looked up for it).
    """
    group: list[str] = []
    for surname in sorted(surnames):
        if len(surname_regexp([surname])) > MAX_REGEX_CHARS:
            continue
        if group and len(surname_regexp([*group, surname])) > MAX_REGEX_CHARS:
            yield group
            group = []
        group.append(surname)
    if group:
        yield group


def build_names_query(lookups: Sequence[SurnameLookup]) -> dict[str, Any]:
    """One search: per lookup, per group of its surnames (``l<i>g<j>``), the full names."""
    aggs: dict[str, Any] = {}
    for i, lookup in enumerate(lookups):
        for j, group in enumerate(surname_groups(sorted(lookup.surnames))):
            aggs[f"l{i}g{j}"] = {
                "filter": {
                    "bool": {
                        "filter": [
                            {"term": {"outlet": lookup.outlet}},
                            window_filter(lookup),
                            {
                                "match": {
                                    "entities_person.prefix": {
                                        "query": " ".join(group),
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
                            "include": surname_regexp(group),
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
        body = build_names_query(lookups)
        if not body["aggs"]:
            return [[] for _ in lookups]
        with write_side_errors(self.alias, "known full names lookup"):
            try:
                raw = self.client.search(index=self.alias, body=body)
            except RequestError as exc:
                # A 400 says the request itself is wrong: the same batch would fail the
                # same way, so it is not retried.
                logger.error(
                    "known full names lookup refused; lone surnames left as they are",
                    extra={"reason": str(exc.error), "lookups": len(lookups)},
                )
                return [[] for _ in lookups]
        aggs = raw.get("aggregations", {})
        found: list[list[str]] = [[] for _ in lookups]
        for name, agg in aggs.items():
            i = int(name[1:].split("g", 1)[0])
            found[i] += [str(b["key"]) for b in agg.get("names", {}).get("buckets", [])]
        return [list(dict.fromkeys(names)) for names in found]
