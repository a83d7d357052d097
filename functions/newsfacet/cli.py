"""The ``newsfacet`` command line: parse offline, run the local stack, upload, search.

Heavy imports (boto3, trafilatura, the handlers) happen inside the command
that needs them, so ``newsfacet parse`` starts fast.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")


# -- parse ------------------------------------------------------------------------------
def cmd_parse(args: argparse.Namespace) -> int:
    from newsfacet.errors import InputError
    from newsfacet.ingest.pipeline import parse_object
    from newsfacet.models.document import ObjectRef

    status = 0
    for name in args.paths:
        data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        metadata = {k: v for k, v in (("url", args.url), ("outlet", args.outlet)) if v}
        ref = ObjectRef(bucket="local", key=name, metadata=metadata)
        try:
            result = parse_object(data, ref, limit=args.max_bytes)
        except InputError as exc:
            _print_json({"file": name, **exc.to_dict()})
            status = 1
            continue
        for doc in result.documents:
            _print_json(
                {
                    "file": name,
                    "title": doc.title,
                    "url": doc.url,
                    "outlet": doc.outlet,
                    "outlet_name": doc.outlet_name,
                    "published": doc.published,
                    "language": doc.language,
                    "authors": doc.authors,
                    "cited_outlets": doc.cited_outlets,
                    "text": doc.text,
                    "entries": [e.model_dump(mode="json") for e in doc.entries],
                    "warnings": doc.warnings,
                }
            )
        for error in result.errors:
            _print_json({"file": name, **error.to_dict()})
            status = 1
    return status


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
    from newsfacet.local.invoke import invoke, read_env_vars
    from newsfacet.local.stack import LocalStack, repo_root
    from newsfacet.local.template import Template

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

    from newsfacet.local.stack import LocalStack, repo_root

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

    from newsfacet.local.apigw import make_server
    from newsfacet.local.invoke import invoke
    from newsfacet.local.poller import QueuePoller
    from newsfacet.local.stack import LocalStack, repo_root
    from newsfacet.local.template import Template

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    root = repo_root()
    stack = LocalStack(root)
    template = Template(root / "template.yaml")
    # Ctrl-C and SIGTERM both unwind through the finally below.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    server = None
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
        threading.Thread(target=poller.run_forever, daemon=True).start()
        base = f"http://127.0.0.1:{args.port}"
        print(_demo_help(base, info.bucket, info.aws_endpoint), flush=True)
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nstopping ...", file=sys.stderr)
    finally:
        if server is not None:
            server.server_close()
        stack.down()
    return 0


def _demo_help(base: str, bucket: str, endpoint: str) -> str:
    return f"""
newsfacet is running. Try:

  curl '{base}/search?q=Belgorod'
  curl '{base}/search?q=armoured+vehicles&sort=newest&size=3'
  curl '{base}/search?outlet=independent.co.uk'
  curl '{base}/search?from=2023-05-23&to=2023-05-25'
  curl '{base}/health'

Upload more articles (they are ingested within seconds):

  AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \\
    aws --endpoint-url {endpoint} s3 cp article.html s3://{bucket}/example.com/article.html

Press Ctrl-C to stop everything this started.
"""


# -- upload, search -------------------------------------------------------------------
def cmd_upload(args: argparse.Namespace) -> int:
    import boto3

    from newsfacet.local.stack import LocalStack, repo_root

    info = LocalStack(repo_root()).info()
    s3 = boto3.client(
        "s3", endpoint_url=args.endpoint or info.aws_endpoint, region_name="us-east-1"
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsfacet", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("parse", help="parse files offline and print what ingest would index")
    p.add_argument("paths", nargs="+", help="files to parse; - reads stdin")
    p.add_argument("--url", help="the article's URL, as x-amz-meta-url would give it")
    p.add_argument("--outlet", help="publisher domain, as x-amz-meta-outlet would give it")
    p.add_argument("--max-bytes", type=int, default=20 * 1024 * 1024)
    p.set_defaults(func=cmd_parse)

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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
