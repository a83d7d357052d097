"""The ``newsfacet`` command line: parse offline, run the local stack, upload, search, operate.

Only argument parsing lives here; each command is a function in the module
that owns its subject (``parse.py``, ``local/commands.py``, ``ops/commands.py``),
imported when the command runs, so ``newsfacet parse`` starts fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path

# command -> "module:function", resolved when the command runs.
COMMANDS = {
    "parse": "newsfacet_cli.parse:cmd_parse",
    "entities": "newsfacet_cli.parse:cmd_entities",
    "setup": "newsfacet_cli.ops.commands:cmd_setup",
    "failures": "newsfacet_cli.ops.commands:cmd_failures",
    "invoke": "newsfacet_cli.local.commands:cmd_invoke",
    "stack": "newsfacet_cli.local.commands:cmd_stack",
    "demo": "newsfacet_cli.local.commands:cmd_demo",
    "upload": "newsfacet_cli.local.commands:cmd_upload",
    "search": "newsfacet_cli.local.commands:cmd_search",
    "backfill": "newsfacet_cli.ops.commands:cmd_backfill",
    "replay-dlq": "newsfacet_cli.ops.commands:cmd_replay_dlq",
    "curate": "newsfacet_cli.curate:cmd_curate",
}


def _add_aws_target_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--stack", help="a deployed stack's name: queue URLs come from its outputs")
    p.add_argument("--queue-url", help="the ingest queue (default: --stack's, else local)")
    p.add_argument("--endpoint-url", help="AWS endpoint override (moto, LocalStack)")
    p.add_argument("--region", help="AWS region (default: the configured one)")


def _add_opensearch_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--opensearch-url", help="default: NEWSFACET_OPENSEARCH_URL, else the local stack"
    )
    p.add_argument("--index-prefix", help="default: NEWSFACET_INDEX_PREFIX, else the local stack's")
    p.add_argument("--auth", choices=["none", "sigv4"], help="sigv4 for Amazon OpenSearch Service")


def _add_curate_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "curate",
        help="merge, rename or hide entity values; list and undo the changes",
        description="Keys are facet values such as 'ORG:Russian Volunteer Corps'. Each change "
        "prints as a JSON line with its id; search shows it at once, stored entries follow "
        "in the background.",
    )
    p.add_argument("--api", help="a deployed stack's AdminApiUrl (SigV4); default: the local stack")
    p.add_argument("--region", help="region of --api (default: read from its URL)")
    actions = p.add_subparsers(dest="action", required=True)

    def change_parser(name: str, help_text: str) -> argparse.ArgumentParser:
        c = actions.add_parser(name, help=help_text)
        c.add_argument("--wait", action="store_true", help="wait for the background pass")
        return c

    c = change_parser("merge", "file every entry of SOURCE_KEY under TARGET_KEY")
    c.add_argument("source", metavar="SOURCE_KEY")
    c.add_argument("target", metavar="TARGET_KEY")
    c = change_parser("rename", "give KEY a new name (the type stays)")
    c.add_argument("key", metavar="KEY")
    c.add_argument("name", metavar="NEW_NAME")
    c = change_parser("hide", "take KEY off facets, filters and entries")
    c.add_argument("key", metavar="KEY")
    c = change_parser("undo", "undo a change: facets, filters and entries as before it")
    c.add_argument("change", metavar="CHANGE_ID")
    c = change_parser("apply", "queue a change's background pass again")
    c.add_argument("change", metavar="CHANGE_ID")
    c = actions.add_parser("show", help="one change and its background pass")
    c.add_argument("change", metavar="CHANGE_ID")
    actions.add_parser("log", help="every change, oldest first, one JSON line each")


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
    p.add_argument(
        "--learned",
        choices=["none", "stack"],
        default="none",
        help="learned template lines and aliases: none (a fresh index), or the local stack's",
    )
    p.add_argument(
        "--min-docs",
        type=int,
        default=3,
        help="documents of an outlet that make a line template (NEWSFACET_TEMPLATE_LINE_MIN_DOCS)",
    )
    p.add_argument("--no-entities", action="store_true", help="skip entity tagging (faster)")

    p = sub.add_parser("setup", help="create or update the indices, template and alias")
    _add_opensearch_args(p)
    p.add_argument("--reset", action="store_true", help="delete every index under the prefix first")

    p = sub.add_parser("failures", help="list objects and articles ingest rejected, newest first")
    _add_opensearch_args(p)
    p.add_argument("--since", help="e.g. 2h, 3d, or an ISO date/time")
    p.add_argument("--error", help="only this error code, e.g. malformed_content")
    p.add_argument("--size", type=int, default=100)

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

    p = sub.add_parser("invoke", help="run a function of template.yaml in process on an event")
    p.add_argument("function", help="logical id, e.g. IngestFunction")
    p.add_argument("--event", "-e", required=True, help="event JSON file; - reads stdin")
    p.add_argument("--env-vars", type=Path, help="sam-style JSON of environment overrides")

    p = sub.add_parser("stack", help="start, stop or show the local stack")
    p.add_argument("action", choices=["up", "down", "status"])

    p = sub.add_parser("demo", help="run the whole system locally on the sample articles")
    p.add_argument("--port", type=int, default=3000)
    p.add_argument("--samples", default="samples/seeds")
    p.add_argument("--prefix", default="seeds/")

    p = sub.add_parser("upload", help="upload files (or every file in folders) to the bucket")
    p.add_argument("paths", nargs="+", help="files, or folders whose files to upload")
    p.add_argument("--bucket")
    p.add_argument(
        "--prefix", default="", help="a folder for the keys, e.g. bbc.co.uk/ (the slash is added)"
    )
    p.add_argument("--endpoint", help="S3 endpoint URL (default: the local stack's)")

    p = sub.add_parser("search", help="query the search API")
    p.add_argument("q", nargs="?")
    p.add_argument("--entity", action="append", default=[])
    p.add_argument("--outlet", action="append", default=[])
    p.add_argument("--from", dest="date_from")
    p.add_argument("--to", dest="date_to")
    p.add_argument("--size", type=int, default=10)
    p.add_argument(
        "--api", help="the API's base URL (default: NEWSFACET_API_URL, else the running demo's)"
    )

    p = sub.add_parser("backfill", help="enqueue objects already in the bucket for ingest")
    p.add_argument("url", help="s3://bucket/prefix")
    p.add_argument("--since", help="only objects modified at or after this date or ISO time (UTC)")
    p.add_argument("--rate", type=float, default=50.0, help="messages per second (default 50)")
    p.add_argument("--checkpoint", type=Path, help="progress file (default: in this folder)")
    p.add_argument("--restart", action="store_true", help="ignore an existing checkpoint")
    _add_aws_target_args(p)

    _add_curate_parser(sub)

    p = sub.add_parser("replay-dlq", help="move failed messages back to the ingest queue")
    p.add_argument("--dlq-url", help="the dead-letter queue (default: --stack's or the local one)")
    p.add_argument("--max", type=int, help="move at most this many")
    _add_aws_target_args(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. Expected failures (``newsfacet_cli/errors.py``) print one line and
    exit 2; a bug keeps its traceback."""
    args = build_parser().parse_args(argv)
    module, _, name = COMMANDS[args.command].partition(":")
    try:
        return int(getattr(importlib.import_module(module), name)(args))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from newsfacet_cli.errors import describe

        line = describe(exc)
        if line is None:
            raise
        print(f"newsfacet {args.command}: {line}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
