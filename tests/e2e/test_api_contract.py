"""Contract tests of /entries, /entities, /outlets, /health, the docs and every error path."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.conftest import Api
from tests.e2e.expected import published, value_counts

pytestmark = pytest.mark.e2e


@pytest.fixture(params=["http", "event"])
def get(request: pytest.FixtureRequest, api: Api) -> Any:
    def call(path: str, params: Any = None) -> tuple[int, Any, str]:
        if request.param == "http":
            reply = api.http(path, params)
            return (
                reply.status_code,
                reply.json() if "json" in reply.headers.get("content-type", "") else None,
                reply.text,
            )
        status, body, _ = api.event(path, params)
        return status, body, str(body)

    return call


def test_health_reports_index_and_count(get: Any, seeded_index: Any) -> None:
    status, body, _ = get("/health")
    assert status == 200
    assert body == {
        "status": "ok",
        "opensearch": body["opensearch"],
        "index": True,
        "entries": len(seeded_index["entries"]),
    }


def test_entry_has_body_sources_and_cluster_members(get: Any, seeded_index: Any) -> None:
    entries = seeded_index["entries"]
    clustered = [
        e
        for e in entries.values()
        if sum(o["cluster"] == e["cluster"] for o in entries.values()) > 1
    ]
    entry = clustered[0]
    status, body, _ = get(f"/entries/{entry['id']}")
    assert status == 200
    assert body["body"] == entry["body"]
    assert body["title"] == entry["title"]
    assert body["entities"] == entry["entities"]
    assert [(s["bucket"], s["key"]) for s in body["sources"]] == [
        (s["bucket"], s["key"]) for s in entry["sources"]
    ]
    assert all(s["first_seen"] and s["last_seen"] for s in body["sources"])
    members = {e["id"] for e in clustered if e["cluster"] == entry["cluster"]} - {entry["id"]}
    assert {m["id"] for m in body["cluster_members"]} == members


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/entries/0123456789abcdef0123456789abcdef", 404),
        ("/entries/not..an..id", 422),
        ("/no/such/route", 404),
    ],
)
def test_unknown_things_are_404_or_422(get: Any, path: str, status: int) -> None:
    got, body, _ = get(path)
    assert got == status
    assert body["error"]
    assert body["message"]


def test_entity_suggestions_by_prefix_most_frequent_first(get: Any, seeded_index: Any) -> None:
    entries = list(seeded_index["entries"].values())
    counts = value_counts(entries, lambda e: e["entities"])
    for prefix, expected in (
        ("glad", "PERSON:Vyacheslav Gladkov"),
        ("volunteer", "ORG:Russian Volunteer Corps"),
        ("BELG", "LOC:Belgorod"),
    ):
        status, body, _ = get("/entities", {"prefix": prefix})
        assert status == 200
        keys = [s["key"] for s in body["entities"]]
        assert expected in keys
        for suggestion in body["entities"]:
            assert suggestion["count"] == counts[suggestion["key"]][0]
            assert any(w.lower().startswith(prefix.lower()) for w in suggestion["name"].split())
    status, body, _ = get("/entities", {"type": "LOC", "size": "3"})
    got = [(s["key"], s["count"]) for s in body["entities"]]
    assert len(got) == 3
    assert all(k.startswith("LOC:") for k, _ in got)
    assert [c for _, c in got] == sorted((c for _, c in got), reverse=True)
    assert got[0][1] == max(n for k, (n, _) in counts.items() if k.startswith("LOC:"))


def test_outlets_with_counts_and_date_range(get: Any, seeded_index: Any) -> None:
    entries = list(seeded_index["entries"].values())
    status, body, _ = get("/outlets")
    assert status == 200
    by_outlet = {o["outlet"]: o for o in body["outlets"]}
    assert set(by_outlet) == {e["outlet"] for e in entries}
    for outlet, stats in by_outlet.items():
        mine = [e for e in entries if e["outlet"] == outlet]
        assert stats["entries"] == len(mine)
        assert published({"published": stats["first_published"]}) == min(map(published, mine))
        assert published({"published": stats["last_published"]}) == max(map(published, mine))


@pytest.mark.parametrize(
    ("params", "status", "parameter"),
    [
        ({"size": "0"}, 422, "size"),
        ({"size": "101"}, 422, "size"),
        ({"size": "ten"}, 422, "size"),
        ({"sort": "random"}, 422, "sort"),
        ({"interval": "minute"}, 422, "interval"),
        ({"dedup": "maybe"}, 422, "dedup"),
        ({"entity_type": "THING"}, 422, "entity_type"),
        ({"q": "x" * 501}, 422, "q"),
        ({"from": "yesterday"}, 400, "from"),
        ({"to": "2023-13-45"}, 400, "to"),
        ({"from": "2023-05-25", "to": "2023-05-24"}, 400, "from"),
        ({"tz": "Mars/Olympus_Mons"}, 400, "tz"),
        ({"facets": "colour"}, 400, "facets"),
        ({"facets": "outlet:500"}, 400, "facets"),
        ({"q": " ".join(["word"] * 40)}, 400, "q"),
        ([("outlet", f"o{i}.example") for i in range(21)], 422, "outlet"),
        ({"tz": "EST"}, 400, "tz"),  # Python knows it, OpenSearch does not
        ({"tz": "localtime"}, 400, "tz"),
        ({"qq": "Belgorod"}, 400, "qq"),  # unknown parameters are never ignored
        ({"page": "2", "size": "0"}, 400, "page"),
        ({"from": "1900-01-01", "to": "2023-01-01", "interval": "hour"}, 400, "interval"),
        ({"cursor": "bm90LWEtY3Vyc29y.AAAA"}, 400, "cursor"),
    ],
)
def test_bad_parameters_are_named(get: Any, params: Any, status: int, parameter: str) -> None:
    got, body, raw = get("/search", params)
    assert got == status
    assert body["parameter"] == parameter
    assert body["message"]
    assert "Traceback" not in raw


@pytest.mark.parametrize(
    ("path", "params", "parameter"),
    [
        ("/entities", {"prefix": "a" * 51}, "prefix"),
        ("/entities", {"type": "PLANET"}, "type"),
        ("/outlets", {"size": "0"}, "size"),
    ],
)
def test_bad_parameters_on_other_routes(get: Any, path: str, params: Any, parameter: str) -> None:
    got, body, _ = get(path, params)
    assert got == 422
    assert body["parameter"] == parameter


def test_openapi_document_and_swagger_ui(api: Api) -> None:
    reply = api.http("/openapi.json")
    assert reply.status_code == 200
    document = reply.json()
    assert document["info"]["title"] == "newsfacet search API"
    assert "Query syntax" in document["info"]["description"]
    paths = document["paths"]
    assert {
        "/search",
        "/export",
        "/facets/{name}",
        "/entries/{entry_id}",
        "/entities",
        "/outlets",
        "/health",
    } <= set(paths)
    page = api.http("/docs")
    assert page.status_code == 200
    assert "swagger" in page.text.lower()
    # The page shows the very document /openapi.json serves, not a second one.
    assert json.dumps(document["info"]["title"]) in page.text
    assert api.http("/docs", {"format": "json"}).status_code == 400


def test_unknown_parameter_names_it_and_lists_the_known_ones(api: Api) -> None:
    reply = api.http("/search", {"qq": "Belgorod"})
    assert reply.status_code == 400
    body = reply.json()
    assert body["error"] == "unknown_parameter"
    assert body["parameter"] == "qq"
    assert {"q", "outlet", "exclude_outlet", "undated", "cursor"} <= set(body["known"])
    reply = api.http("/outlets", {"size": "5", "page": "2"})
    assert reply.status_code == 400
    assert reply.json()["known"] == ["size"]


def test_entity_prefix_is_any_text(api: Api) -> None:
    # Built into an escaped pattern: regex syntax from a client is just characters.
    reply = api.http("/entities", {"prefix": "glad[.*"})
    assert reply.status_code == 200
    assert reply.json() == {"entities": []}


@pytest.mark.parametrize("name", ["api-search.json", "api-health.json"])
def test_committed_events_invoke_the_function(search_function: Any, name: str) -> None:
    """What ``sam local invoke SearchFunction -e events/<name>`` sends."""
    from tests.conftest import load_event

    handler, context = search_function
    result = handler(load_event(name), context)
    assert result["statusCode"] == 200
