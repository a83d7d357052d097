"""Commands on the local stack: ``stack``, ``demo``, ``invoke``, ``upload``, ``search``."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from newsfacet_cli.parse import print_json


def cmd_stack(args: Any) -> int:
    from newsfacet_cli.local.stack import LocalStack, repo_root, state_dir

    stack = LocalStack(repo_root(), state_dir=state_dir())
    if args.action == "up":
        print_json(asdict(stack.up()))
    elif args.action == "down":
        stack.down()
    else:
        print_json(asdict(stack.info()))
    return 0


def cmd_demo(args: Any) -> int:
    from newsfacet_cli.local.demo import run_demo

    return run_demo(port=args.port, samples=args.samples, prefix=args.prefix)


def cmd_invoke(args: Any) -> int:
    from newsfacet_cli.local.invoke import invoke, read_env_vars
    from newsfacet_cli.local.stack import repo_root, running_stack
    from newsfacet_cli.local.template import Template

    template = Template(repo_root() / "template.yaml")
    try:
        overrides = running_stack().function_overrides()
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
    print_json(invoke(template, args.function, event, overrides))
    return 0


def cmd_upload(args: Any) -> int:
    import boto3

    from newsfacet_cli.local.stack import running_stack

    if args.endpoint:
        s3 = boto3.client("s3", endpoint_url=args.endpoint)
        bucket = args.bucket
        if not bucket:
            raise SystemExit("--bucket is required with --endpoint")
    else:
        # The local stack's moto_server takes any credentials; users need none configured.
        info = running_stack()
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
        print_json({"uploaded": f"s3://{bucket}/{key}"})
    return 0


def cmd_search(args: Any) -> int:
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
