"""Curation and cross-document surnames end to end, through the production entry points.

The seeds go up to the local stack's bucket (moto_server) and through the queue
to IngestFunction; searches are real HTTP to the functions the template routes
them to; changes are made with the ``newsfacet curate`` command (a subprocess,
as a user runs it, finding the stack by its state folder); background passes
run in AdminFunction, fed by the curation queue, as on AWS.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import ROOT, seed_paths
from tests.unit.test_entity_chain import NOT_NAMES

pytestmark = pytest.mark.e2e

SOURCE, TARGET = "ORG:Politburo", "ORG:Chinese Communist Party"
# A search container asks whether the table changed at most this often (Settings default).
PROBE_S = 1.0
NEWSFACET = Path(sys.executable).parent / "newsfacet"


@pytest.fixture(scope="module")
def demo(opensearch_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The demo's path: stack, seeds ingested by the queue, HTTP in front of the functions."""
    import boto3

    from newsfacet.config import Settings
    from newsfacet.index.client import build_client
    from newsfacet.index.setup import delete_indices
    from newsfacet_cli.local.apigw import dispatch, make_server
    from newsfacet_cli.local.invoke import invoke
    from newsfacet_cli.local.poller import QueuePoller
    from newsfacet_cli.local.stack import LocalStack, stop_pid
    from newsfacet_cli.local.template import Template

    state = tmp_path_factory.mktemp("curation") / "stack"
    stack = LocalStack(ROOT, state_dir=state, index_prefix=f"cur{uuid.uuid4().hex[:8]}")
    info = stack.provision(opensearch_url, stack.start_moto())
    template = Template(ROOT / "template.yaml")
    overrides = {**info.function_overrides(), "POWERTOOLS_LOG_LEVEL": "WARNING"}
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    s3 = session.client("s3", endpoint_url=info.aws_endpoint)
    sqs = session.client("sqs", endpoint_url=info.aws_endpoint)
    ingest = QueuePoller(
        sqs, info.queue_url, lambda event: invoke(template, "IngestFunction", event, overrides)
    )
    passes = QueuePoller(
        sqs,
        info.curation_queue_url,
        lambda event: invoke(template, "AdminFunction", event, overrides),
        batch_size=1,
    )
    for path in seed_paths():
        s3.upload_file(str(path), info.bucket, f"seeds/{path.name}")
    ingest.drain(idle_s=2, timeout_s=300)
    server = make_server(
        dispatch(template.http_routes(), lambda fn, ev: invoke(template, fn, ev, overrides)),
        "127.0.0.1",
        0,
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings = Settings(opensearch_url=opensearch_url, index_prefix=info.index_prefix)  # type: ignore[arg-type]
    try:
        yield {
            "api": f"http://127.0.0.1:{server.server_address[1]}",
            "info": info,
            "state": state,
            "s3": s3,
            "ingest": ingest,
            "passes": passes,
            "client": build_client(settings),
            "alias": settings.index_names.entries,
        }
    finally:
        server.shutdown()
        server.server_close()
        stop_pid(int(stack.moto_pidfile.read_text()))
        delete_indices(build_client(settings), settings.index_names)


def _get(demo: dict[str, Any], path: str, **params: Any) -> dict[str, Any]:
    response = requests.get(demo["api"] + path, params=params, timeout=60)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _facets(demo: dict[str, Any]) -> dict[str, dict[str, int]]:
    body = _get(demo, "/search", facets="person:50,org:50,loc:50", dedup="false", size=1)
    return {
        name: {v["value"]: v["count"] for v in body["facets"][name]["values"]}
        for name in ("person", "org", "loc")
    }


def _stored(demo: dict[str, Any]) -> dict[str, dict[str, Any]]:
    demo["client"].indices.refresh(index=demo["alias"])
    hits = demo["client"].search(index=demo["alias"], body={"size": 500})["hits"]["hits"]
    return {h["_id"]: h["_source"] for h in hits}


def _carrying(entries: dict[str, dict[str, Any]], field: str, *keys: str) -> set[str]:
    return {i for i, e in entries.items() if set(keys) & set(e.get(field) or [])}


def _cli(demo: dict[str, Any], *args: str, state: Path | None = None) -> tuple[int, str, str]:
    env = {**os.environ, "NEWSFACET_STATE_DIR": str(state or demo["state"])}
    env = {
        k: v for k, v in env.items() if not k.startswith("NEWSFACET_") or k.endswith("STATE_DIR")
    }
    done = subprocess.run(
        [str(NEWSFACET), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    return done.returncode, done.stdout, done.stderr


def _lines(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines()]


def test_seed_facet_values_are_real_names_one_per_thing(demo: dict[str, Any]) -> None:
    facets = _facets(demo)
    names = {key.split(":", 1)[1] for values in facets.values() for key in values}
    assert not names & NOT_NAMES
    assert "PERSON:Natalia Abbakumova" in facets["person"]
    # One value per real thing: aliases, acronyms, surnames and region spellings folded.
    for one, others in [
        ("PERSON:Vyacheslav Gladkov", ["PERSON:Gladkov", "ORG:Gladkov"]),
        ("ORG:Russian Volunteer Corps", ["ORG:RDK", "ORG:RVC"]),
        (
            "ORG:Freedom of Russia Legion",
            ["ORG:Free Russian Legion", "ORG:Liberty of Russia Legion"],
        ),
        ("LOC:Belgorod", ["LOC:Belgorod Region", "LOC:Belgorod Oblast"]),
    ]:
        assert one in {**facets["person"], **facets["org"], **facets["loc"]}
        assert not set(others) & {*facets["person"], *facets["org"], *facets["loc"]}


def test_merge_shows_at_once_is_applied_survives_reingest_and_undo_restores(
    demo: dict[str, Any], tmp_path: Path
) -> None:
    before = _stored(demo)
    both = _carrying(before, "entities", SOURCE, TARGET)
    with_source = _carrying(before, "entities", SOURCE)
    assert with_source
    assert _carrying(before, "entities", TARGET)
    org = _facets(demo)["org"]
    assert org[SOURCE] == len(with_source)

    code, out, err = _cli(demo, "curate", "merge", SOURCE, TARGET)
    assert code == 0, err
    (change,) = _lines(out)
    assert (change["id"], change["op"], change["status"]) == ("c1", "merge", "pending")
    assert change["who"].startswith("local:")

    # At once (the search function's next look at the table), before any pass ran:
    time.sleep(PROBE_S + 0.1)
    org = _facets(demo)["org"]
    assert SOURCE not in org
    assert org[TARGET] == len(both)  # exact: an entry with both counts once
    for key in (SOURCE, TARGET):
        hits = _get(demo, "/search", entity=key, dedup="false", size=100)["hits"]
        assert {h["id"] for h in hits} == both
        assert all(SOURCE not in h["entities"] for h in hits)
    assert _carrying(_stored(demo), "entities", SOURCE) == with_source

    # The background pass, in AdminFunction: stored entries carry the merged key.
    demo["passes"].drain(idle_s=1, timeout_s=120)
    stored = _stored(demo)
    assert not _carrying(stored, "entities", SOURCE)
    assert _carrying(stored, "entities", TARGET) == both
    assert _carrying(stored, "tagged_entities", SOURCE) == with_source
    code, out, _ = _cli(demo, "curate", "show", "c1")
    assert _lines(out)[0]["status"] == "applied"
    assert _lines(out)[0]["entries"] == len(with_source)

    # Re-ingest: the same object again, and a new one naming the source.
    (seed,) = [p for p in seed_paths() if "Politburo" in p.read_text("utf-8")]
    demo["s3"].upload_file(str(seed), demo["info"].bucket, f"seeds/{seed.name}")
    sentence = next(s for s in seed.read_text("utf-8").split("\n") if "Politburo" in s)
    fresh = tmp_path / "fresh.txt"
    fresh.write_text(f"{sentence}\n\nThe meeting was reported again on Friday.\n", "utf-8")
    demo["s3"].upload_file(str(fresh), demo["info"].bucket, "more/fresh.txt")
    demo["ingest"].drain(idle_s=2, timeout_s=300)
    stored = _stored(demo)
    assert not _carrying(stored, "entities", SOURCE)
    new = _carrying(stored, "tagged_entities", SOURCE) - with_source
    assert new
    assert new <= _carrying(stored, "entities", TARGET)
    # `newsfacet parse --learned stack` prints what ingest files: the merged key.
    code, out, err = _cli(demo, "parse", "--learned", "stack", str(fresh))
    assert code == 0, err
    parsed = {k for row in _lines(out) for e in row["entries"] for k in e["entities"]}
    assert TARGET in parsed
    assert SOURCE not in parsed

    # Undo: at once in search, then in stored entries.
    code, out, err = _cli(demo, "curate", "undo", "c1")
    assert code == 0, err
    assert _lines(out)[0]["undoes"] == "c1"
    time.sleep(PROBE_S + 0.1)
    tagged = _stored(demo)
    org = _facets(demo)["org"]
    assert org[SOURCE] == len(_carrying(tagged, "tagged_entities", SOURCE))
    assert org[TARGET] == len(_carrying(tagged, "tagged_entities", TARGET))
    demo["passes"].drain(idle_s=1, timeout_s=120)
    stored = _stored(demo)
    assert _carrying(stored, "entities", SOURCE) == _carrying(stored, "tagged_entities", SOURCE)
    assert _carrying(stored, "entities", TARGET) == _carrying(stored, "tagged_entities", TARGET)

    code, out, _ = _cli(demo, "curate", "log")
    log = _lines(out)
    assert [(c["id"], c["op"], c["status"], c["undone_by"]) for c in log] == [
        ("c1", "merge", "applied", "c2"),
        ("c2", "undo", "applied", None),
    ]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["merge", "ORG:Nobody Here", TARGET], "no entry is filed under ORG:Nobody Here"),
        (["undo", "c99"], "no curation change c99"),
        (["hide", "Politburo"], "'Politburo' is not an entity key such as ORG:Name"),
    ],
)
def test_expected_errors_are_one_line_and_exit_1(
    demo: dict[str, Any], args: list[str], says: str
) -> None:
    code, out, err = _cli(demo, "curate", *args)
    assert code == 1
    assert out == ""
    assert says in err
    assert len(err.strip().splitlines()) == 1


