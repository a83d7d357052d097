"""``make demo``: the whole system on this machine, until Ctrl-C or SIGTERM.

Starts the local stack, uploads the sample articles, lets the queue drive the
real ingest handler, serves the real search handler over HTTP, and stops
everything it started (by pid) when told to. The first SIGINT or SIGTERM
starts the clean-up and later ones are ignored (``make`` passes a SIGTERM on
to its child, so the demo gets it twice); the clean-up's own processes run in
sessions of their own, so a signal to the demo's process group cannot cut
them short.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
import threading
from pathlib import Path

import boto3

from newsfacet.events import redrive_event
from newsfacet_cli.local.apigw import dispatch, make_server
from newsfacet_cli.local.invoke import invoke
from newsfacet_cli.local.poller import QueuePoller
from newsfacet_cli.local.stack import LocalStack, repo_root, state_dir
from newsfacet_cli.local.template import Template


def run_demo(*, port: int, samples: str | None, prefix: str) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    root = repo_root()
    stack = LocalStack(root, state_dir=state_dir())
    template = Template(root / "template.yaml")
    # Ctrl-C and SIGTERM both unwind through the finally below (SIGINT is re-armed because
    # a shell that starts us in the background hands it over ignored).
    signal.signal(signal.SIGINT, _stop_once)
    signal.signal(signal.SIGTERM, _stop_once)
    server = None
    poller = None
    passes = None
    try:
        print("starting OpenSearch and moto_server ...", file=sys.stderr)
        info = stack.up()
        overrides = info.function_overrides()
        session = boto3.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        )
        s3 = session.client("s3", endpoint_url=info.aws_endpoint)
        sqs = session.client("sqs", endpoint_url=info.aws_endpoint)
        files = sorted(Path(samples).glob("*")) if samples else []
        for path in files:
            s3.upload_file(str(path), info.bucket, f"{prefix}{path.name}")
        print(f"uploaded {len(files)} articles to s3://{info.bucket}/{prefix}", file=sys.stderr)
        poller = QueuePoller(
            sqs, info.queue_url, lambda event: invoke(template, "IngestFunction", event, overrides)
        )
        poller.drain()
        # Curation passes (newsfacet curate ...) run where AWS runs them: the admin
        # function, fed by the curation queue.
        passes = QueuePoller(
            sqs,
            info.curation_queue_url,
            lambda event: invoke(template, "AdminFunction", event, overrides),
            batch_size=1,
        )
        server = make_server(
            dispatch(template.http_routes(), lambda fn, ev: invoke(template, fn, ev, overrides)),
            "127.0.0.1",
            port,
        )
        api = f"http://127.0.0.1:{server.server_address[1]}"
        stack.record_api(api)
        threading.Thread(target=poller.run_forever, daemon=True).start()
        threading.Thread(target=passes.run_forever, daemon=True).start()
        # The template's hourly redrive of dead letters, every few minutes here.
        threading.Thread(
            target=poller.redrive_every,
            args=(
                REDRIVE_EVERY_S,
                lambda: invoke(
                    template,
                    "IngestFunction",
                    redrive_event(dlq_url=info.dlq_url, queue_url=info.queue_url),
                    overrides,
                ),
            ),
            daemon=True,
        ).start()
        print(demo_help(api, info.bucket, info.aws_endpoint), flush=True)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        _ignore_signals()
        # Whoever read our output may be gone (a closed pipe): say it if we can, then clean up.
        with contextlib.suppress(OSError):
            print("\nstopping ...", file=sys.stderr, flush=True)
        if poller is not None:
            poller.stop()
        if passes is not None:
            passes.stop()
        if server is not None:
            server.server_close()
        stack.down()
    return 0


REDRIVE_EVERY_S = 300


def _stop_once(signum: int, frame: object) -> None:
    """The first signal unwinds into the clean-up; any later one finds signals ignored."""
    _ignore_signals()
    raise KeyboardInterrupt


def _ignore_signals() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def demo_help(base: str, bucket: str, endpoint: str) -> str:
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

Curate entity values (the admin API, open here, IAM-only on AWS):

  .venv/bin/newsfacet curate merge 'ORG:RDK' 'ORG:Russian Volunteer Corps'
  .venv/bin/newsfacet curate log
  .venv/bin/newsfacet curate undo c1

The OpenAPI document is at {base}/openapi.json and Swagger UI at {base}/docs.

Upload more articles (they are ingested within seconds):

  .venv/bin/newsfacet upload article.html --prefix example.com/

or with any S3 client: endpoint {endpoint}, bucket {bucket},
access key "testing", secret "testing".

Press Ctrl-C to stop everything this started.
"""
