"""`newsfacet replay-dlq` against moto: messages the redrive policy dead-lettered come back."""

from __future__ import annotations

import json
from typing import Any

import pytest

from newsfacet_cli.main import main
from newsfacet_cli.ops.replay import replay_dlq

pytestmark = pytest.mark.integration


def count(sqs: Any, url: str) -> tuple[int, int]:
    attrs = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attrs["ApproximateNumberOfMessages"]), int(
        attrs["ApproximateNumberOfMessagesNotVisible"]
    )


def bodies(sqs: Any, url: str) -> list[str]:
    out: list[str] = []
    while got := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        out += [m["Body"] for m in got]
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)
            ],
        )
    return out


def notification(key: str) -> str:
    return json.dumps(
        {
            "Records": [
                {
                    "eventSource": "aws:s3",
                    "eventName": "ObjectCreated:Put",
                    "s3": {"bucket": {"name": "b"}, "object": {"key": key, "size": 1}},
                }
            ]
        }
    )


def dead_letter(aws: dict[str, Any], template: Any, body: str) -> None:
    """Fail a message as often as the queue's redrive policy allows, so moto moves it."""
    sqs, queue = aws["sqs"], aws["queue_url"]
    sqs.send_message(QueueUrl=queue, MessageBody=body)
    for _ in range(template.max_receive_count + 1):
        sqs.receive_message(QueueUrl=queue, VisibilityTimeout=0, MaxNumberOfMessages=10)


@pytest.fixture
def queues(moto_aws: dict[str, Any]) -> dict[str, Any]:
    bodies(moto_aws["sqs"], moto_aws["queue_url"])  # the notification set-up's s3:TestEvent
    return moto_aws


def test_redriven_messages_go_back_to_the_ingest_queue(
    queues: dict[str, Any], template: Any
) -> None:
    sqs = queues["sqs"]
    sent = [notification(f"k/{i}.txt") for i in range(13)]
    for body in sent:
        dead_letter(queues, template, body)
    assert count(sqs, queues["dlq_url"])[0] == 13
    progress: list[int] = []

    report = replay_dlq(
        sqs, dlq_url=queues["dlq_url"], queue_url=queues["queue_url"], on_progress=progress.append
    )

    assert report.moved == 13
    assert sum(progress) == 13
    assert count(sqs, queues["dlq_url"]) == (0, 0)
    assert sorted(bodies(sqs, queues["queue_url"])) == sorted(sent)


def test_max_moves_only_that_many(queues: dict[str, Any]) -> None:
    sqs = queues["sqs"]
    for i in range(5):
        sqs.send_message(QueueUrl=queues["dlq_url"], MessageBody=notification(f"k/{i}"))

    report = replay_dlq(
        sqs, dlq_url=queues["dlq_url"], queue_url=queues["queue_url"], max_messages=3
    )

    assert report.moved == 3
    assert len(bodies(sqs, queues["queue_url"])) == 3
    assert count(sqs, queues["dlq_url"])[0] == 2


class RefusingSqs:
    """The real (moto) client, except that the main queue refuses one message once."""

    def __init__(self, real: Any, refuse_body: str) -> None:
        self.real = real
        self.refuse_body = refuse_body
        self.refused = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]) -> Any:  # noqa: N803
        refuse = [e for e in Entries if e["MessageBody"] == self.refuse_body and not self.refused]
        self.refused = self.refused or bool(refuse)
        kept = [e for e in Entries if e not in refuse]
        result = self.real.send_message_batch(QueueUrl=QueueUrl, Entries=kept)
        result["Failed"] = [{"Id": e["Id"], "SenderFault": False, "Code": "X"} for e in refuse]
        return result


def test_message_the_queue_refused_stays_in_the_dlq(queues: dict[str, Any]) -> None:
    sqs = queues["sqs"]
    sent = [notification(f"k/{i}") for i in range(4)]
    for body in sent:
        sqs.send_message(QueueUrl=queues["dlq_url"], MessageBody=body)

    report = replay_dlq(
        RefusingSqs(sqs, sent[2]),
        dlq_url=queues["dlq_url"],
        queue_url=queues["queue_url"],
        visibility_timeout_s=30,
    )

    assert (report.moved, report.send_failed) == (3, 1)
    assert sorted(bodies(sqs, queues["queue_url"])) == sorted(sent[:2] + sent[3:])
    assert count(sqs, queues["dlq_url"]) == (0, 1)  # not deleted: hidden, then back


def test_cli_replay_dlq(queues: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    sqs = queues["sqs"]
    sqs.send_message(QueueUrl=queues["dlq_url"], MessageBody=notification("k/1"))

    status = main(
        [
            "replay-dlq",
            "--dlq-url",
            queues["dlq_url"],
            "--queue-url",
            queues["queue_url"],
            "--region",
            "us-east-1",
        ]
    )

    assert status == 0
    assert json.loads(capsys.readouterr().out)["moved"] == 1
    assert bodies(sqs, queues["queue_url"]) == [notification("k/1")]
