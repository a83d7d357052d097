"""`newsfacet parse` prints what ingest indexes: the same ids, titles, texts and entity keys.

The five seeds are uploaded to a fresh local stack and ingested by the real ingest
function in one SQS batch, as the demo's poller delivers them; the same files go through
`newsfacet parse` as a separate process. Every entry parse prints is then fetched over
real HTTP from the search function (`GET /entries/{id}`) and must match.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from tests.conftest import ROOT, seed_paths

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def ingested_seeds(opensearch_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh stack with the seeds ingested in one batch; yields the search API's base URL."""
    import uuid

    from newsfacet.config import Settings
    from newsfacet.index.client import build_client
    from newsfacet.index.setup import delete_indices
    from newsfacet_cli.local.apigw import make_server
    from newsfacet_cli.local.invoke import invoke
    from newsfacet_cli.local.poller import sqs_event
    from newsfacet_cli.local.stack import LocalStack, free_port, stop_pid
    from newsfacet_cli.local.template import Template

    prefix = f"p{uuid.uuid4().hex[:10]}"
    stack = LocalStack(ROOT, state_dir=tmp_path_factory.mktemp("stack"), index_prefix=prefix)
    info = stack.provision(opensearch_url, stack.start_moto())
    template = Template(ROOT / "template.yaml")
    overrides = info.function_overrides()
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    s3 = session.client("s3", endpoint_url=info.aws_endpoint)
    sqs = session.client("sqs", endpoint_url=info.aws_endpoint)
    server = None
    try:
        for path in seed_paths():
            s3.upload_file(str(path), info.bucket, f"samples/seeds/{path.name}")
        messages: list[dict[str, Any]] = []
        while len(messages) < len(seed_paths()):
            batch = sqs.receive_message(
                QueueUrl=info.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1
            ).get("Messages", [])
            messages += [m for m in batch if "s3:TestEvent" not in m["Body"]]
        result = invoke(template, "IngestFunction", sqs_event(messages, "arn"), overrides)
        assert result == {"batchItemFailures": []}
        server = make_server(
            lambda event: invoke(template, "SearchFunction", event, overrides),
            "127.0.0.1",
            free_port(),
        )
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
        stop_pid(int(stack.moto_pidfile.read_text()))
        settings = Settings(opensearch_url=opensearch_url, index_prefix=prefix)  # type: ignore[arg-type]
        delete_indices(build_client(settings), settings.index_names)


def _parse_seeds() -> list[dict[str, Any]]:
    """`newsfacet parse` on the same files, keyed as they were uploaded."""
    done = subprocess.run(
        [sys.executable, "-m", "newsfacet_cli.main", "parse", "--model-cache", "none"]
        + [str(p.relative_to(ROOT)) for p in seed_paths()],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_parse_prints_every_entry_ingest_stores(ingested_seeds: str) -> None:
    rows = _parse_seeds()
    assert [row["file"] for row in rows] == [f"samples/seeds/{p.name}" for p in seed_paths()]
    printed = [entry for row in rows for entry in row["entries"]]
    assert len(printed) >= 20  # two live blogs of eleven posts each, three articles
    for entry in printed:
        with urllib.request.urlopen(f"{ingested_seeds}/entries/{entry['id']}", timeout=30) as r:
            stored = json.loads(r.read())
        assert stored["title"] == entry["title"]
        assert stored["body"] == entry["text"]
        assert sorted(stored["entities"]) == entry["entities"]
        assert stored["published"] == entry["published"]
    # The posts the two snapshots share are one entry, printed under both files.
    ids = [entry["id"] for entry in printed]
    assert len(set(ids)) < len(ids)
