"""The curation queue: one message per background pass, served by the admin function.

A message names a change and whether it is the settle pass (sent with a
delay by the first one). The same queue drives the pass on AWS (the admin
function's SQS event source) and on the local stack (the demo's poller).
"""

from __future__ import annotations

import json
import re
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from newsfacet.errors import QueueError
from newsfacet.models.curation import CHANGE_ID_PATTERN

# SQS refuses longer delays.
MAX_DELAY_S = 900


def pass_message(change: str, *, settle: bool = False) -> str:
    return json.dumps({"change": change, "settle": settle})


def read_pass_message(body: str) -> tuple[str, bool]:
    """(change id, settle) from a message body.

    Raises:
        ValueError: not a pass message.
    """
    data = json.loads(body)
    if not isinstance(data, dict) or not isinstance(data.get("change"), str):
        raise ValueError('expected {"change": "c<n>", "settle": bool}')
    if not re.match(CHANGE_ID_PATTERN, data["change"]):
        raise ValueError(f"not a change id: {data['change']!r}")
    return data["change"], bool(data.get("settle", False))


class SqsPassQueue:
    """The admin service's ``PassQueue`` on SQS."""

    def __init__(self, sqs: Any, queue_url: str) -> None:
        self.sqs = sqs
        self.queue_url = queue_url

    def request_pass(self, change: str, *, settle: bool = False, delay_s: int = 0) -> None:
        """Queue a pass.

        Raises:
            QueueError: no queue is configured, or SQS did not take the message.
        """
        if not self.queue_url:
            raise QueueError(
                f"change {change}: no curation queue (NEWSFACET_CURATION_QUEUE_URL) to run its "
                "background pass"
            )
        try:
            self.sqs.send_message(
                QueueUrl=self.queue_url,
                MessageBody=pass_message(change, settle=settle),
                DelaySeconds=min(max(delay_s, 0), MAX_DELAY_S),
            )
        except (BotoCoreError, ClientError) as exc:
            raise QueueError(
                f"change {change} is recorded but its background pass was not queued ({exc}); "
                f"ask again with `newsfacet curate apply {change}`"
            ) from exc
