"""Start, provision and stop the local stack: OpenSearch, moto_server, bucket, queues.

Every process is started with a pid file under the state folder and stopped
by that pid, never by name. OpenSearch is started by ``infra/opensearch.sh``
(or taken from ``OPENSEARCH_URL``); moto_server runs on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import boto3

from newsfacet_cli.local.template import QueueSpec, Template

LOCAL_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@dataclass
class StackInfo:
    opensearch_url: str
    aws_endpoint: str
    bucket: str
    queue_url: str
    dlq_url: str
    index_prefix: str
    # Empty in a stack.json written before the curation queue existed.
    curation_queue_url: str = ""
    # The search API, once the demo serves it (``newsfacet search`` reads it here).
    api_url: str | None = None

    def function_overrides(self) -> dict[str, str]:
        """What ``sam local --env-vars`` would pass to point the functions here."""
        return {
            "NEWSFACET_OPENSEARCH_URL": self.opensearch_url,
            "NEWSFACET_OPENSEARCH_AUTH": "none",
            "NEWSFACET_INDEX_PREFIX": self.index_prefix,
            "NEWSFACET_S3_ENDPOINT_URL": self.aws_endpoint,
            "NEWSFACET_SQS_ENDPOINT_URL": self.aws_endpoint,
            "NEWSFACET_CURATION_QUEUE_URL": self.curation_queue_url,
            "POWERTOOLS_TRACE_DISABLED": "true",
            # On AWS this comes from Secrets Manager (template.yaml: CursorSecret).
            "NEWSFACET_CURSOR_SECRET": "newsfacet-local-cursor-key",
            "NEWSFACET_CURSOR_SECRET_ARN": "",
            **LOCAL_CREDENTIALS,
        }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def repo_root() -> Path:
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "template.yaml").is_file() and (folder / "infra").is_dir():
            return folder
    raise FileNotFoundError("run this inside a newsfacet checkout (template.yaml and infra/)")


def state_dir() -> Path:
    """Where the local stack keeps pid files and URLs (``NEWSFACET_STATE_DIR``, else .run/)."""
    return Path(os.environ.get("NEWSFACET_STATE_DIR") or repo_root() / ".run")


def running_stack() -> StackInfo:
    """The local stack that ``make demo`` or ``newsfacet stack up`` started.

    Raises:
        FileNotFoundError: none is running (the message says how to start one).
    """
    return LocalStack(repo_root(), state_dir=state_dir()).info()


class LocalStack:
    def __init__(
        self, root: Path, state_dir: Path | None = None, index_prefix: str = "newsfacet"
    ) -> None:
        self.root = root
        self.state = state_dir or root / ".run"
        self.state.mkdir(parents=True, exist_ok=True)
        self.template = Template(root / "template.yaml")
        self.index_prefix = index_prefix

    # -- OpenSearch -----------------------------------------------------------------
    def _opensearch(self, command: str) -> str:
        env = {**os.environ, "NEWSFACET_STATE_DIR": str(self.state)}
        result = subprocess.run(
            ["bash", str(self.root / "infra" / "opensearch.sh"), command],
            env=env,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
            # Its own session: a signal to our process group (Ctrl-C, `make` stopping)
            # must not cut a start or stop short and leave the node half managed.
            start_new_session=True,
        )
        lines = result.stdout.strip().splitlines()
        return lines[-1] if lines else ""

    def start_opensearch(self) -> str:
        return self._opensearch("start")

    # -- moto_server ----------------------------------------------------------------
    @property
    def moto_pidfile(self) -> Path:
        return self.state / "moto.pid"

    def start_moto(self) -> str:
        """moto_server on 127.0.0.1: the recorded one if it still answers, else a new one."""
        url_file = self.state / "moto.url"
        if self.moto_pidfile.exists() and url_file.exists():
            pid, url = self._pid(self.moto_pidfile), url_file.read_text().strip()
            if _is_moto(pid) and _answers(url):
                return url
            # Left by a stop that was cut short, or its pid now belongs to someone else.
            if _is_moto(pid):
                stop_pid(pid)
            self.moto_pidfile.unlink(missing_ok=True)
            url_file.unlink(missing_ok=True)
        port = int(os.environ.get("MOTO_PORT") or free_port())
        log = (self.state / "moto.log").open("ab")
        proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.moto_pidfile.write_text(str(proc.pid))
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"moto_server exited; see {self.state / 'moto.log'}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("moto_server did not start within 30 s")
        url_file.write_text(url)
        return url

    @staticmethod
    def _pid(path: Path) -> int:
        try:
            return int(path.read_text().strip())
        except ValueError:
            return 0

    # -- provisioning -----------------------------------------------------------------
    def provision(self, opensearch_url: str, aws_endpoint: str) -> StackInfo:
        """Create the bucket, queues and notification as the template wires them."""
        session = boto3.Session(
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name="us-east-1",
        )
        s3 = session.client("s3", endpoint_url=aws_endpoint)
        sqs = session.client("sqs", endpoint_url=aws_endpoint)
        info = provision_aws(self.template, s3, sqs)
        stack = StackInfo(
            opensearch_url=opensearch_url,
            aws_endpoint=aws_endpoint,
            index_prefix=self.index_prefix,
            **info,
        )
        from newsfacet.config import Settings
        from newsfacet.index.client import build_client
        from newsfacet.index.setup import ensure_indices

        settings = Settings(opensearch_url=opensearch_url, index_prefix=self.index_prefix)
        # The explicit set-up step a deployment runs once (`newsfacet setup`).
        ensure_indices(build_client(settings), settings.index_names)
        (self.state / "stack.json").write_text(json.dumps(asdict(stack), indent=2))
        return stack

    def up(self) -> StackInfo:
        opensearch_url = self.start_opensearch()
        aws_endpoint = self.start_moto()
        return self.provision(opensearch_url, aws_endpoint)

    def down(self, *, stop_opensearch: bool = True) -> None:
        """Stop what this stack started, by pid; OpenSearch too unless told otherwise."""
        if self.moto_pidfile.exists():
            stop_pid(self._pid(self.moto_pidfile))
            self.moto_pidfile.unlink(missing_ok=True)
            (self.state / "moto.url").unlink(missing_ok=True)
        if stop_opensearch and not os.environ.get("OPENSEARCH_URL"):
            self._opensearch("stop")
        (self.state / "stack.json").unlink(missing_ok=True)

    def info(self) -> StackInfo:
        """The running stack's addresses.

        Raises:
            FileNotFoundError: none runs (also when a stack that was killed left its file).
        """
        path = self.state / "stack.json"
        if not path.exists():
            raise FileNotFoundError(
                "the local stack is not running: start it with `make demo` or `newsfacet stack up`"
            )
        info = StackInfo(**json.loads(path.read_text()))
        if not _answers(info.aws_endpoint):
            raise FileNotFoundError(
                f"the local stack recorded in {path} is not running (its moto_server at "
                f"{info.aws_endpoint} does not answer): start it with `make demo` or "
                "`newsfacet stack up`"
            )
        return info

    def record_api(self, url: str) -> None:
        """Note where the demo serves the search API, for `newsfacet search`."""
        path = self.state / "stack.json"
        data = json.loads(path.read_text())
        path.write_text(json.dumps({**data, "api_url": url}, indent=2))


def provision_aws(template: Template, s3: Any, sqs: Any) -> dict[str, str]:
    """Bucket (versioned), the queues with their DLQs, and ObjectCreated -> queue. Idempotent."""
    bucket = template.bucket_name
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    queue_url, dlq_url = _queue_with_dlq(sqs, template.queue("IngestQueue"))
    curation_url, _ = _queue_with_dlq(sqs, template.queue("CurationQueue"))
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"]}]
        },
    )
    return {
        "bucket": bucket,
        "queue_url": queue_url,
        "dlq_url": dlq_url,
        "curation_queue_url": curation_url,
    }


def _queue_with_dlq(sqs: Any, spec: QueueSpec) -> tuple[str, str]:
    """The queue and its dead-letter queue, wired as the template says: (queue URL, DLQ URL)."""
    dlq_url = sqs.create_queue(QueueName=spec.dlq_name)["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    queue_url = sqs.create_queue(
        QueueName=spec.name,
        Attributes={
            "VisibilityTimeout": str(spec.visibility_timeout),
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": spec.max_receive_count}
            ),
        },
    )["QueueUrl"]
    return queue_url, dlq_url


def _is_moto(pid: int) -> bool:
    """``pid`` is a live moto_server (not a process that reused a dead one's pid)."""
    if pid <= 0 or not _alive(pid):
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True  # no procfs: trust the pid
    return b"moto.server" in cmdline


def _answers(url: str) -> bool:
    """Something accepts connections at ``url``'s host and port."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), 1):
            return True
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_pid(pid: int, timeout_s: float = 15.0) -> None:
    """SIGTERM the process (its group, as it leads one), then SIGKILL after a grace period."""
    if not _alive(pid):
        return
    try:
        os.killpg(pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                return
        except ChildProcessError:
            pass
        if not _alive(pid):
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
