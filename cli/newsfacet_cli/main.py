"""The ``newsfacet`` command line: parse offline, run the local stack, upload, search.

Heavy imports (boto3, trafilatura, the handlers) happen inside the command
that needs them, so ``newsfacet parse`` starts fast.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")


# -- parse ------------------------------------------------------------------------------
PARSE_FIELDS = (
    "title",
    "url",
    "outlet",
    "outlet_name",
    "published",
    "language",
    "authors",
    "cited_outlets",
)


def _parse_inputs(paths: Sequence[str]) -> list[str]:
    """Files named on the command line; a folder stands for the files under it."""
    names: list[str] = []
    for name in paths:
        path = Path(name)
        if name != "-" and path.is_dir():
            names += [str(p) for p in sorted(path.rglob("*")) if p.is_file()]
        else:
            names.append(name)
    return names


def _read_input(name: str, limit: int) -> bytes:
    """A file's bytes (``-``: stdin), refusing more than ``limit`` before reading them all."""
    from newsfacet.errors import ObjectTooLargeError

    if name == "-":
        data = sys.stdin.buffer.read(limit + 1)
    else:
        size = Path(name).stat().st_size
        if size > limit:
            raise ObjectTooLargeError(key=name, size=size, limit=limit)
        data = Path(name).read_bytes()
    if len(data) > limit:
        raise ObjectTooLargeError(key=name, size=len(data), limit=limit)
    return data


def cmd_parse(args: argparse.Namespace) -> int:
    # Only the pure ingest path is imported: no boto3, no opensearchpy, and
    # trafilatura only once an HTML input appears.
    from newsfacet.errors import InputError, NoContentError
    from newsfacet.ingest.language import use_model_cache
    from newsfacet.ingest.pipeline import iter_documents
    from newsfacet.models.document import ObjectRef

    if args.model_cache != "none":
        use_model_cache(Path(args.model_cache).expanduser())
    status = 0
    metadata = {k: v for k, v in (("url", args.url), ("outlet", args.outlet)) if v}
    try:
        for name in _parse_inputs(args.paths):
            ref = ObjectRef(bucket="local", key=name, metadata=metadata)
            printed = 0
            try:
                data = _read_input(name, args.max_bytes)
                # Printed as parsed: a large JSON Lines file streams through.
                for item in iter_documents(data, ref, limit=args.max_bytes):
                    printed += 1
                    if isinstance(item, InputError):
                        _print_json({"file": name, **item.to_dict()})
                        status = 1
                        continue
                    row = {
                        "file": name,
                        **item.model_dump(mode="json", include=set(PARSE_FIELDS)),
                        "text": item.text,
                        "entries": [e.model_dump(mode="json") for e in item.entries],
                        "warnings": item.warnings,
                    }
                    if args.explain:
                        row["removed"] = item.removed
                    _print_json(row)
                if not printed:
                    raise NoContentError(key=name)
            except InputError as error:
                _print_json({"file": name, **error.to_dict()})
                status = 1
            except BrokenPipeError:
                raise
            except OSError as exc:
                message = f"{name}: {exc.strerror}"
                _print_json({"file": name, "error": "unreadable", "message": message})
                status = 1
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    return status


# -- failures ---------------------------------------------------------------------------
def cmd_failures(args: argparse.Namespace) -> int:
    from newsfacet.config import get_settings
    from newsfacet.index.client import build_client
    from newsfacet.index.failures import list_failures, parse_since

    settings = get_settings()
    try:
        since = parse_since(args.since) if args.since else None
    except ValueError:
        print(f"--since {args.since!r}: use e.g. 2h, 3d or 2023-05-24T06:00", file=sys.stderr)
        return 2
    rows = list_failures(
        build_client(settings),
        settings.failures_index,
        since=since,
        error=args.error,
        size=args.size,
    )
    for row in rows:
        _print_json(row)
    print(f"{len(rows)} failure(s)", file=sys.stderr)
    return 0


# -- entities ---------------------------------------------------------------------------
def cmd_entities(args: argparse.Namespace) -> int:
    """JSON lines {"id", "text"} in, {"id", "entities": [...]} out, in batches."""
    from newsfacet.ingest.entities import tag_texts

    status = 0
    batch: list[tuple[Any, str]] = []

    def flush() -> None:
        tagged = tag_texts([text for _, text in batch], with_aliases=not args.raw)
        for (item_id, _), entities in zip(batch, tagged, strict=True):
            _print_json({"id": item_id, "entities": [e.model_dump() for e in entities]})
        batch.clear()

    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise ValueError('expected an object with a string "text"')
        except ValueError as exc:
            # One bad line does not stop the rest; the error names the line.
            sys.stderr.write(f"line {number}: {exc}\n")
            status = 1
            continue
        batch.append((item.get("id"), item["text"]))
        if len(batch) >= args.batch_size:
            flush()
    if batch:
        flush()
    return status


