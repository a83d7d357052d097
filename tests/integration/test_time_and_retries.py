"""Time and retries through the real handler: parts, deferral, backoff, the DLQ and its redrive.

moto (in process) for S3 and SQS, the real OpenSearch; the handler loaded from
template.yaml as the local runner loads it.
"""

from __future__ import annotations

import json
import logging
import random
import socket
from typing import Any

import pytest

from newsfacet.models.document import ObjectRef

pytestmark = pytest.mark.integration

WORDS = ["council", "budget", "river", "school", "teacher", "village", "market", "harbour"]


def _article(i: int, chars: int) -> dict[str, str]:
    rng = random.Random(i)
    words = " ".join(rng.choice(WORDS) for _ in range(chars // 7))
    return {
        "title": f"Story {i}",
        "text": f"Story number {i} begins. {words}.",
        "url": f"https://ex.org/{i}",
    }


def _jsonl(count: int, chars: int) -> bytes:
    return "\n".join(json.dumps(_article(i, chars)) for i in range(count)).encode()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _queue_arn(moto_aws: dict[str, Any]) -> str:
    attrs = moto_aws["sqs"].get_queue_attributes(
        QueueUrl=moto_aws["queue_url"], AttributeNames=["QueueArn"]
    )
    return str(attrs["Attributes"]["QueueArn"])


def _receive(moto_aws: dict[str, Any], wait_s: int = 0) -> list[dict[str, Any]]:
    got = (
        moto_aws["sqs"]
        .receive_message(
            QueueUrl=moto_aws["queue_url"],
            MaxNumberOfMessages=10,
            AttributeNames=["All"],
            WaitTimeSeconds=wait_s,
        )
        .get("Messages", [])
    )
    for m in got:
        if "s3:TestEvent" in m["Body"]:  # what moto sends when the notification is set up
            moto_aws["sqs"].delete_message(
                QueueUrl=moto_aws["queue_url"], ReceiptHandle=m["ReceiptHandle"]
            )
    return [m for m in got if "s3:TestEvent" not in m["Body"]]


def _drain(moto_aws: dict[str, Any], invoke_function: Any, rounds: int = 20) -> list[Any]:
    """What the event source mapping does: receive, invoke, delete what succeeded."""
    from newsfacet_cli.local.poller import sqs_event

    results = []
    for _ in range(rounds):
        messages = _receive(moto_aws)
        if not messages:
            return results
        result = invoke_function("IngestFunction", sqs_event(messages, _queue_arn(moto_aws)))
        results.append(result)
        failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
        for m in messages:
            if m["MessageId"] not in failed:
                moto_aws["sqs"].delete_message(
                    QueueUrl=moto_aws["queue_url"], ReceiptHandle=m["ReceiptHandle"]
                )
    raise AssertionError("the queue did not drain")


def _entries(os_client: Any, settings: Any) -> list[dict[str, Any]]:
    os_client.indices.refresh(index=settings.index_names.entries)
    hits = os_client.search(
        index=settings.index_names.entries, body={"size": 1000, "query": {"match_all": {}}}
    )
    return [h["_source"] for h in hits["hits"]["hits"]]


def _failures(os_client: Any, settings: Any) -> list[dict[str, Any]]:
    os_client.indices.refresh(index=settings.index_names.failures)
    hits = os_client.search(
        index=settings.index_names.failures, body={"size": 1000, "query": {"match_all": {}}}
    )
    return [h["_source"] for h in hits["hits"]["hits"]]


@pytest.fixture
def big_object(moto_aws: dict[str, Any], function_env: dict[str, str]) -> str:
    """``big.jsonl``, 60 articles of ~1,000 characters, three times the per-object budget of
    20,000 characters set here; no NER (this is about splitting)."""
    function_env.update(
        {"NEWSFACET_MAX_OBJECT_CHARS": "20000", "NEWSFACET_ENTITIES_ENABLED": "false"}
    )
    moto_aws["s3"].put_object(Bucket=moto_aws["bucket"], Key="big.jsonl", Body=_jsonl(60, 1000))
    return "big.jsonl"


def test_an_object_over_its_budget_is_ingested_in_parts(
    moto_aws: dict[str, Any],
    big_object: str,
    invoke_function: Any,
    os_client: Any,
    settings: Any,
) -> None:
    results = _drain(moto_aws, invoke_function)
    # Each part is one invocation: ~20 articles of ~1,000 characters each.
    assert len(results) >= 3
    assert all(r["batchItemFailures"] == [] for r in results)
    stored = _entries(os_client, settings)
    assert sorted(e["title"] for e in stored) == sorted(f"Story {i}" for i in range(60))
    assert _failures(os_client, settings) == []


def test_without_a_queue_the_rest_is_recorded_over_budget(
    moto_aws: dict[str, Any],
    big_object: str,
    invoke_function: Any,
    os_client: Any,
    settings: Any,
) -> None:
    event = {
        "Records": [
            {
                "eventSource": "aws:s3",
                "eventName": "ObjectCreated:Put",
                "s3": {"bucket": {"name": moto_aws["bucket"]}, "object": {"key": big_object}},
            }
        ]
    }
    (summary,) = invoke_function("IngestFunction", event)["results"]
    assert summary["status"] == "partial"
    assert summary["errors"] == ["over_budget"]
    (record,) = _failures(os_client, settings)
    assert record["error"] == "over_budget"
    assert record["position"] == summary["articles"] + 1  # JSON Lines positions are line numbers
    assert "split the file" in record["message"]
    assert len(_entries(os_client, settings)) == summary["articles"]


def test_objects_that_do_not_fit_the_time_left_are_deferred(
    moto_aws: dict[str, Any], os_client: Any, settings: Any
) -> None:
    from newsfacet.wiring import ingest_service

    service = ingest_service(settings.model_copy(update={"entities_enabled": False}))
    refs = []
    for i, chars in enumerate([10_000, 30_000, 1_000]):
        key = f"obj-{i}.json"
        body = json.dumps(_article(i, chars)).encode()
        moto_aws["s3"].put_object(Bucket=moto_aws["bucket"], Key=key, Body=body)
        refs.append(ObjectRef(bucket=moto_aws["bucket"], key=key))
    # 16 s left, 15 s kept in reserve: 1 s of work, 25,000 characters. The first object
    # fits; the second does not, so it and every object after it wait for the next invocation.
    reports = service.ingest(refs, time_left=lambda: 16.0)
    assert [r.status for r in reports] == ["indexed", "retry", "retry"]
    assert [r.deferred for r in reports] == [False, True, True]
    assert _failures(os_client, settings) == []
    assert [r.status for r in service.ingest(refs[1:])] == ["indexed", "indexed"]
    assert len(_entries(os_client, settings)) == 3


def test_a_transient_fault_backs_off_and_the_last_receive_says_dead_letter_queue(
    moto_aws: dict[str, Any],
    function_env: dict[str, str],
    invoke_function: Any,
) -> None:
    from newsfacet_cli.local.poller import sqs_event

    function_env.update(
        {
            "NEWSFACET_OPENSEARCH_URL": f"http://127.0.0.1:{_closed_port()}",
            "NEWSFACET_RETRY_BASE_S": "60",
        }
    )
    moto_aws["s3"].put_object(Bucket=moto_aws["bucket"], Key="a.txt", Body=b"x" * 100)
    (message,) = _receive(moto_aws)
    result = invoke_function("IngestFunction", sqs_event([message], _queue_arn(moto_aws)))
    assert result["batchItemFailures"] == [{"itemIdentifier": message["MessageId"]}]
    # Hidden for the backoff (60 s at the first receive), not the queue's 30 minutes or 0.
    assert _receive(moto_aws) == []
    attrs = moto_aws["sqs"].get_queue_attributes(
        QueueUrl=moto_aws["queue_url"], AttributeNames=["ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    assert attrs["ApproximateNumberOfMessagesNotVisible"] == "1"

    # The same message at its last allowed receive: logged as bound for the DLQ, and let go.
    moto_aws["sqs"].change_message_visibility(
        QueueUrl=moto_aws["queue_url"], ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
    )
    (again,) = _receive(moto_aws)
    event = sqs_event([again], _queue_arn(moto_aws))
    event["Records"][0]["attributes"]["ApproximateReceiveCount"] = "12"
    records: list[logging.LogRecord] = []
    catcher = logging.Handler()
    catcher.emit = records.append  # type: ignore[method-assign]
    logging.getLogger("newsfacet").addHandler(catcher)
    try:
        invoke_function("IngestFunction", event)
    finally:
        logging.getLogger("newsfacet").removeHandler(catcher)
    (dead,) = [r for r in records if r.getMessage() == "message goes to the dead-letter queue"]
    assert dead.levelname == "ERROR"
    assert dead.__dict__["receives"] == 12
    assert "OpenSearch" in dead.__dict__["reason"]
    assert "a.txt" in dead.__dict__["body"]
    assert len(_receive(moto_aws)) == 1  # visible at once, so SQS moves it now


def test_the_scheduled_redrive_waits_for_a_healthy_cluster_and_for_no_message_forever(
    moto_aws: dict[str, Any],
    function_env: dict[str, str],
    invoke_function: Any,
    os_client: Any,
) -> None:
    from newsfacet.events import redrive_event

    sqs, dlq, queue = moto_aws["sqs"], moto_aws["dlq_url"], moto_aws["queue_url"]
    _receive(moto_aws)  # moto's s3:TestEvent
    for i in range(3):
        sqs.send_message(QueueUrl=dlq, MessageBody=json.dumps({"n": i}))
    worn = {"newsfacet-redrives": {"DataType": "Number", "StringValue": "3"}}
    sqs.send_message(QueueUrl=dlq, MessageBody=json.dumps({"n": "worn"}), MessageAttributes=worn)
    event = redrive_event(dlq_url=dlq, queue_url=queue)

    healthy_url = function_env["NEWSFACET_OPENSEARCH_URL"]
    function_env["NEWSFACET_OPENSEARCH_URL"] = f"http://127.0.0.1:{_closed_port()}"
    waiting = invoke_function("IngestFunction", event)
    assert waiting["redriven"] == 0
    assert "OpenSearch" in waiting["waiting_for"]

    function_env["NEWSFACET_OPENSEARCH_URL"] = healthy_url
    done = invoke_function("IngestFunction", event)
    assert (done["redriven"], done["kept"]) == (3, 1)
    moved = sqs.receive_message(
        QueueUrl=queue, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    )["Messages"]
    assert sorted(json.loads(m["Body"])["n"] for m in moved) == [0, 1, 2]
    assert {m["MessageAttributes"]["newsfacet-redrives"]["StringValue"] for m in moved} == {"1"}
