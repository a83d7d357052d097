"""``newsfacet curate``: merge, rename, hide, log, undo entity values through the admin API.

By default the command finds the running local stack (``make demo`` or
``newsfacet stack up``) and runs the admin function in this process, as
``newsfacet invoke`` does, with an HTTP API event: the same handler, checks and
records as on AWS. The background pass runs where the curation queue is
served (the demo's poller; the admin function on AWS); ``--wait`` waits for it.
With ``--api URL`` (a deployed stack's ``AdminApiUrl``) requests go over HTTPS,
signed with SigV4 for API Gateway (``execute-api``): the admin routes take
IAM callers only.

Every change prints as one JSON line, with its id; ``log`` prints one per change.
An expected failure (unknown key or change, a change that would do nothing, no
running stack) prints one line to stderr and exits 1.
"""

from __future__ import annotations

import getpass
import json
import logging
import sys
import time
from typing import Any, Protocol
from urllib.parse import quote, urlencode, urlsplit

from newsfacet_cli.parse import print_json

ACTOR_HEADER = "x-newsfacet-actor"
WAIT_TIMEOUT_S = 120.0
LOG_PAGE = 1000


class CurateError(Exception):
    """An answer the command reports in one line (and exit status 1)."""


class AdminApi(Protocol):
    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """The JSON answer of one admin request.

        Raises:
            CurateError: the API refused (4xx) or failed (5xx); the message says why.
        """
        ...


def _answer(status: int, payload: Any) -> Any:
    if status >= 400:
        message = payload.get("message") if isinstance(payload, dict) else None
        raise CurateError(message or f"admin API answered {status}")
    return payload


class LocalAdmin:
    """The admin function of template.yaml, run in this process against the local stack."""

    def __init__(self) -> None:
        from newsfacet_cli.local.stack import repo_root, running_stack
        from newsfacet_cli.local.template import Template

        try:
            info = running_stack()
        except FileNotFoundError as exc:
            raise CurateError(f"{exc} (or pass --api for a deployed stack)") from exc
        self.template = Template(repo_root() / "template.yaml")
        self.overrides = info.function_overrides()
        if not info.curation_queue_url:
            raise CurateError("the local stack predates curation: restart it (`make demo`)")

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        from newsfacet_cli.local.apigw import http_api_event
        from newsfacet_cli.local.invoke import load_handler

        data = json.dumps(body).encode() if body is not None else b""
        headers = {"content-type": "application/json", ACTOR_HEADER: getpass.getuser()}
        event = http_api_event(method, path, headers, data)
        handler, context = load_handler(self.template, "AdminFunction", self.overrides)
        _logs_to_stderr()
        result = handler(event, context)
        return _answer(int(result["statusCode"]), json.loads(result.get("body") or "null"))


def _logs_to_stderr() -> None:
    # The function logs JSON lines to stdout, as on Lambda; here stdout carries the changes.
    for handler in logging.getLogger("newsfacet").handlers:
        if isinstance(handler, logging.StreamHandler) and handler.stream is sys.stdout:
            handler.setStream(sys.stderr)


class RemoteAdmin:
    """A deployed admin API, with requests signed by the caller's AWS credentials."""

    def __init__(self, base: str, region: str | None) -> None:
        import boto3

        self.base = base.rstrip("/")
        if self.base.endswith("/admin"):
            self.base = self.base[: -len("/admin")]
        session = boto3.Session()
        credentials = session.get_credentials()
        if credentials is None:
            raise CurateError("no AWS credentials to sign admin requests with")
        self.credentials = credentials
        self.region = region or _region_of(self.base) or session.region_name
        if not self.region:
            raise CurateError("cannot tell the API's region: pass --region")

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        from urllib.error import HTTPError, URLError
        from urllib.request import Request, urlopen

        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        data = json.dumps(body).encode() if body is not None else None
        request = AWSRequest(
            method=method,
            url=self.base + path,
            data=data,
            headers={"content-type": "application/json"} if data else {},
        )
        SigV4Auth(self.credentials, "execute-api", self.region).add_auth(request)
        signed = Request(self.base + path, data=data, method=method, headers=dict(request.headers))
        try:
            with urlopen(signed, timeout=60) as resp:
                return _answer(resp.status, json.loads(resp.read() or b"null"))
        except HTTPError as err:
            raw = err.read()
            try:
                payload = json.loads(raw or b"null")
            except ValueError:
                payload = {"message": raw.decode(errors="replace")[:200]}
            return _answer(err.code, payload)
        except URLError as err:
            raise CurateError(f"cannot reach {self.base}: {err.reason}") from err


def _region_of(base: str) -> str | None:
    # https://<id>.execute-api.<region>.amazonaws.com
    parts = (urlsplit(base).hostname or "").split(".")
    if len(parts) > 3 and parts[1] == "execute-api":
        return parts[2]
    return None


def _change_path(change: str, action: str = "") -> str:
    return f"/admin/curation/changes/{quote(change, safe='')}{action}"


def run(args: Any, api: AdminApi) -> None:
    """The curate sub-command ``args.action`` against ``api``; prints JSON lines."""
    if args.action == "log":
        after = 0
        while True:
            query = urlencode({"after": after, "size": LOG_PAGE})
            page = api.call("GET", f"/admin/curation/changes?{query}")
            for change in page["changes"]:
                print_json(change)
            if page.get("next_after") is None:
                return
            after = page["next_after"]
    if args.action == "merge":
        change = api.call(
            "POST", "/admin/curation/merge", {"source": args.source, "target": args.target}
        )
    elif args.action == "rename":
        change = api.call("POST", "/admin/curation/rename", {"key": args.key, "name": args.name})
    elif args.action == "hide":
        change = api.call("POST", "/admin/curation/hide", {"key": args.key})
    elif args.action == "undo":
        change = api.call("POST", _change_path(args.change, "/undo"))
    elif args.action == "apply":
        change = api.call("POST", _change_path(args.change, "/apply"))
    else:
        change = api.call("GET", _change_path(args.change))
    if getattr(args, "wait", False):
        change = wait_applied(api, change["id"])
    print_json(change)


def wait_applied(api: AdminApi, change: str, timeout_s: float = WAIT_TIMEOUT_S) -> Any:
    """Poll the change until its background pass is done."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = api.call("GET", _change_path(change))
        if found["status"] == "applied":
            return found
        if time.monotonic() > deadline:
            raise CurateError(
                f"{change}: background pass not done after {timeout_s:.0f} s "
                "(is the curation queue served? `make demo` serves it)"
            )
        time.sleep(0.5)


def cmd_curate(args: Any) -> int:
    try:
        api: AdminApi = RemoteAdmin(args.api, args.region) if args.api else LocalAdmin()
        run(args, api)
    except CurateError as error:
        sys.stderr.write(f"newsfacet curate: {error}\n")
        return 1
    return 0