def _state_dir(root: Path) -> Path:
    """Where the local stack keeps pid files and URLs (``NEWSFACET_STATE_DIR``, else .run/)."""
    import os

    return Path(os.environ.get("NEWSFACET_STATE_DIR") or root / ".run")


# -- invoke -----------------------------------------------------------------------------
def cmd_invoke(args: argparse.Namespace) -> int:
    from newsfacet_cli.local.invoke import invoke, read_env_vars
    from newsfacet_cli.local.stack import LocalStack, repo_root
    from newsfacet_cli.local.template import Template

    root = repo_root()
    template = Template(root / "template.yaml")
    stack = LocalStack(root, state_dir=_state_dir(root))
    try:
        overrides = stack.info().function_overrides()
    except FileNotFoundError:
        if args.env_vars is None:
            raise SystemExit(
                "the local stack is not running: `newsfacet stack up`, or --env-vars"
            ) from None
        overrides = {}
    overrides.update(read_env_vars(args.env_vars, args.function))
    event = json.loads(
        Path(args.event).read_text("utf-8") if args.event != "-" else sys.stdin.read()
    )
    _print_json(invoke(template, args.function, event, overrides))
    return 0


# -- stack, demo --------------------------------------------------------------------------
def cmd_stack(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from newsfacet_cli.local.stack import LocalStack, repo_root

    stack = LocalStack(repo_root(), state_dir=_state_dir(repo_root()))
    if args.action == "up":
        _print_json(asdict(stack.up()))
    elif args.action == "down":
        stack.down()
    else:
        _print_json(asdict(stack.info()))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    import boto3

    from newsfacet_cli.local.apigw import make_server
    from newsfacet_cli.local.invoke import invoke
    from newsfacet_cli.local.poller import QueuePoller
    from newsfacet_cli.local.stack import LocalStack, repo_root
    from newsfacet_cli.local.template import Template

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    root = repo_root()
    stack = LocalStack(root)
    template = Template(root / "template.yaml")
    # Ctrl-C and SIGTERM both unwind through the finally below (SIGINT is re-armed because
    # a shell that starts us in the background hands it over ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    server = None
    poller = None
    try:
        print("starting OpenSearch and moto_server ...", file=sys.stderr)
        info = stack.up()
        overrides = info.function_overrides()
        session = boto3.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        )
        s3 = session.client("s3", endpoint_url=info.aws_endpoint)
        sqs = session.client("sqs", endpoint_url=info.aws_endpoint)
        samples = sorted(Path(args.samples).glob("*")) if args.samples else []
        for path in samples:
            s3.upload_file(str(path), info.bucket, f"{args.prefix}{path.name}")
        print(
            f"uploaded {len(samples)} articles to s3://{info.bucket}/{args.prefix}", file=sys.stderr
        )
        poller = QueuePoller(
            sqs, info.queue_url, lambda event: invoke(template, "IngestFunction", event, overrides)
        )
        poller.drain()
        server = make_server(
            lambda event: invoke(template, "SearchFunction", event, overrides),
            "127.0.0.1",
            args.port,
        )
        polling = threading.Thread(target=poller.run_forever, daemon=True)
        polling.start()
        base = f"http://127.0.0.1:{args.port}"
        print(_demo_help(base, info.bucket, info.aws_endpoint), flush=True)
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nstopping ...", file=sys.stderr)
    finally:
        if poller is not None:
            poller.stop()
        if server is not None:
            server.server_close()
        stack.down()
    return 0


def _raise_keyboard_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _demo_help(base: str, bucket: str, endpoint: str) -> str:
    return f"""
newsfacet is running. Open the search page in a browser:

  {base}/?q=Belgorod

or call the API:

  curl '{base}/search?q=Belgorod'
  curl '{base}/search?q=Belgorod&entity=Gladkov'
  curl '{base}/search?entity=ORG:Freedom%20of%20Russia%20Legion&dedup=false'
  curl '{base}/search?from=2023-05-23&to=2023-05-25&sort=newest&size=3'
  curl '{base}/entities?prefix=glad'
  curl '{base}/outlets'
  curl '{base}/health'

The OpenAPI document is at {base}/openapi.json and Swagger UI at {base}/docs.

Upload more articles (they are ingested within seconds):

  .venv/bin/newsfacet upload article.html --prefix example.com/

or with any S3 client: endpoint {endpoint}, bucket {bucket},
access key "testing", secret "testing".

Press Ctrl-C to stop everything this started.
"""


