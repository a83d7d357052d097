"""Issue 12's contract, over the running local stack: search the way people type, honest dates.

The demo's path: the five seeds (no upload metadata, as ``make demo`` sends them)
and three more articles are uploaded to the local bucket (moto_server), the
queue drives the ingest function, and the search function answers real HTTP.
Expected values are computed from what the index stores, never typed in.
"""

from __future__ import annotations

import csv
import io
import json
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import ROOT, seed_paths

pytestmark = pytest.mark.e2e

ARTICLES: dict[str, bytes] = {
    "extra/kiev.json": json.dumps(
        {
            "title": "Drone debris falls on a Kiev suburb overnight",
            "text": (
                "Debris from a downed drone fell on a suburb of Kiev overnight, the city's "
                "military administration said on Friday. Nobody was hurt, officials in Kiev "
                "said, but windows were broken in several houses and a car caught fire. Air "
                "defence units shot down most of the drones launched towards the capital, "
                "according to the statement, which gave no further details."
            ),
            "author": "Olena Petrenko",
            "url": "https://www.theguardian.com/world/2023/may/26/kiev-drone-debris",
            "published": "2023-05-26T10:00:00Z",
        }
    ).encode(),
    "extra/rdk.json": json.dumps(
        {
            "title": "RDK fighters claim a second incursion",
            "text": (
                "Fighters of the RDK said on Sunday that they had crossed the border again "
                "near the village of Kozinka. The group published a video that could not be "
                "verified independently. Russian officials said the attack had been repelled "
                "and that the governor would give more details later in the day."
            ),
            "author": ["Olena Petrenko", "Mark Doyle"],
            "url": "https://kyivindependent.com/rdk-fighters-second-incursion",
            "published": "2023-05-28T07:30:00Z",
        }
    ).encode(),
    # No outlet, no date anywhere: the "unknown" outlet and an undated entry.
    "inbox/note.txt": (
        b"Residents of the border region describe a night of shelling\n\n"
        b"People living near the border said they spent the night in basements as shells "
        b"fell on several villages. Many said they had packed a bag and were waiting for "
        b"buses to take them further from the border. Local volunteers brought water and "
        b"bread to those who stayed behind.\n"
    ),
}


