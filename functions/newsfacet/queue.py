"""When a retried SQS message comes back: exponential backoff through its visibility timeout.

SQS gives a failed message back after the queue's visibility timeout, the
same wait every time, so a few minutes of OpenSearch outage used to burn
all of a message's receives and send it to the dead-letter queue. The ingest
function instead sets each retried message's visibility from its receive
count (``ApproximateReceiveCount``): ``base``, then twice as long after each
further receive, capped. With the defaults (30 s, cap 15 min,
``maxReceiveCount`` 12) a message outlasts about two hours of outage.
A message deferred for want of time is not a fault: it comes back at once.

The same queue takes the next part of an object too large for one
invocation (``events.continuation_body``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from newsfacet.errors import TransientError
from newsfacet.redrive import ReplayReport, replay_dlq

logger = logging.getLogger(__name__)

# SQS's ceiling for a message's visibility timeout.
MAX_VISIBILITY_S = 43200


def backoff_s(receive_count: int, *, base_s: int, max_s: int) -> int:
    """Seconds before the ``receive_count``-th receive's retry: ``base_s · 2^(n-1)``, capped."""
    exponent = max(0, receive_count - 1)
    # Cap the exponent first: 2**n of a large receive count is a needlessly big integer.
    delay: int = base_s * 2 ** min(exponent, 30)
    return min(delay, max_s, MAX_VISIBILITY_S)


def outage_tolerance_s(*, base_s: int, max_s: int, max_receive_count: int) -> int:
    """How long OpenSearch may be down before a message received at its start is dead-lettered."""
    return sum(backoff_s(n, base_s=base_s, max_s=max_s) for n in range(1, max_receive_count + 1))


@dataclass(frozen=True)
class Delay:
    """Hide one received message for ``seconds`` (0: visible again at once)."""

    message_id: str
    receipt_handle: str
    seconds: int


class IngestQueue:
    """The ingest queue as the function sees it: retry delays, and parts of large objects."""

    def __init__(self, sqs: Any) -> None:
        self.sqs = sqs
        self._urls: dict[str, str] = {}

    def queue_url(self, queue_arn: str) -> str:
        """The queue's URL from its ARN (asked of SQS once per container, so any endpoint works)."""
        url = self._urls.get(queue_arn)
        if url is None:
            _, _, _, _, account, name = queue_arn.split(":", 5)
            url = self.sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]
            self._urls[queue_arn] = url
        return url

    def send(self, queue_arn: str, bodies: Sequence[str]) -> None:
        """Put messages on the queue (the next parts of large objects).

        Raises:
            TransientError: SQS refused one; the message that asked is retried whole.
        """
        try:
            url = self.queue_url(queue_arn)
            for start in range(0, len(bodies), 10):
                chunk = bodies[start : start + 10]
                answer = self.sqs.send_message_batch(
                    QueueUrl=url,
                    Entries=[{"Id": str(i), "MessageBody": body} for i, body in enumerate(chunk)],
                )
                if answer.get("Failed"):
                    raise TransientError(f"SQS refused a message: {answer['Failed'][0]}")
        except (BotoCoreError, ClientError, ValueError) as exc:
            raise TransientError(f"cannot send to the ingest queue: {exc}") from exc

    def redrive(
        self, *, dlq_url: str, queue_url: str, max_redrives: int, max_messages: int
    ) -> ReplayReport:
        """Dead letters back to the queue, each at most ``max_redrives`` times in its life."""
        return replay_dlq(
            self.sqs,
            dlq_url=dlq_url,
            queue_url=queue_url,
            max_messages=max_messages,
            max_redrives=max_redrives,
        )

    def delay(self, queue_arn: str, delays: Sequence[Delay]) -> list[str]:
        """Set each message's visibility; returns the ids SQS refused.

        A refused change is logged, not raised: the message then comes back after
        the queue's own visibility timeout, later but not lost.
        """
        if not delays:
            return []
        try:
            url = self.queue_url(queue_arn)
            failed: list[str] = []
            for start in range(0, len(delays), 10):  # the batch call takes ten at most
                chunk = delays[start : start + 10]
                answer = self.sqs.change_message_visibility_batch(
                    QueueUrl=url,
                    Entries=[
                        {
                            "Id": str(i),
                            "ReceiptHandle": d.receipt_handle,
                            "VisibilityTimeout": d.seconds,
                        }
                        for i, d in enumerate(chunk)
                    ],
                )
                failed += [chunk[int(f["Id"])].message_id for f in answer.get("Failed", [])]
        except (BotoCoreError, ClientError, ValueError) as exc:
            logger.warning(
                "cannot set the retry delay; SQS's visibility timeout applies",
                extra={"queue": queue_arn, "error": str(exc)},
            )
            return [d.message_id for d in delays]
        if failed:
            logger.warning(
                "SQS refused some retry delays; its visibility timeout applies",
                extra={"queue": queue_arn, "message_ids": failed},
            )
        return failed