# -- upload, search -------------------------------------------------------------------
def cmd_upload(args: argparse.Namespace) -> int:
    import boto3

    from newsfacet_cli.local.stack import LocalStack, repo_root

    if args.endpoint:
        s3 = boto3.client("s3", endpoint_url=args.endpoint)
        bucket = args.bucket
        if not bucket:
            raise SystemExit("--bucket is required with --endpoint")
    else:
        # The local stack's moto_server takes any credentials; users need none configured.
        info = LocalStack(repo_root(), state_dir=_state_dir(repo_root())).info()
        s3 = boto3.client(
            "s3",
            endpoint_url=info.aws_endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        bucket = args.bucket or info.bucket
    for name in args.paths:
        path = Path(name)
        key = f"{args.prefix}{path.name}"
        s3.upload_file(str(path), bucket, key)
        _print_json({"uploaded": f"s3://{bucket}/{key}"})
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from urllib.parse import urlencode
    from urllib.request import urlopen

    params: list[tuple[str, str]] = []
    if args.q:
        params.append(("q", args.q))
    params += [("entity", e) for e in args.entity] + [("outlet", o) for o in args.outlet]
    if args.date_from:
        params.append(("from", args.date_from))
    if args.date_to:
        params.append(("to", args.date_to))
    params.append(("size", str(args.size)))
    with urlopen(f"{args.api.rstrip('/')}/search?{urlencode(params)}", timeout=30) as resp:
        sys.stdout.write(resp.read().decode() + "\n")
    return 0


# -- backfill, replay-dlq ---------------------------------------------------------------
def _aws_targets(args: argparse.Namespace) -> dict[str, Any]:
    """Endpoint, region and queue URLs: flags, else a deployed stack's outputs, else local."""
    import boto3

    region = args.region or boto3.Session().region_name or "us-east-1"
    targets: dict[str, Any] = {
        "endpoint": args.endpoint_url,
        "region": region,
        "queue_url": args.queue_url,
        "dlq_url": getattr(args, "dlq_url", None),
    }
    if args.stack:
        cfn = boto3.client("cloudformation", region_name=region, endpoint_url=args.endpoint_url)
        stack = cfn.describe_stacks(StackName=args.stack)["Stacks"][0]
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
        targets["queue_url"] = targets["queue_url"] or outputs["IngestQueueUrl"]
        targets["dlq_url"] = targets["dlq_url"] or outputs["DeadLetterQueueUrl"]
    elif not targets["queue_url"]:
        from newsfacet_cli.local.stack import LOCAL_CREDENTIALS, LocalStack, repo_root

        info = LocalStack(repo_root()).info()
        for key, value in LOCAL_CREDENTIALS.items():
            os.environ.setdefault(key, value)
        targets.update(
            endpoint=targets["endpoint"] or info.aws_endpoint,
            region="us-east-1",
            queue_url=info.queue_url,
            dlq_url=targets["dlq_url"] or info.dlq_url,
        )
    return targets


def _progress(desc: str) -> Any:
    from tqdm import tqdm

    return tqdm(desc=desc, unit="obj", file=sys.stderr, dynamic_ncols=True)


def cmd_backfill(args: argparse.Namespace) -> int:
    import boto3

    from newsfacet_cli.ops.backfill import BackfillError, Checkpoint, backfill, parse_s3_url

    try:
        bucket, prefix = parse_s3_url(args.url)
        since = _parse_since(args.since) if args.since else None
        targets = _aws_targets(args)
        path = args.checkpoint or Path(
            f".newsfacet-backfill-{bucket}-{prefix.replace('/', '_') or 'all'}.json"
        )
        checkpoint = Checkpoint.open(path, bucket, prefix, since, restart=args.restart)
    except (BackfillError, ValueError) as error:
        print(f"newsfacet backfill: {error}", file=sys.stderr)
        return 2
    s3 = boto3.client("s3", region_name=targets["region"], endpoint_url=targets["endpoint"])
    sqs = boto3.client("sqs", region_name=targets["region"], endpoint_url=targets["endpoint"])
    with _progress(f"s3://{bucket}/{prefix}") as bar:
        report = backfill(
            s3,
            sqs,
            bucket=bucket,
            prefix=prefix,
            queue_url=targets["queue_url"],
            checkpoint=checkpoint,
            since=since,
            rate=args.rate,
            region=targets["region"],
            on_progress=bar.update,
        )
    _print_json({**asdict_report(report), "checkpoint": str(path)})
    if report.already_done:
        print(f"already complete per {path}; pass --restart to run it again", file=sys.stderr)
    return 1 if report.failed_keys else 0


def _parse_since(text: str) -> Any:
    from datetime import UTC, datetime

    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def asdict_report(report: Any) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(report)


def cmd_replay_dlq(args: argparse.Namespace) -> int:
    import boto3

    from newsfacet_cli.ops.replay import replay_dlq

    targets = _aws_targets(args)
    if not targets["dlq_url"]:
        print("newsfacet replay-dlq: pass --dlq-url or --stack", file=sys.stderr)
        return 2
    sqs = boto3.client("sqs", region_name=targets["region"], endpoint_url=targets["endpoint"])
    with _progress("dead-letter queue -> ingest queue") as bar:
        report = replay_dlq(
            sqs,
            dlq_url=targets["dlq_url"],
            queue_url=targets["queue_url"],
            max_messages=args.max,
            on_progress=bar.update,
        )
    _print_json(asdict_report(report))
    return 1 if report.send_failed or report.delete_failed else 0


def _add_aws_target_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--stack", help="a deployed stack's name: queue URLs come from its outputs")
    p.add_argument("--queue-url", help="the ingest queue (default: --stack's, else local)")
    p.add_argument("--endpoint-url", help="AWS endpoint override (moto, LocalStack)")
    p.add_argument("--region", help="AWS region (default: the configured one)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsfacet", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("parse", help="parse files offline and print what ingest would index")
    p.add_argument("paths", nargs="+", help="files to parse; - reads stdin")
    p.add_argument("--url", help="the article's URL, as x-amz-meta-url would give it")
    p.add_argument("--outlet", help="publisher domain, as x-amz-meta-outlet would give it")
    p.add_argument(
        "--max-bytes",
        type=int,
        default=20 * 1024 * 1024,
        help="refuse larger inputs, as NEWSFACET_MAX_OBJECT_BYTES does for ingest",
    )
    p.add_argument(
        "--explain",
        action="store_true",
        help="also print each removed line and the rule that removed it",
    )
    p.add_argument(
        "--model-cache",
        default="~/.cache/newsfacet",
        help="folder for the inflated language model (faster start); 'none' to skip",
    )
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("failures", help="list objects and articles ingest rejected, newest first")
    p.add_argument("--since", help="e.g. 2h, 3d, or an ISO date/time")
    p.add_argument("--error", help="only this error code, e.g. malformed_content")
    p.add_argument("--size", type=int, default=100)
    p.set_defaults(func=cmd_failures)

    p = sub.add_parser("entities", help="tag PERSON/ORG/LOC entities in JSON lines from stdin")
    p.add_argument(
        "--jsonl",
        action="store_true",
        required=True,
        help='read {"id", "text"} lines, write {"id", "entities"} lines',
    )
    p.add_argument(
        "--raw", action="store_true", help="the bare model: no alias matching or folding data"
    )
    p.add_argument("--batch-size", type=int, default=64)
    p.set_defaults(func=cmd_entities)

    p = sub.add_parser("invoke", help="run a function of template.yaml in process on an event")
    p.add_argument("function", help="logical id, e.g. IngestFunction")
    p.add_argument("--event", "-e", required=True, help="event JSON file; - reads stdin")
    p.add_argument("--env-vars", type=Path, help="sam-style JSON of environment overrides")
    p.set_defaults(func=cmd_invoke)

    p = sub.add_parser("stack", help="start, stop or show the local stack")
    p.add_argument("action", choices=["up", "down", "status"])
    p.set_defaults(func=cmd_stack)

    p = sub.add_parser("demo", help="run the whole system locally on the sample articles")
    p.add_argument("--port", type=int, default=3000)
    p.add_argument("--samples", default="samples/seeds")
    p.add_argument("--prefix", default="seeds/")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("upload", help="upload files to the local (or any) bucket")
    p.add_argument("paths", nargs="+")
    p.add_argument("--bucket")
    p.add_argument("--prefix", default="")
    p.add_argument("--endpoint", help="S3 endpoint URL (default: the local stack's)")
    p.set_defaults(func=cmd_upload)

    p = sub.add_parser("search", help="query the search API")
    p.add_argument("q", nargs="?")
    p.add_argument("--entity", action="append", default=[])
    p.add_argument("--outlet", action="append", default=[])
    p.add_argument("--from", dest="date_from")
    p.add_argument("--to", dest="date_to")
    p.add_argument("--size", type=int, default=10)
    p.add_argument("--api", default="http://127.0.0.1:3000")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("backfill", help="enqueue objects already in the bucket for ingest")
    p.add_argument("url", help="s3://bucket/prefix")
    p.add_argument("--since", help="only objects modified at or after this date or ISO time (UTC)")
    p.add_argument("--rate", type=float, default=50.0, help="messages per second (default 50)")
    p.add_argument("--checkpoint", type=Path, help="progress file (default: in this folder)")
    p.add_argument("--restart", action="store_true", help="ignore an existing checkpoint")
    _add_aws_target_args(p)
    p.set_defaults(func=cmd_backfill)

    p = sub.add_parser("replay-dlq", help="move failed messages back to the ingest queue")
    p.add_argument("--dlq-url", help="the dead-letter queue (default: --stack's or the local one)")
    p.add_argument("--max", type=int, help="move at most this many")
    _add_aws_target_args(p)
    p.set_defaults(func=cmd_replay_dlq)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