@pytest.fixture(scope="module")
def base(opensearch_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The local stack with its own bucket, queue and index, seeded as the demo seeds it."""
    import boto3

    from newsfacet.config import Settings
    from newsfacet.index.client import build_client
    from newsfacet.index.setup import delete_indices
    from newsfacet_cli.local.apigw import make_server
    from newsfacet_cli.local.invoke import invoke
    from newsfacet_cli.local.poller import QueuePoller
    from newsfacet_cli.local.stack import LocalStack, free_port, stop_pid
    from newsfacet_cli.local.template import Template

    prefix = f"sem{uuid.uuid4().hex[:8]}"
    stack = LocalStack(
        ROOT, state_dir=tmp_path_factory.mktemp("semantics") / "stack", index_prefix=prefix
    )
    endpoint = stack.start_moto()
    try:
        info = stack.provision(opensearch_url, endpoint)
        session = boto3.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        )
        s3 = session.client("s3", endpoint_url=info.aws_endpoint)
        sqs = session.client("sqs", endpoint_url=info.aws_endpoint)
        for path in seed_paths():
            s3.upload_file(str(path), info.bucket, f"demo/{path.name}")
        for key, data in ARTICLES.items():
            s3.put_object(Bucket=info.bucket, Key=key, Body=data)
        template = Template(ROOT / "template.yaml")
        overrides = info.function_overrides()
        poller = QueuePoller(
            sqs, info.queue_url, lambda event: invoke(template, "IngestFunction", event, overrides)
        )
        poller.drain(idle_s=2, timeout_s=180)
        server = make_server(
            lambda event: invoke(template, "SearchFunction", event, overrides),
            "127.0.0.1",
            free_port(),
        )
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()
    finally:
        stop_pid(int(stack.moto_pidfile.read_text()))
        settings = Settings(opensearch_url=opensearch_url, index_prefix=prefix)  # type: ignore[arg-type]
        delete_indices(build_client(settings), settings.index_names)


def get(base: str, path: str, params: Any = None) -> tuple[int, Any]:
    reply = requests.get(base + path, params=params, timeout=60)
    assert reply.status_code < 500, reply.text
    return reply.status_code, reply.json()


def every(base: str, params: Any) -> list[dict[str, Any]]:
    """Every hit of a search, walking the cursor (entries, not stories)."""
    pairs = list(params.items()) if isinstance(params, dict) else list(params)
    pairs += [("dedup", "false"), ("size", "100"), ("facets", "none")]
    hits: list[dict[str, Any]] = []
    cursor = None
    for _ in range(20):
        status, body = get(base, "/search", pairs + ([("cursor", cursor)] if cursor else []))
        assert status == 200, body
        hits += body["hits"]
        cursor = body["next_cursor"]
        if cursor is None:
            return hits
    raise AssertionError("too many pages")


def ids(base: str, params: Any) -> set[str]:
    return {h["id"] for h in every(base, params)}


@pytest.fixture(scope="module")
def stored(base: str) -> list[dict[str, Any]]:
    """Every entry as the API returns it (its own view of the index)."""
    return [get(base, f"/entries/{h['id']}")[1] for h in every(base, {})]


def test_or_is_a_union(base: str) -> None:
    belgorod, kyiv = ids(base, {"q": "Belgorod"}), ids(base, {"q": "Kyiv"})
    both = ids(base, {"q": "Belgorod OR Kyiv"})
    assert both == belgorod | kyiv
    assert len(both) > max(len(belgorod), len(kyiv))
    assert ids(base, {"q": "Belgorod | Kyiv"}) == both
    # OR binds tighter than AND
    assert ids(base, {"q": "(Belgorod OR Kyiv) drone"}) == ids(
        base, {"q": "Belgorod OR Kyiv drone"}
    )


def test_minus_and_not_exclude(base: str) -> None:
    belgorod, drone = ids(base, {"q": "Belgorod"}), ids(base, {"q": "drone"})
    assert ids(base, {"q": "Belgorod -drone"}) == belgorod - drone
    assert ids(base, {"q": "Belgorod NOT drone"}) == belgorod - drone
    assert belgorod - drone
    assert belgorod & drone


def test_phrase_prefix_and_fields(base: str, stored: list[dict[str, Any]]) -> None:
    def text(e: dict[str, Any]) -> str:
        return f"{e['title'] or ''}\n{e['body']}".lower()

    assert ids(base, {"q": '"military administration"'}) == {
        e["id"] for e in stored if "military administration" in text(e)
    }
    assert ids(base, {"q": "author:petrenko"}) == {
        e["id"] for e in stored if any("Petrenko" in a for a in e["authors"])
    }
    assert ids(base, {"q": "outlet:guardian"}) == {
        e["id"] for e in stored if e["outlet"] == "theguardian.com"
    }
    titles = ids(base, {"q": "title:incursion"})
    assert titles
    assert all("incursion" in (e["title"] or "").lower() for e in stored if e["id"] in titles)


@pytest.mark.parametrize("q", ['"(unclosed', "OR", "NOT", "a*", "((", "-", "title:", "AND OR NOT"])
def test_nothing_typed_is_an_error(base: str, q: str) -> None:
    status, _ = get(base, "/search", {"q": q})
    assert status == 200


def test_alias_queries_find_the_same_entries(base: str, stored: list[dict[str, Any]]) -> None:
    kiev, kyiv = ids(base, {"q": "Kiev"}), ids(base, {"q": "Kyiv"})
    assert kiev == kyiv
    typed_kiev = {e["id"] for e in stored if "kiev" in f"{e['title']} {e['body']}".lower()}
    typed_kyiv = {e["id"] for e in stored if "kyiv" in f"{e['title']} {e['body']}".lower()}
    assert typed_kiev
    assert typed_kyiv
    assert typed_kiev != typed_kyiv
    assert kiev >= typed_kiev | typed_kyiv - {
        e["id"] for e in stored if "kyiv independent" in e["body"].lower()
    }
    # RDK <-> Russian Volunteer Corps (and RVC), both ways.
    assert ids(base, {"q": "RDK"}) == ids(base, {"q": '"Russian Volunteer Corps"'})
    # Highlights show what matched: the other name.
    _, body = get(base, "/search", {"q": "Kiev", "dedup": "false", "size": "50"})
    marks = " ".join(h["snippet"] for h in body["hits"])
    assert "<mark>Kyiv</mark>" in marks
    assert "<mark>Kiev</mark>" in marks
    # The entity filter takes an alias too.
    _, body = get(base, "/search", {"entity": "Kiev"})
    assert body["entities"] == [{"input": "Kiev", "key": "LOC:Kyiv"}]


def test_unknown_parameters_are_400_naming_them(base: str) -> None:
    status, body = get(base, "/search", {"qq": "Belgorod"})
    assert status == 400
    assert body["parameter"] == "qq"
    assert "q" in body["known"]
    status, body = get(base, "/search", {"page": "2"})
    assert (status, body["parameter"]) == (400, "page")


def test_outlet_by_display_name_or_alias(base: str) -> None:
    by_domain = ids(base, {"outlet": "independent.co.uk"})
    assert by_domain
    assert ids(base, {"outlet": "The Independent"}) == by_domain
    _, body = get(base, "/search", {"outlet": "The Independent"})
    assert {"parameter": "outlet", "input": "The Independent", "value": "independent.co.uk"} in (
        body["filters"]
    )
    assert ids(base, {"outlet": "Guardian"}) == ids(base, {"outlet": "theguardian.com"})


def test_unknown_outlet_is_a_value(base: str, stored: list[dict[str, Any]]) -> None:
    _, body = get(base, "/search", {"facets": "outlet:50"})
    values = {v["value"]: v for v in body["facets"]["outlet"]["values"]}
    nameless = {e["id"] for e in stored if e["outlet"] is None}
    assert nameless
    assert values["unknown"]["count"] == len(nameless)
    assert values["unknown"]["label"] == "Unknown outlet"
    assert ids(base, {"outlet": "unknown"}) == nameless
    assert ids(base, {"exclude_outlet": "unknown"}) == {e["id"] for e in stored} - nameless


def test_author_filter_and_facet(base: str, stored: list[dict[str, Any]]) -> None:
    _, body = get(base, "/search", {"facets": "author:50", "dedup": "false"})
    facet = {v["value"]: v["count"] for v in body["facets"]["author"]["values"]}
    assert facet["Olena Petrenko"] == 2
    expected = {e["id"] for e in stored if "Olena Petrenko" in e["authors"]}
    assert ids(base, {"author": "Olena Petrenko"}) == expected
    assert ids(base, {"exclude_author": "Olena Petrenko"}) == {e["id"] for e in stored} - expected


def test_undated_entries_say_so(base: str, stored: list[dict[str, Any]]) -> None:
    undated = [e for e in stored if e["published"] is None]
    dated = [e for e in stored if e["published"] is not None]
    assert undated
    assert dated
    for entry in undated:
        assert entry["published_source"] is None
        assert entry["ingested_at"] is not None
        assert entry["warnings"]
    for entry in dated:
        assert entry["published_source"] in {"page", "text", "object_metadata", "liveblog"}
    hits = {h["id"]: h for h in every(base, {})}
    for entry in stored:
        hit = hits[entry["id"]]
        assert (hit["published"], hit["published_source"], hit["ingested_at"], hit["warnings"]) == (
            entry["published"],
            entry["published_source"],
            entry["ingested_at"],
            entry["warnings"],
        )
    assert ids(base, {"undated": "only"}) == {e["id"] for e in undated}
    assert ids(base, {"undated": "exclude"}) == {e["id"] for e in dated}


def test_date_facet_covers_dated_entries_only(base: str, stored: list[dict[str, Any]]) -> None:
    status, body = get(base, "/search", {"facets": "date"})
    assert status == 200
    date = body["facets"]["date"]
    undated = sum(e["published"] is None for e in stored)
    assert date["undated"] == body["counts"]["undated"] == undated
    assert sum(v["count"] for v in date["values"]) == len(stored) - undated
    assert date["interval"] in {"hour", "day", "week", "month", "quarter", "year"}
    for value in date["values"]:
        assert value["start"].startswith("2023-05"), value
        assert value["label"]
        assert value["end"] > value["start"]
    # The labelled buckets drill down: from/to of a bucket give its count.
    busiest = max(date["values"], key=lambda v: v["count"])
    _, narrowed = get(
        base,
        "/search",
        {"from": busiest["start"], "to": busiest["end"], "dedup": "false", "facets": "none"},
    )
    at_end = sum(e["published"] == busiest["end"] for e in stored if e["published"])
    assert narrowed["counts"]["entries"] == busiest["count"] + at_end


def test_newest_first_starts_with_a_dated_entry(base: str) -> None:
    for order in ("newest", "oldest"):
        hits = every(base, {"sort": order})
        times = [h["published"] for h in hits]
        assert times[0] is not None
        dated = [t for t in times if t is not None]
        assert times[: len(dated)] == dated  # undated last
        assert dated == sorted(dated, reverse=order == "newest")


def test_counts_say_what_they_count(base: str, stored: list[dict[str, Any]]) -> None:
    _, body = get(base, "/search", {"facets": "outlet:50,date"})
    assert body["unit"] == "stories"
    assert body["total"] == body["counts"]["stories"] <= body["counts"]["entries"] == len(stored)
    assert all(f["counts"] == "entries" for f in body["facets"].values())
    outlet_total = sum(v["count"] for v in body["facets"]["outlet"]["values"])
    assert outlet_total == body["counts"]["entries"]
    _, flat = get(base, "/search", {"dedup": "false"})
    assert (flat["unit"], flat["total"]) == ("entries", len(stored))


def test_exclusions(base: str, stored: list[dict[str, Any]]) -> None:
    everything = {e["id"] for e in stored}
    independent = {e["id"] for e in stored if e["outlet"] == "independent.co.uk"}
    assert ids(base, {"exclude_outlet": "The Independent"}) == everything - independent
    _, body = get(base, "/search", {"exclude_outlet": "independent.co.uk", "facets": "outlet"})
    shown = {v["value"]: v for v in body["facets"]["outlet"]["values"]}
    assert shown["independent.co.uk"]["excluded"] is True
    assert shown["independent.co.uk"]["count"] == len(independent)
    rvc = {e["id"] for e in stored if "ORG:Russian Volunteer Corps" in e["entities"]}
    assert rvc
    assert ids(base, {"exclude_entity": "RDK"}) == everything - rvc


def test_search_within_a_facet(base: str) -> None:
    status, body = get(base, "/facets/outlet", {"prefix": "indep"})
    assert status == 200
    # By domain, or by a word of the display name ("Kyiv Independent").
    assert [v["value"] for v in body["values"]] == ["independent.co.uk", "kyivindependent.com"]
    _, body = get(base, "/facets/outlet", {"prefix": "guard"})
    assert [v["value"] for v in body["values"]] == ["theguardian.com"]
    _, body = get(base, "/facets/author", {"prefix": "petr"})
    assert [(v["value"], v["count"]) for v in body["values"]] == [("Olena Petrenko", 2)]
    _, body = get(base, "/facets/person", {"prefix": "glad"})
    assert body["values"]
    assert all("Gladkov" in v["value"] for v in body["values"])
    status, _ = get(base, "/facets/colour", {})
    assert status == 422


@pytest.mark.parametrize("fmt", ["ndjson", "csv"])
def test_export_returns_every_match_once(base: str, fmt: str) -> None:
    expected = ids(base, {"q": "Belgorod OR border"})
    reply = requests.get(
        base + "/export", params={"q": "Belgorod OR border", "format": fmt}, timeout=60
    )
    assert reply.status_code == 200
    if fmt == "ndjson":
        rows = [json.loads(line) for line in reply.text.splitlines()]
    else:
        rows = list(csv.DictReader(io.StringIO(reply.text)))
    exported = [r["id"] for r in rows]
    assert len(exported) == len(set(exported)) == len(expected)
    assert set(exported) == expected
    assert reply.headers["X-Export-Complete"] == "true"
    assert reply.headers["X-Export-Total"] == str(len(expected))
    limited = requests.get(base + "/export", params={"limit": "2"}, timeout=60)
    assert len(limited.text.splitlines()) == 2
    assert limited.headers["X-Export-Complete"] == "false"


@pytest.mark.parametrize("tz", ["EST", "HST", "MST", "ROC", "Factory", "localtime", "posixrules"])
def test_time_zones_opensearch_refuses_are_400(base: str, tz: str) -> None:
    status, body = get(base, "/search", {"tz": tz})
    assert (status, body["parameter"]) == (400, "tz")


def test_a_relevance_walk_opens_its_point_in_time_on_page_two(base: str) -> None:
    from newsfacet.search.cursor import _unb64

    _, first = get(base, "/search", {"q": "Belgorod", "size": "1", "facets": "none"})
    payload = json.loads(_unb64(first["next_cursor"].split(".")[0]))
    assert payload["p"] is None  # nothing held open for a search nobody pages
    _, second = get(
        base,
        "/search",
        {"q": "Belgorod", "size": "1", "facets": "none", "cursor": first["next_cursor"]},
    )
    payload = json.loads(_unb64(second["next_cursor"].split(".")[0]))
    assert payload["p"]


def test_seed_files_are_in_the_index(stored: list[dict[str, Any]]) -> None:
    keys = {s["key"] for e in stored for s in e["sources"]}
    assert {f"demo/{p.name}" for p in seed_paths()} <= keys
    assert set(ARTICLES) <= keys
    assert Path(ROOT / "samples" / "seeds").is_dir()


def test_cited_outlets_belong_to_the_post_that_cites_them(stored: list[dict[str, Any]]) -> None:
    from newsfacet.ingest.outlets import outlet_aliases, outlet_names

    names: dict[str, set[str]] = {}
    for name, domain in outlet_aliases().items():
        names.setdefault(domain, set()).add(name.lower())
    for domain, name in outlet_names().items():
        names.setdefault(domain, set()).add(name.lower().removeprefix("the "))
    posts = [e for e in stored if e["kind"] == "liveblog_post"]
    assert posts
    assert len({tuple(e["cited_outlets"]) for e in posts}) > 1, "every post cites the same"
    for entry in stored:
        text = f"{entry['title'] or ''}\n{entry['body']}".lower()
        for domain in entry["cited_outlets"]:
            assert any(n in text for n in names.get(domain, {domain})), (entry["id"], domain)
