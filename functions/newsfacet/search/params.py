"""Turn the API's query-string values into :class:`SearchParams`. Pure.

Typing (integers, enums, lengths) is checked by the resolver before this
runs; here come the checks that need more than a type: dates in a time zone,
facet lists, limits across parameters. Each failure names its parameter.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import cast, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from newsfacet.errors import InvalidRequestError
from newsfacet.models.api import (
    ALL_FACETS,
    DEFAULT_FACET_SIZE,
    MAX_FACET_SIZE,
    MAX_FILTER_VALUES,
    MAX_FILTERS_TOTAL,
    FacetName,
    Interval,
    SearchParams,
    Sort,
)
from newsfacet.search.query import check_query_text

MAX_VALUE_CHARS = 200


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


def parse_zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidRequestError(
            f"unknown time zone {tz!r}; use an IANA name such as Europe/London", parameter="tz"
        ) from exc


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
    except (ValueError, OverflowError) as exc:
        raise InvalidRequestError(
            f"{name}={text!r} is not a date (YYYY-MM-DD) or ISO 8601 date-time", parameter=name
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment, False


def parse_facets(values: list[str] | None) -> dict[FacetName, int]:
    """``facets=outlet:20&facets=person`` -> sizes by facet; ``facets=none`` -> no facets."""
    if not values:
        return dict.fromkeys(ALL_FACETS, DEFAULT_FACET_SIZE)
    sizes: dict[FacetName, int] = {}
    for item in values:
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


def build_params(
    *,
    q: str | None,
    entity: list[str],
    entity_type: str | None,
    outlet: list[str],
    cited_outlet: list[str],
    lang: list[str],
    date_from: str | None,
    date_to: str | None,
    tz: str,
    sort: Sort,
    size: int,
    dedup: bool,
    facets: list[str] | None,
    interval: Interval,
    facet_stories: bool = False,
) -> SearchParams:
    """Check and combine the raw parameters (entities are resolved later, by the service).

    Raises:
        InvalidRequestError: naming the first parameter that cannot be used.
    """
    check_query_text(q)
    for name, values in (
        ("entity", entity),
        ("outlet", outlet),
        ("cited_outlet", cited_outlet),
        ("lang", lang),
    ):
        check_filter_values(name, values)
    filters = len(entity) + len(outlet) + len(cited_outlet) + len(lang)
    if filters > MAX_FILTERS_TOTAL:
        raise InvalidRequestError(
            f"{filters} filter values in one request; at most {MAX_FILTERS_TOTAL}",
            parameter="entity",
        )
    zone = parse_zone(tz)
    start, _ = parse_bound(date_from, zone, end=False, name="from")
    end, exclusive = parse_bound(date_to, zone, end=True, name="to")
    if start and end and (start >= end if exclusive else start > end):
        raise InvalidRequestError("'from' is after 'to'", parameter="from")
    return SearchParams(
        q=q.strip() if q and q.strip() else None,
        entity=[e.strip() for e in entity if e.strip()],
        entity_type=entity_type,
        outlet=[o.strip().lower() for o in outlet if o.strip()],
        cited_outlet=[o.strip().lower() for o in cited_outlet if o.strip()],
        lang=[code.strip().lower() for code in lang if code.strip()],
        date_from=start,
        date_to=end,
        date_to_exclusive=exclusive,
        tz=tz,
        sort=sort,
        size=size,
        dedup=dedup,
        facets=parse_facets(facets),
        interval=interval,
        facet_stories=facet_stories,
    )
