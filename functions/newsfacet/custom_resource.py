"""The set-up step at deploy: a CloudFormation custom resource served by the ingest function.

``template.yaml`` declares ``IndexSetup`` with the ingest function as its
service token. CloudFormation sends it ``Create`` when the stack is made and
``Update`` when a property changes (the mapping revision), and waits for an
answer at the pre-signed ``ResponseURL``: without one the stack hangs for an
hour, so an answer is sent whatever happens. ``Delete`` removes nothing: the
domain and its indices outlive the stack (``DeletionPolicy: Retain``).
"""

from __future__ import annotations

import json
import logging
import time
import urllib.request
from collections.abc import Callable
from typing import Any

from opensearchpy.exceptions import OpenSearchException

from newsfacet.errors import TransientError

logger = logging.getLogger(__name__)

# A domain that has just been created can take a little while to accept requests.
RETRY_S = (5, 10, 20, 30, 30, 30, 30, 30)
# Seconds kept free to answer CloudFormation: data migrations stop when less is left.
ANSWER_RESERVE_S = 45.0


def handle(
    event: dict[str, Any],
    set_up: Callable[[], list[str]],
    *,
    time_left: Callable[[], float],
    put: Callable[[str, bytes], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Run ``set_up`` for Create and Update (retrying while OpenSearch is not reachable yet),
    then answer CloudFormation. Returns the answer sent."""
    status, reason, done = "SUCCESS", "indices ready", []
    try:
        if event["RequestType"] in ("Create", "Update"):
            done = _with_retries(set_up, time_left=time_left, sleep=sleep)
            # CloudFormation shows a short reason: what is left to do comes first.
            todo = [line for line in done if "newsfacet setup" in line]
            reason = "; ".join([*todo, *(line for line in done if line not in todo)])[:400]
            reason = reason or "indices ready"
    except Exception as exc:  # CloudFormation must hear about any failure
        logger.exception("index set-up failed")
        status, reason = "FAILED", f"{type(exc).__name__}: {exc}"[:400]
    answer = {
        "Status": status,
        "Reason": f"{reason} (log stream: see the ingest function's logs)",
        "PhysicalResourceId": event.get("PhysicalResourceId")
        or f"{event['ResourceProperties'].get('IndexPrefix', 'newsfacet')}-indices",
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
        "Data": {"Steps": len(done)},
    }
    (put or _put)(event["ResponseURL"], json.dumps(answer).encode())
    return answer


def _with_retries(
    set_up: Callable[[], list[str]],
    *,
    time_left: Callable[[], float],
    sleep: Callable[[float], None],
) -> list[str]:
    for wait in (*RETRY_S, None):
        try:
            return set_up()
        except (OpenSearchException, TransientError) as exc:
            if wait is None or time_left() < wait + 30:
                raise
            logger.warning(
                "OpenSearch not ready for set-up; trying again", extra={"error": str(exc)}
            )
            sleep(wait)
    raise AssertionError("unreachable")


def _put(url: str, body: bytes) -> None:
    # The pre-signed URL was signed for an empty content type.
    request = urllib.request.Request(
        url, data=body, method="PUT", headers={"Content-Type": "", "Content-Length": str(len(body))}
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # CloudFormation's own URL
        response.read()
