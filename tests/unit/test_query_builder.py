"""Property-based tests of the query builder: any valid parameters give a safe, correct request."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsfacet.errors import InvalidRequestError
from newsfacet.models.api import ALL_FACETS, SearchParams, SearchQuery
from newsfacet.search.cursor import CursorState, decode_cursor, encode_cursor
from newsfacet.search.facets import build_aggregations, choose_interval
from newsfacet.search.lookup import build_resolution_query, build_suggestions_query, name_regexp
from newsfacet.search.params import build_params, parse_facets
from newsfacet.search.query import (
    build_cluster_leaders_query,
    build_page_query,
    check_query_text,
    query_key,
)
from newsfacet.search.syntax import LEAF_FLAGS

pytestmark = pytest.mark.unit

FORBIDDEN = {
    "query_string",
    "script",
    "script_score",
    "wildcard",
    "fuzzy",
    "function_score",
    "more_like_this",
    "span_multi",
}

words = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=30
)
values = st.lists(words, max_size=5)
dates = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
)


@st.composite
def search_params(draw: st.DrawFn) -> SearchParams:
    start = draw(st.none() | dates)
    end = draw(st.none() | dates)
    if start and end and start > end:
        start, end = end, start
    facet_names = draw(st.lists(st.sampled_from(ALL_FACETS), unique=True))
    return SearchParams(
        q=draw(st.none() | st.text(max_size=200)),
        entity=draw(
            st.lists(
                st.sampled_from(["PERSON", "ORG", "LOC"]).flatmap(
                    lambda t: words.map(lambda w: f"{t}:{w}")
                ),
                max_size=4,
            )
        ),
        entity_type=draw(st.none() | st.sampled_from(["PERSON", "ORG", "LOC"])),
        exclude_entity=draw(st.lists(words.map(lambda w: f"ORG:{w}"), max_size=2)),
        outlet=draw(values),
        exclude_outlet=draw(values),
        cited_outlet=draw(values),
        exclude_cited_outlet=draw(values),
        lang=draw(values),
        exclude_lang=draw(values),
        author=draw(values),
        exclude_author=draw(values),
        date_from=start,
        date_to=end,
        undated=draw(st.sampled_from(["include", "exclude", "only"])),
        sort=draw(st.sampled_from(["relevance", "newest", "oldest"])),
        size=draw(st.integers(1, 100)),
        dedup=draw(st.booleans()),
        facets={f: draw(st.integers(1, 50)) for f in facet_names},
        interval=draw(st.sampled_from(["auto", "day", "week", "month", "year"])),
    )


def walk(node: Any) -> list[tuple[str, Any]]:
    """Every (key, value) pair in a nested request body."""
    found: list[tuple[str, Any]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            found.append((key, value))
            found += walk(value)
    elif isinstance(node, list):
        for item in node:
            found += walk(item)
    return found


@given(search_params())
@settings(max_examples=300)
def test_page_query_is_safe_and_complete(params: SearchParams) -> None:
    try:
        aggs = build_aggregations(params)
    except InvalidRequestError as exc:
        # Only an over-fine interval over a long range may be refused.
        if exc.parameter != "interval":
            raise
        return
    body = build_page_query(
        params, fetch_size=params.size + 1, search_after=None, aggregations=aggs
    )
    json.dumps(body)  # serialisable as sent
    pairs = walk(body)
    assert not FORBIDDEN & {k for k, _ in pairs}
    # User text only travels as leaves of simple_query_string with three operators
    # (phrase, prefix, whitespace), none of which it can smuggle in.
    for key, value in pairs:
        if key == "simple_query_string":
            assert value["flags"] == LEAF_FLAGS
            text = value["query"]
            if len(text) > 1 and text.startswith('"') and text.endswith('"'):
                assert '"' not in text[1:-1], text
            else:
                assert not set(text) & set('"()|'), text
        if key == "regexp":
            (spec,) = value.values()
            assert spec["flags"] == "NONE"
    terms = [v for k, v in pairs if k == "term" and "entities" in v]
    assert sorted(t["entities"] for t in terms) == sorted(params.entity)
    # Multi-select filters are post filters, so facets can leave them out.
    post = json.dumps(body.get("post_filter", {}))
    for value in params.outlet:
        assert json.dumps(value) in post
    # Each multi-select facet ignores exactly its own filter.
    for facet, param, field in (
        ("outlet", "outlet", "outlet"),
        ("cited_outlet", "cited_outlet", "cited_outlets"),
        ("language", "lang", "language"),
        ("author", "author", "authors"),
    ):
        if f"ms_{facet}" in aggs:
            own = json.dumps(aggs[f"ms_{facet}"]["filter"])
            assert f'"{field}": ' not in own
            named = getattr(params, param) + getattr(params, f"exclude_{param}")
            if facet == "outlet":
                named = [v for v in named if v != "unknown"]
            assert ("selected" in aggs[f"ms_{facet}"]["aggs"]) == bool(named)
    assert body["sort"][-1] == {"id": "asc"}  # total order for search_after


@given(search_params(), st.lists(words, min_size=1, max_size=10, unique=True))
@settings(max_examples=100)
def test_leaders_query_applies_every_filter_and_collapses(
    params: SearchParams, clusters: list[str]
) -> None:
    body = build_cluster_leaders_query(params, clusters)
    assert body["collapse"] == {"field": "cluster"}
    assert "search_after" not in body
    assert (
        body["sort"]
        == build_page_query(params, fetch_size=1, search_after=None, aggregations=None)["sort"]
    )
    text = json.dumps(body)
    for value in params.outlet + params.lang + params.entity:
        assert json.dumps(value)[1:-1] in text


@given(search_params())
def test_query_key_ignores_page_size_and_facets_only(params: SearchParams) -> None:
    same = params.model_copy(update={"size": 7, "facets": {}})
    assert query_key(same) == query_key(params)
    other = params.model_copy(update={"dedup": not params.dedup})
    assert query_key(other) != query_key(params)


@given(
    st.lists(st.one_of(st.integers(), st.floats(allow_nan=False), words), max_size=4),
    st.integers(0, 10_000),
)
def test_cursor_round_trips_and_rejects_tampering(after: list[Any], served: int) -> None:
    state = CursorState(after=after, served=served, snapshot_ms=1_700_000_000_000, pit="p1")
    cursor = encode_cursor(state, "key", b"secret")
    assert decode_cursor(cursor, "key", b"secret") == state
    for bad in (cursor + "x", "x" + cursor, cursor.replace(".", ".A", 1)):
        with pytest.raises(InvalidRequestError):
            decode_cursor(bad, "key", b"secret")
    with pytest.raises(InvalidRequestError):
        decode_cursor(cursor, "other-key", b"secret")
    with pytest.raises(InvalidRequestError):
        decode_cursor(cursor, "key", b"another-deployment")


@given(
    st.text(
        alphabet=st.characters(categories=["L", "N"]) | st.sampled_from(" .'&-"),
        min_size=1,
        max_size=40,
    )
)
def test_entity_patterns_escape_every_character(text: str) -> None:
    pattern = name_regexp(text, prefix=True)
    # No user character stands unescaped where it could act as an operator.
    stripped = pattern.replace("(.*( |\\-))?", "").replace("( |\\-)", "").replace(".*", "")
    stripped = re.sub(r"\[[^\]]{2}\]|\\.", "", stripped)
    assert all(c.isalnum() for c in stripped), pattern
    for body in (build_suggestions_query(text, None, 10), build_resolution_query([text], "ORG")):
        assert not FORBIDDEN & {k for k, _ in walk(body)}


def test_entity_pattern_matches_word_starts_ignoring_case() -> None:
    # Lucene's regexp dialect agrees with Python's on this subset.
    pattern = re.compile(name_regexp("glad", prefix=True).replace("\\-", "-") + r"\Z")
    assert pattern.match("Vyacheslav Gladkov")
    assert not pattern.match("Vyacheslav Ogladkov")
    whole = re.compile(name_regexp("vyacheslav gladkov", prefix=False).replace("\\-", "-") + r"\Z")
    assert whole.match("Vyacheslav Gladkov")
    assert not whole.match("Vyacheslav Gladkova")


@pytest.mark.parametrize(
    ("q", "ok"),
    [
        ("Belgorod raid", True),
        ('"armoured vehicles" -Zelensky', True),
        ("Glad*", True),
        ("a*", True),  # read as the word "a": nothing typed is an error
        ("*", True),
        ('((( "unclosed', True),
        (" ".join(["w"] * 32), True),
        (" ".join(["w"] * 33), False),  # a bound on work, not a syntax error
    ],
)
def test_query_text_limits(q: str, ok: bool) -> None:
    if ok:
        check_query_text(q)
    else:
        with pytest.raises(InvalidRequestError) as info:
            check_query_text(q)
        assert info.value.parameter == "q"


def _params(**overrides: Any) -> SearchParams:
    aliases = {"date_from": "from", "date_to": "to"}
    return build_params(SearchQuery(**{aliases.get(k, k): v for k, v in overrides.items()}))


def test_dates_are_whole_days_in_the_time_zone() -> None:
    params = _params(date_from="2023-05-24", date_to="2023-05-24", tz="Asia/Tokyo")
    assert params.date_from == datetime(2023, 5, 23, 15, tzinfo=UTC)
    assert params.date_to == datetime(2023, 5, 24, 15, tzinfo=UTC)
    assert params.date_to_exclusive
    params = _params(date_from="2023-05-24T10:00", date_to="2023-05-24T12:00:00+02:00")
    assert params.date_from == datetime(2023, 5, 24, 10, tzinfo=UTC)
    assert params.date_to == datetime(2023, 5, 24, 10, tzinfo=UTC)
    assert not params.date_to_exclusive


@pytest.mark.parametrize(
    ("overrides", "parameter"),
    [
        ({"date_from": "24/05/2023"}, "from"),
        ({"date_to": "2023-02-30"}, "to"),
        ({"date_from": "2023-05-25", "date_to": "2023-05-24"}, "from"),
        ({"tz": "Nowhere/Land"}, "tz"),
        # Python knows these; OpenSearch (java.time) refuses them.
        *[({"tz": z}, "tz") for z in ("EST", "HST", "MST", "ROC", "Factory", "localtime")],
        *[({"tz": z}, "tz") for z in ("posixrules", "America/Coyhaique")],
        ({"facets": ["outlet:0"]}, "facets"),
        ({"facets": ["shoes"]}, "facets"),
        ({"entity": ["x" * 201]}, "entity"),
        (
            {
                "entity": [f"e{i}" for i in range(20)],
                "outlet": [f"o{i}" for i in range(20)],
                "lang": ["en"],
            },
            "entity",
        ),
    ],
)
def test_bad_values_name_their_parameter(overrides: dict[str, Any], parameter: str) -> None:
    with pytest.raises(InvalidRequestError) as info:
        _params(**overrides)
    assert info.value.parameter == parameter


def test_facets_parameter() -> None:
    assert parse_facets(["outlet:20", "entity:5"]) == {
        "outlet": 20,
        "person": 5,
        "org": 5,
        "loc": 5,
    }
    assert parse_facets(["none"]) == {}
    assert set(parse_facets(None)) == set(ALL_FACETS)


@pytest.mark.parametrize(
    ("days", "interval"),
    [
        (1, "hour"),
        (2, "hour"),
        (3, "day"),
        (60, "day"),
        (61, "week"),
        (365, "week"),
        (3 * 365, "month"),
        (10 * 365, "quarter"),
        (40 * 365, "year"),
    ],
)
def test_auto_interval_keeps_at_most_sixty_buckets(days: int, interval: str) -> None:
    start = datetime(2000, 1, 1, tzinfo=UTC)
    end = start + timedelta(days=days)
    assert choose_interval(SearchParams(date_from=start, date_to=end)) == interval
    # An open range takes its ends from the dates the index holds.
    assert choose_interval(SearchParams(date_from=start), held=(start, end)) == interval
    assert choose_interval(SearchParams(), held=(start, end)) == interval
    assert choose_interval(SearchParams()) == "month"


def test_time_zones_are_those_opensearch_accepts() -> None:
    for zone in ("UTC", "Europe/London", "Asia/Tokyo", "America/New_York", "Europe/Kyiv"):
        assert _params(tz=zone).tz == zone
