"""A validated query model -> :class:`SearchParams`: only what needs deriving. Pure.

Types, ranges and lengths are the resolver's job (the models in
``models/api.py``). Here: absolute dates from ``from``/``to`` in ``tz``, a time
zone OpenSearch can use, facet sizes, and the limits that span parameters.
Each failure names its parameter.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from importlib import resources
from typing import cast, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from newsfacet.errors import InvalidRequestError
from newsfacet.models.api import (
    ALL_FACETS,
    DEFAULT_FACET_SIZE,
    MAX_FACET_SIZE,
    MAX_FILTER_VALUES,
    MAX_FILTERS_TOTAL,
    MAX_VALUE_CHARS,
    FacetName,
    FilterQuery,
    SearchParams,
    SearchQuery,
)
from newsfacet.search.query import check_query_text

# Parameters holding lists of filter values (each bounded, all together bounded).
FILTER_LISTS = (
    "entity",
    "exclude_entity",
    "outlet",
    "exclude_outlet",
    "cited_outlet",
    "exclude_cited_outlet",
    "lang",
    "exclude_lang",
    "author",
    "exclude_author",
)
# Filters whose values are compared lower-cased (domains, language codes); outlets are
# names too, resolved by the service (search/names.py), which lower-cases domains.
_LOWER = {
    "cited_outlet",
    "exclude_cited_outlet",
    "lang",
    "exclude_lang",
}


@lru_cache(maxsize=1)
def known_zones() -> frozenset[str]:
    """Zones both OpenSearch (java.time) and Python accept (``data/time_zones.txt``).

    Python knows some that OpenSearch refuses (EST, HST, MST, ROC, Factory,
    localtime, posixrules, zones newer than the JDK's tzdb): sending one made
    OpenSearch answer 400 and the API 500.
    """
    text = resources.files("newsfacet.data").joinpath("time_zones.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def parse_zone(tz: str) -> ZoneInfo:
    """The zone named by ``tz``.

    Raises:
        InvalidRequestError: naming ``tz``, for a zone OpenSearch or Python cannot use.
    """
    if tz not in known_zones():
        raise InvalidRequestError(
            f"unknown time zone {tz!r}; use an IANA name such as Europe/London or UTC",
            parameter="tz",
        )
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidRequestError(f"unknown time zone {tz!r}", parameter="tz") from exc


def check_filter_values(name: str, values: list[str]) -> None:
    """At most ``MAX_FILTER_VALUES`` values of one filter, each of bounded length."""
    if len(values) > MAX_FILTER_VALUES:
        raise InvalidRequestError(
            f"{len(values)} values for {name}; at most {MAX_FILTER_VALUES}", parameter=name
        )
    for value in values:
        if len(value) > MAX_VALUE_CHARS:
            raise InvalidRequestError(
                f"a value of {name} is longer than {MAX_VALUE_CHARS} characters", parameter=name
            )


def parse_bound(
    text: str | None, zone: ZoneInfo, *, end: bool, name: str
) -> tuple[datetime | None, bool]:
    """A ``from``/``to`` value as an absolute instant, and whether it is an exclusive end.

    A date means the whole day in ``zone``: ``from`` starts at its first instant
    and ``to`` runs up to (not including) the next day. A date-time without an
    offset is read in ``zone``; one with an offset is taken as it is.
    """
    if text is None or not text.strip():
        return None, False
    text = text.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            if end:
                return datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone), True
            return datetime.combine(day, time.min, tzinfo=zone), False
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
        moment.timestamp()  # years 1 and 9999 overflow once shifted to UTC
    except (ValueError, OverflowError) as exc:
        raise InvalidRequestError(
            f"{name}={text!r} is not a date (YYYY-MM-DD) or ISO 8601 date-time", parameter=name
        ) from exc
    return moment, False


def parse_facets(values: list[str] | None) -> dict[FacetName, int]:
    """``facets=outlet:20&facets=person`` -> sizes by facet; ``facets=none`` -> no facets."""
    if not values:
        return dict.fromkeys(ALL_FACETS, DEFAULT_FACET_SIZE)
    sizes: dict[FacetName, int] = {}
    for item in (part for value in values for part in value.split(",")):
        item = item.strip()
        if item in {"none", ""}:
            continue
        name, _, size_text = item.partition(":")
        names: tuple[FacetName, ...]
        if name == "entity":
            names = ("person", "org", "loc")
        elif name in get_args(FacetName):
            names = (cast(FacetName, name),)
        else:
            raise InvalidRequestError(
                f"unknown facet {name!r}; known: entity, {', '.join(ALL_FACETS)}, none",
                parameter="facets",
            )
        size = DEFAULT_FACET_SIZE
        if size_text:
            if not size_text.isdigit() or not 1 <= int(size_text) <= MAX_FACET_SIZE:
                raise InvalidRequestError(
                    f"facet size in {item!r} must be a whole number from 1 to {MAX_FACET_SIZE}",
                    parameter="facets",
                )
            size = int(size_text)
        for facet in names:
            sizes[facet] = size
    return sizes


def _clean(name: str, values: list[str]) -> list[str]:
    kept = [v.strip() for v in values if v.strip()]
    return [v.lower() for v in kept] if name in _LOWER else kept


def build_params(query: FilterQuery) -> SearchParams:
    """Check and derive; entity names and outlet names are resolved later, by the service.

    Raises:
        InvalidRequestError: naming the first parameter that cannot be used.
    """
    check_query_text(query.q)
    total = 0
    lists: dict[str, list[str]] = {}
    for name in FILTER_LISTS:
        values: list[str] = getattr(query, name)
        check_filter_values(name, values)
        total += len(values)
        lists[name] = _clean(name, values)
    if total > MAX_FILTERS_TOTAL:
        raise InvalidRequestError(
            f"{total} filter values in one request; at most {MAX_FILTERS_TOTAL}",
            parameter="entity",
        )
    zone = parse_zone(query.tz)
    start, _ = parse_bound(query.date_from, zone, end=False, name="from")
    end, exclusive = parse_bound(query.date_to, zone, end=True, name="to")
    if start and end and (start >= end if exclusive else start > end):
        raise InvalidRequestError("'from' is after 'to'", parameter="from")
    extra: dict[str, object] = {}
    if isinstance(query, SearchQuery):
        extra = {
            "sort": query.sort,
            "size": query.size,
            "dedup": query.dedup,
            "facets": parse_facets(query.facets),
            "interval": query.interval,
            "facet_stories": query.facet_stories,
        }
    return SearchParams(
        q=query.q.strip() if query.q and query.q.strip() else None,
        entity_type=query.entity_type,
        date_from=start,
        date_to=end,
        date_to_exclusive=exclusive,
        undated=query.undated,
        tz=query.tz,
        **lists,
        **extra,
    )
