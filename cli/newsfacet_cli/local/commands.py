"""Commands on the local stack: ``stack``, ``demo``, ``invoke``, ``upload``, ``search``."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from newsfacet_cli.parse import print_json


def cmd_stack(args: Any) -> int:
    from newsfacet_cli.local.stack import LocalStack, repo_root, running_stack, state_dir

    stack = LocalStack(repo_root(), state_dir=state_dir())
    if args.action == "up":
        print_json(asdict(stack.up()))
    elif args.action == "down":
        stack.down()
    else:
        print_json(asdict(running_stack()))
    return 0


def cmd_demo(args: Any) -> int:
    from newsfacet_cli.local.demo import run_demo

    return run_demo(port=args.port, samples=args.samples, prefix=key_prefix(args.prefix))


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


def key_prefix(prefix: str) -> str:
    """``--prefix`` as a folder: ``site.com`` and ``site.com/`` both give ``site.com/``."""
    prefix = prefix.strip().lstrip("/")
    return prefix if not prefix or prefix.endswith("/") else prefix + "/"


def files_to_upload(paths: list[str]) -> list[tuple[Path, str]]:
    """(file, key below the prefix) for every file named or inside a named folder.

    Raises:
        CliError: a path does not exist, or a folder holds no files.
    """
    from newsfacet_cli.errors import CliError

    found: list[tuple[Path, str]] = []
    for name in paths:
        path = Path(name)
        if path.is_file():
            found.append((path, path.name))
        elif path.is_dir():
            inside = sorted(
                p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")
            )
            if not inside:
                raise CliError(f"{name}: the folder holds no files")
            found += [(p, p.relative_to(path).as_posix()) for p in inside]
        else:
            raise CliError(f"{name}: no such file or folder")
    return found


def cmd_upload(args: Any) -> int:
    import boto3

    from newsfacet_cli.errors import CliError
    from newsfacet_cli.local.stack import running_stack

    files = files_to_upload(args.paths)  # every path checked before anything is sent
    prefix = key_prefix(args.prefix)
    if args.endpoint:
        s3 = boto3.client("s3", endpoint_url=args.endpoint)
        bucket = args.bucket
        if not bucket:
            raise CliError("--bucket is required with --endpoint")
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
    for path, name in files:
        key = f"{prefix}{name}"
        s3.upload_file(str(path), bucket, key)
        print_json({"uploaded": f"s3://{bucket}/{key}"})
    return 0


def search_api(explicit: str | None) -> str:
    """The search API to ask: ``--api``, else ``NEWSFACET_API_URL``, else the running demo's."""
    import os

    from newsfacet_cli.errors import CliError
    from newsfacet_cli.local.stack import running_stack

    if explicit or os.environ.get("NEWSFACET_API_URL"):
        return str(explicit or os.environ["NEWSFACET_API_URL"]).rstrip("/")
    api = running_stack().api_url
    if not api:
        raise CliError("the local stack serves no search API yet: run `make demo`, or pass --api")
    return api.rstrip("/")


def cmd_search(args: Any) -> int:
    from urllib.error import HTTPError, URLError
    from urllib.parse import urlencode
    from urllib.request import urlopen

    from newsfacet_cli.errors import CliError

    params: list[tuple[str, str]] = []
    if args.q:
        params.append(("q", args.q))
    params += [("entity", e) for e in args.entity] + [("outlet", o) for o in args.outlet]
    if args.date_from:
        params.append(("from", args.date_from))
    if args.date_to:
        params.append(("to", args.date_to))
    params.append(("size", str(args.size)))
    url = f"{search_api(args.api)}/search?{urlencode(params)}"
    try:
        with urlopen(url, timeout=30) as resp:  # the user's own API URL
            sys.stdout.write(resp.read().decode() + "\n")
    except HTTPError:
        raise  # its status and message are described by newsfacet_cli.errors
    except URLError as exc:
        raise CliError(
            f"cannot reach the search API at {url.split('/search?')[0]}: {exc.reason}"
        ) from exc
    return 0