def test_without_a_running_stack_the_cli_says_so(demo: dict[str, Any], tmp_path: Path) -> None:
    code, _out, err = _cli(demo, "curate", "log", state=tmp_path)
    assert code == 1
    assert "not running" in err
    assert len(err.strip().splitlines()) == 1


def test_a_lone_surname_is_the_full_name_across_two_documents(demo: dict[str, Any]) -> None:
    full = (
        "President Joe Biden met Ukrainian officials in Washington on Tuesday to discuss air "
        "defence. Biden said the United States would keep sending weapons to Kyiv for as long "
        "as it takes, and the White House confirmed a new package worth 300 million dollars."
    )
    lone = (
        "Biden told reporters on Thursday that the new air defence systems had reached Ukraine. "
        "The systems will protect Kyiv and other cities from Russian missile strikes, officials "
        "in Washington said, adding that more deliveries were planned before the winter."
    )
    for key, text in (("wire/full.txt", full), ("wire/lone.txt", lone)):
        demo["s3"].put_object(
            Bucket=demo["info"].bucket,
            Key=key,
            Body=text.encode(),
            Metadata={"outlet": "wire.example"},
        )
        demo["ingest"].drain(idle_s=2, timeout_s=300)  # two batches: the second finds the first
    body = _get(demo, "/search", outlet="wire.example", facets="person:10", dedup="false")
    people = {v["value"]: v["count"] for v in body["facets"]["person"]["values"]}
    assert people["PERSON:Joe Biden"] == 2
    assert "PERSON:Biden" not in people
