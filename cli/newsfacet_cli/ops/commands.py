"""Operations commands: ``setup``, ``failures``, ``backfill``, ``replay-dlq``.

Each finds its target the same way: explicit flags first, then a deployed
stack's outputs (``--stack``), then ``NEWSFACET_*`` settings, then the
running local stack.
"""

from __future__ import annotations

import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from newsfacet_cli.parse import print_json


def opensearch_settings(args: Any) -> Any:
    """The cluster to act on: flags, else NEWSFACET_* variables, else the local stack."""
    from newsfacet.config import Settings

    overrides: dict[str, Any] = {}
    if getattr(args, "opensearch_url", None):
        overrides["opensearch_url"] = args.opensearch_url
    if getattr(args, "index_prefix", None):
        overrides["index_prefix"] = args.index_prefix
    if getattr(args, "auth", None):
        overrides["opensearch_auth"] = args.auth
    if "opensearch_url" not in overrides and not os.environ.get("NEWSFACET_OPENSEARCH_URL"):
        from newsfacet_cli.local.stack import running_stack

        info = running_stack()
        overrides.setdefault("opensearch_url", info.opensearch_url)
        overrides.setdefault("index_prefix", info.index_prefix)
    return Settings(**overrides)


def cmd_setup(args: Any) -> int:
    """Create or update the index template, indices and alias (idempotent)."""
    from newsfacet.index.client import build_client
    from newsfacet.index.setup import delete_indices, ensure_indices

    settings = opensearch_settings(args)
    client = build_client(settings)
    if args.reset:
        delete_indices(client, settings.index_names)
        print(f"deleted every index under {settings.index_prefix}-*", file=sys.stderr)
    for line in ensure_indices(client, settings.index_names):
        print(line, file=sys.stderr)
    return 0


def cmd_failures(args: Any) -> int:
    from newsfacet.index.client import build_client
    from newsfacet.index.failures import list_failures, parse_since

    try:
        since = parse_since(args.since) if args.since else None
    except ValueError:
        print(f"--since {args.since!r}: use e.g. 2h, 3d or 2023-05-24T06:00", file=sys.stderr)
        return 2
    settings = opensearch_settings(args)
    rows = list_failures(
        build_client(settings),
        settings.index_names.failures,
        since=since,
        error=args.error,
        size=args.size,
    )
    for row in rows:
        print_json(row)
    print(f"{len(rows)} failure(s)", file=sys.stderr)
    return 0


def aws_targets(args: Any) -> dict[str, Any]:
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
        from newsfacet_cli.local.stack import LOCAL_CREDENTIALS, running_stack

        info = running_stack()
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


def cmd_backfill(args: Any) -> int:
    import boto3

    from newsfacet_cli.ops.backfill import BackfillError, Checkpoint, backfill, parse_s3_url

    try:
        bucket, prefix = parse_s3_url(args.url)
        since = _parse_since(args.since) if args.since else None
        targets = aws_targets(args)
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
    print_json({**asdict(report), "checkpoint": str(path)})
    if report.already_done:
        print(f"already complete per {path}; pass --restart to run it again", file=sys.stderr)
    return 1 if report.failed_keys else 0


def _parse_since(text: str) -> Any:
    from datetime import UTC, datetime

    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def cmd_replay_dlq(args: Any) -> int:
    import boto3

    from newsfacet_cli.ops.replay import replay_dlq

    targets = aws_targets(args)
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
    print_json(asdict(report))
    return 1 if report.send_failed or report.delete_failed else 0
