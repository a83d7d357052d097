"""Serve a function over real HTTP by turning each request into an HTTP API v2 event.

This is what ``sam local start-api`` does in Docker: the handler sees the
same event shape API Gateway sends, and its response dict becomes the reply.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from newsfacet_cli.local.template import Route, route_for

logger = logging.getLogger(__name__)


def http_api_event(
    method: str, target: str, headers: dict[str, str], body: bytes, source_ip: str = "127.0.0.1"
) -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) event for one request."""
    parts = urlsplit(target)
    query: dict[str, list[str]] = parse_qs(parts.query, keep_blank_values=True)
    now = datetime.now(UTC)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": parts.path,
        "rawQueryString": parts.query,
        "headers": {k.lower(): v for k, v in headers.items()},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": headers.get("Host", "127.0.0.1"),
            "domainPrefix": "local",
            "http": {
                "method": method,
                "path": parts.path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": headers.get("User-Agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": "$default",
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": False,
    }
    if query:
        # HTTP API joins repeated parameters with commas.
        event["queryStringParameters"] = {k: ",".join(v) for k, v in query.items()}
    cookies = headers.get("Cookie")
    if cookies:
        event["cookies"] = [c.strip() for c in cookies.split(";")]
    if body:
        event["body"] = base64.b64encode(body).decode()
        event["isBase64Encoded"] = True
    return event


def dispatch(
    routes: list[Route], call: Callable[[str, dict[str, Any]], dict[str, Any]]
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """One handler for the server: each event to the function its route names in the template.

    A method no route declares (HEAD, OPTIONS) goes where GET would, as the
    functions answered it before routes were told apart.
    """

    def handle(event: dict[str, Any]) -> dict[str, Any]:
        method, path = event["requestContext"]["http"]["method"], event["rawPath"]
        route = route_for(routes, method, path) or route_for(routes, "GET", path)
        if route is None:
            return {"statusCode": 404, "body": json.dumps({"message": "Not Found"})}
        return call(route.function, event)

    return handle


def make_server(
    handler: Callable[[dict[str, Any]], dict[str, Any]], host: str, port: int
) -> ThreadingHTTPServer:
    # A Lambda execution environment handles one request at a time, and the
    # Powertools resolver keeps the current event on the app object: two calls at
    # once in this process could answer one request with the other's route (a
    # page's parallel asset requests did). Connections stay concurrent; calls don't.
    one_at_a_time = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            event = http_api_event(
                self.command, self.path, dict(self.headers.items()), body, self.client_address[0]
            )
            started = time.perf_counter()
            try:
                with one_at_a_time:
                    result = handler(event)
            except Exception:
                logger.exception("function raised")
                result = {
                    "statusCode": 500,
                    "body": json.dumps({"message": "Internal Server Error"}),
                    "headers": {"Content-Type": "application/json"},
                }
            self._reply(result)
            logger.info(
                "%s %s -> %s in %.1f ms",
                self.command,
                self.path,
                result.get("statusCode"),
                (time.perf_counter() - started) * 1000,
            )

        def _reply(self, result: dict[str, Any]) -> None:
            status = int(result.get("statusCode", 200))
            payload = result.get("body") or ""
            data = (
                base64.b64decode(payload)
                if result.get("isBase64Encoded")
                else str(payload).encode()
            )
            self.send_response(status)
            headers = {k.lower(): v for k, v in (result.get("headers") or {}).items()}
            headers.setdefault("content-type", "application/json")
            for key, value in headers.items():
                if key not in {"content-length", "connection"}:
                    self.send_header(key, value)
            for cookie in result.get("cookies") or []:
                self.send_header("set-cookie", cookie)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _serve  # noqa: N815

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server
