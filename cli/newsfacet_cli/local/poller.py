"""Hand SQS batches to the ingest handler, as the Lambda event source mapping does.

Messages the handler reports as failed stay on the queue and come back when
the handler said (it sets their visibility: backoff by receive count); an
invocation that fails as a whole (an exception, or the function's timeout)
leaves its messages to the queue's visibility timeout, as Lambda does. After
``maxReceiveCount`` receives the queue's redrive policy moves a message to the
DLQ. Nothing here decides success or timing: the handler and the queue do.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

logger = logging.getLogger(__name__)


def sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """The event Lambda builds from a batch of SQS messages."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": {
                    "ApproximateReceiveCount": m.get("Attributes", {}).get(
                        "ApproximateReceiveCount", "1"
                    ),
                    "SentTimestamp": m.get("Attributes", {}).get("SentTimestamp", "0"),
                    "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                    "ApproximateFirstReceiveTimestamp": m.get("Attributes", {}).get(
                        "ApproximateFirstReceiveTimestamp", "0"
                    ),
                },
                "messageAttributes": {},
                "md5OfBody": hashlib.md5(m["Body"].encode(), usedforsecurity=False).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": "us-east-1",
            }
            for m in messages
        ]
    }


class QueuePoller:
    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        invoke: Callable[[dict[str, Any]], Any],
        batch_size: int = 10,
    ) -> None:
        self.sqs = sqs
        self.queue_url = queue_url
        self.invoke = invoke
        self.batch_size = batch_size
        self.queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        self._stop = threading.Event()
        self.batches = 0

    def poll_once(self, wait_s: int = 1) -> int:
        """Receive one batch, invoke, delete what succeeded. Returns messages received."""
        response = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self.batch_size,
            WaitTimeSeconds=wait_s,
            AttributeNames=["All"],
        )
        messages = response.get("Messages", [])
        if not messages:
            return 0
        try:
            result = self.invoke(sqs_event(messages, self.queue_arn)) or {}
            failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
        except Exception:
            logger.exception(
                "ingest invocation failed; the whole batch comes back after the queue's "
                "visibility timeout"
            )
            failed = {m["MessageId"] for m in messages}
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)
                ],
            )
        self.batches += 1
        return len(messages)

    def drain(self, idle_s: float = 3.0, timeout_s: float = 300.0) -> None:
        """Poll until the queue stays empty for ``idle_s`` (retries included) or time runs out."""
        deadline = time.monotonic() + timeout_s
        idle_since = time.monotonic()
        while time.monotonic() < deadline:
            if self.poll_once(wait_s=1):
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since >= idle_s and self._in_flight() == 0:
                return
        raise TimeoutError(f"queue not drained within {timeout_s} s")

    def _in_flight(self) -> int:
        attrs = self.sqs.get_queue_attributes(
            QueueUrl=self.queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attrs["ApproximateNumberOfMessages"]) + int(
            attrs["ApproximateNumberOfMessagesNotVisible"]
        )

    def run_forever(self) -> None:
        """Poll until stopped; a queue that goes away briefly is waited for, not fatal."""
        while not self._stop.is_set():
            try:
                self.poll_once(wait_s=1)
            except (BotoCoreError, ClientError) as exc:
                if self._stop.is_set():
                    return
                logger.warning("cannot poll the queue (%s); retrying", exc)
                self._stop.wait(2)

    def redrive_every(self, interval_s: float, redrive: Callable[[], Any]) -> None:
        """Call ``redrive`` (the ingest function's scheduled event) every ``interval_s`` until
        stopped, as the template's schedule does on AWS."""
        while not self._stop.wait(interval_s):
            try:
                redrive()
            except Exception:
                logger.exception("scheduled redrive failed; next try in %s s", interval_s)

    def stop(self) -> None:
        self._stop.set()
