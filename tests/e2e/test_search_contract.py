"""Contract tests of GET /search on the seeds, through real HTTP and through API Gateway events."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.conftest import Api
from tests.e2e.expected import facet_counts, matching, published, stories, text, value_counts

pytestmark = pytest.mark.e2e

Params = list[tuple[str, str]] | dict[str, str]


@pytest.fixture(params=["http", "event"])
def get(request: pytest.FixtureRequest, api: Api) -> Any:
    """GET through one transport; both must answer the same."""

    def call(path: str, params: Params | None = None) -> tuple[int, Any]:
        # Whole result sets by default, so ids can be compared with the stored entries.
        if path == "/search":
            pairs = list(params.items()) if isinstance(params, dict) else list(params or [])
            if not any(k == "size" for k, _ in pairs):
                pairs.append(("size", "100"))
            params = pairs
        if request.param == "http":
            reply = api.http(path, params)
            return reply.status_code, reply.json()
        status, body, _ = api.event(path, params)
        return status, body

    return call


def entries_of(seeded: dict[str, Any]) -> list[dict[str, Any]]:
    return list(seeded["entries"].values())


def ids(body: dict[str, Any]) -> set[str]:
    return {h["id"] for h in body["hits"]}


def test_default_search_lists_each_story_once_with_counts(get: Any, seeded_index: Any) -> None:
    entries = entries_of(seeded_index)
    status, body = get("/search", {"size": "100"})
    assert status == 200
    assert body["counts"] == {
        "entries": len(entries),
        "stories": stories(entries),
        "undated": sum(e["published"] is None for e in entries),
    }
    assert body["unit"] == "stories"
    assert body["total"] == stories(entries)
    assert len(body["hits"]) == stories(entries)
    assert len({h["cluster"] for h in body["hits"]}) == len(body["hits"])
    assert body["next_cursor"] is None
    for hit in body["hits"]:
        assert set(hit) >= {
            "id",
            "title",
            "snippet",
            "outlet",
            "outlet_name",
            "url",
            "published",
            "authors",
            "entities",
            "cited_outlets",
            "cluster",
            "also_reported_by",
        }


def test_default_page_size_is_ten(get: Any, seeded_index: Any) -> None:
    status, body = get("/search", {"size": "10"})
    assert status == 200
    assert len(body["hits"]) == min(10, body["total"])
    assert (body["next_cursor"] is None) == (body["total"] <= 10)


def test_query_text_matches_and_highlights_escaped(get: Any, seeded_index: Any) -> None:
    entries = entries_of(seeded_index)
    status, body = get("/search", {"q": "Gladkov", "dedup": "false", "size": "50"})
    assert status == 200
    assert ids(body) == {e["id"] for e in entries if "gladkov" in text(e).lower()}
    for hit in body["hits"]:
        assert "<mark>Gladkov</mark>" in hit["snippet"]
        # Only our own tags are markup: everything else came through escaped.
        assert "<" not in hit["snippet"].replace("<mark>", "").replace("</mark>", "")


@pytest.mark.parametrize(
    ("q", "keep"),
    [
        ("Belgorod -Zelensky", lambda t: "belgorod" in t and "zelensky" not in t),
        ("Zelensky | Reuters", lambda t: "zelensky" in t or "reuters" in t),
        ('"armoured vehicles"', lambda t: "armoured vehicles" in t),
        ("Glad*", lambda t: re.search(r"\bglad", t) is not None),
        ("+Reuters +Belgorod", lambda t: "reuters" in t and "belgorod" in t),
    ],
)
def test_query_syntax(get: Any, seeded_index: Any, q: str, keep: Any) -> None:
    status, body = get("/search", {"q": q, "dedup": "false", "size": "50"})
    assert status == 200
    expected = {e["id"] for e in entries_of(seeded_index) if keep(text(e).lower())}
    assert expected, "the query should match something in the seeds"
    assert ids(body) == expected


def test_title_matches_rank_first(get: Any, seeded_index: Any) -> None:
    status, body = get("/search", {"q": "militia", "dedup": "false", "size": "50"})
    assert status == 200
    in_title = ["militia" in (h["title"] or "").lower() for h in body["hits"]]
    assert any(in_title)
    assert not all(in_title)
    assert in_title == sorted(in_title, reverse=True)


def test_entities_are_anded_and_names_resolve(get: Any, seeded_index: Any) -> None:
    entries = entries_of(seeded_index)
    chosen = ["PERSON:Vyacheslav Gladkov", "ORG:Russian Volunteer Corps"]
    status, body = get("/search", [("entity", k) for k in chosen] + [("dedup", "false")])
    assert status == 200
    assert ids(body) == {e["id"] for e in matching(entries, entity=chosen)}

    status, body = get(
        "/search",
        [("entity", "gladkov"), ("entity", "Russian Volunteer Corps"), ("dedup", "false")],
    )
    assert status == 200
    assert [r["key"] for r in body["entities"]] == chosen
    assert ids(body) == {e["id"] for e in matching(entries, entity=chosen)}


def test_unknown_entity_name_gives_no_hits_and_says_so(get: Any) -> None:
    status, body = get("/search", {"entity": "Nobody Atall"})
    assert status == 200
    assert body["entities"] == [{"input": "Nobody Atall", "key": None}]
    assert body["total"] == 0
    assert body["hits"] == []


def test_entity_type_scopes_resolution_and_facets(get: Any) -> None:
    status, body = get("/search", {"entity": "Belgorod", "entity_type": "PERSON"})
    assert status == 200
    assert body["entities"][0]["key"] is None
    status, body = get("/search", {"entity": "Belgorod", "entity_type": "LOC"})
    assert body["entities"][0]["key"] == "LOC:Belgorod"
    assert set(body["facets"]) & {"person", "org", "loc"} == {"loc"}


def test_outlet_facet_is_multi_select(get: Any, seeded_index: Any) -> None:
    entries = entries_of(seeded_index)
    chosen = "independent.co.uk"
    status, body = get(
        "/search",
        {
            "outlet": chosen,
            "dedup": "false",
            "facet_stories": "true",
            "size": "100",
            "facets": "outlet:50,loc:50",
        },
    )
    assert status == 200
    assert ids(body) == {e["id"] for e in matching(entries, outlet=[chosen])}
    # The outlet facet ignores its own filter: every outlet, so a second can be ticked.
    assert facet_counts(body, "outlet") == value_counts(entries, lambda e: [e["outlet"]])
    flagged = {v["value"] for v in body["facets"]["outlet"]["values"] if v["selected"]}
    assert flagged == {chosen}
    # Other facets honour it.
    only = matching(entries, outlet=[chosen])
    assert facet_counts(body, "loc") == {
        f"LOC:{k}": v for k, v in value_counts(only, lambda e: e["entities_loc"]).items()
    }
    second = "usaworldnews.example.com"
    status, body = get(
        "/search", [("outlet", chosen), ("outlet", second), ("dedup", "false"), ("size", "100")]
    )
    assert ids(body) == {e["id"] for e in matching(entries, outlet=[chosen, second])}


def test_facets_honour_every_other_filter_exactly(get: Any, seeded_index: Any) -> None:
    entries = entries_of(seeded_index)
    outlet, cited, entity = (
        ["independent.co.uk", "ftsyndicate.example.com"],
        ["nytimes.com"],
        ["LOC:Belgorod"],
    )
    params = (
        [("outlet", o) for o in outlet]
        + [("cited_outlet", c) for c in cited]
        + [("entity", k) for k in entity]
        + [("facets", "entity:50,outlet:50,cited_outlet:50,language"), ("facet_stories", "true")]
    )
    status, body = get("/search", params)
    assert status == 200
    everything = matching(entries, outlet=outlet, cited=cited, entity=entity)
    assert body["counts"] == {
        "entries": len(everything),
        "stories": stories(everything),
        "undated": sum(e["published"] is None for e in everything),
    }
    # Selected values are listed even when they match nothing.
    assert facet_counts(body, "outlet") == dict.fromkeys(outlet, (0, 0)) | value_counts(
        matching(entries, cited=cited, entity=entity), lambda e: [e["outlet"]]
    )
    assert facet_counts(body, "cited_outlet") == dict.fromkeys(cited, (0, 0)) | value_counts(
        matching(entries, outlet=outlet, entity=entity), lambda e: e["cited_outlets"]
    )
    for facet, field in (
        ("person", "entities_person"),
        ("org", "entities_org"),
        ("loc", "entities_loc"),
    ):
        expected = value_counts(everything, lambda e, f=field: e[f])  # type: ignore[misc]
        assert facet_counts(body, facet) == {f"{facet.upper()}:{k}": v for k, v in expected.items()}
    loc = {v["value"]: v["selected"] for v in body["facets"]["loc"]["values"]}
    assert loc["LOC:Belgorod"] is True


def test_selected_value_with_no_hits_still_shows(get: Any) -> None:
    status, body = get(
        "/search", [("outlet", "nowhere.example.org"), ("entity", "PERSON:No One"), ("lang", "xx")]
    )
    assert status == 200
    assert body["total"] == 0
    for facet, value in (
        ("outlet", "nowhere.example.org"),
        ("person", "PERSON:No One"),
        ("language", "xx"),
    ):
        shown = {v["value"]: v for v in body["facets"][facet]["values"]}
        assert shown[value]["selected"] is True
        assert shown[value]["count"] == 0


def test_language_and_cited_outlet_filters(get: Any, seeded_index: Any) -> None:
    entries = entries_of(seeded_index)
    status, body = get(
        "/search",
        {"lang": "en", "cited_outlet": "reuters.com", "dedup": "false", "facet_stories": "true"},
    )
    assert status == 200
    assert ids(body) == {e["id"] for e in matching(entries, lang=["en"], cited=["reuters.com"])}
    assert facet_counts(body, "language") == value_counts(
        matching(entries, cited=["reuters.com"]), lambda e: [e["language"]]
    )


@pytest.mark.parametrize("tz", ["UTC", "Asia/Tokyo", "America/New_York"])
def test_date_range_is_inclusive_in_the_time_zone(get: Any, seeded_index: Any, tz: str) -> None:
    zone = ZoneInfo(tz)
    start = datetime(2023, 5, 24, tzinfo=zone)
    status, body = get(
        "/search",
        {"from": "2023-05-24", "to": "2023-05-24", "tz": tz, "dedup": "false", "size": "100"},
    )
    assert status == 200
    expected = {
        e["id"]
        for e in entries_of(seeded_index)
        if start <= published(e) < start + timedelta(days=1)
    }
    assert ids(body) == expected


def test_date_time_bounds_are_inclusive(get: Any, seeded_index: Any) -> None:
    entry = min(entries_of(seeded_index), key=published)
    moment = entry["published"]
    status, body = get("/search", {"from": moment, "to": moment, "dedup": "false"})
    assert status == 200
    assert ids(body) == {e["id"] for e in entries_of(seeded_index) if e["published"] == moment}


def test_date_histogram_has_empty_buckets_across_the_range(get: Any, seeded_index: Any) -> None:
    status, body = get(
        "/search",
        {
            "from": "2023-05-20",
            "to": "2023-05-29",
            "interval": "day",
            "facets": "date",
            "facet_stories": "true",
        },
    )
    assert status == 200
    date = body["facets"]["date"]
    assert date["interval"] == "day"
    days = [v["value"][:10] for v in date["values"]]
    assert days == [f"2023-05-{d:02d}" for d in range(20, 30)]
    per_day = value_counts(entries_of(seeded_index), lambda e: [e["published"][:10]])
    for value in date["values"]:
        assert (value["count"], value["stories"]) == per_day.get(value["value"][:10], (0, 0))


def test_auto_interval_follows_the_range(get: Any) -> None:
    _, body = get("/search", {"from": "2023-05-24", "to": "2023-05-24", "facets": "date"})
    assert body["facets"]["date"]["interval"] == "hour"
    assert len(body["facets"]["date"]["values"]) == 24
    _, body = get("/search", {"from": "2023-01-01", "to": "2023-12-31", "facets": "date"})
    assert body["facets"]["date"]["interval"] == "week"
    _, body = get("/search", {"facets": "date"})
    assert body["facets"]["date"]["values"]


def test_story_counts_per_value_only_when_asked(get: Any) -> None:
    _, body = get("/search", {"facets": "outlet"})
    assert all(v["stories"] is None for v in body["facets"]["outlet"]["values"])
    assert body["counts"]["stories"] >= 1
    _, body = get("/search", {"facets": "outlet", "facet_stories": "true"})
    assert all(v["stories"] >= 1 for v in body["facets"]["outlet"]["values"])


def test_facets_parameter_picks_facets_and_sizes(get: Any) -> None:
    status, body = get("/search", {"facets": "outlet:2,loc"})
    assert status == 200
    assert set(body["facets"]) == {"outlet", "loc"}
    assert len(body["facets"]["outlet"]["values"]) == 2
    _, body = get("/search", {"facets": "none"})
    assert body["facets"] == {}


@pytest.mark.parametrize("order", ["newest", "oldest"])
def test_sort_by_date(get: Any, order: str) -> None:
    status, body = get("/search", {"sort": order, "dedup": "false"})
    assert status == 200
    times = [h["published"] for h in body["hits"]]
    assert times == sorted(times, reverse=order == "newest")


@pytest.mark.parametrize(
    ("dedup", "sort"),
    [("true", "relevance"), ("true", "newest"), ("false", "oldest"), ("false", "relevance")],
)
def test_cursor_pages_through_everything_once(
    get: Any, seeded_index: Any, dedup: str, sort: str
) -> None:
    entries = entries_of(seeded_index)
    seen: list[str] = []
    clusters: list[str] = []
    params = {"q": "Belgorod", "size": "2", "dedup": dedup, "sort": sort, "facets": "none"}
    cursor = None
    for _ in range(50):
        status, body = get("/search", {**params, **({"cursor": cursor} if cursor else {})})
        assert status == 200
        seen += [h["id"] for h in body["hits"]]
        clusters += [h["cluster"] for h in body["hits"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    matched = [e for e in entries if "belgorod" in text(e).lower()]
    if dedup == "true":
        assert sorted(set(clusters)) == sorted(clusters) == sorted({e["cluster"] for e in matched})
    else:
        assert sorted(seen) == sorted(e["id"] for e in matched)


def test_cursor_is_tamper_checked_and_bound_to_its_query(get: Any) -> None:
    _, body = get("/search", {"size": "1"})
    cursor = body["next_cursor"]
    assert cursor
    payload, mac = cursor.split(".")
    forged = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + mac
    for params in (
        {"size": "1", "cursor": forged},
        {"size": "1", "cursor": "garbage"},
        {"size": "1", "q": "other", "cursor": cursor},
    ):
        status, error = get("/search", params)
        assert status == 400
        assert error["parameter"] == "cursor"


def test_dedup_shows_copies_and_can_be_turned_off(get: Any, seeded_index: Any) -> None:
    entries = entries_of(seeded_index)
    by_cluster: dict[str, list[dict[str, Any]]] = {}
    for e in entries:
        by_cluster.setdefault(e["cluster"], []).append(e)
    stories = {c: m for c, m in by_cluster.items() if len(m) > 1}
    assert stories
    _, body = get("/search", {"size": "50"})
    # Every story of several entries: its hit carries the size and the other copies.
    for cluster, members in stories.items():
        shown = [h for h in body["hits"] if h["cluster"] == cluster]
        assert len(shown) == 1
        assert shown[0]["copies"] == len(members)
        others = {m["id"]: m for m in members if m["id"] != shown[0]["id"]}
        reported = {c["id"]: c for c in shown[0]["also_reported_by"]}
        assert set(reported) == set(others)
        for entry_id, copy in reported.items():
            assert copy["outlet"] == others[entry_id]["outlet"]
            assert copy["url"] == others[entry_id]["url"]
            assert published({"published": copy["published"]}) == published(others[entry_id])
    cluster, members = next(iter(stories.items()))
    _, body = get("/search", {"size": "50", "dedup": "false"})
    assert {h["id"] for h in body["hits"] if h["cluster"] == cluster} == {m["id"] for m in members}
    assert body["total"] == len(entries)
