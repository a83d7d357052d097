"""The ingest handler on the seeds: moto S3/SQS, the real OpenSearch, every event shape."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_plus

import pytest

from tests.conftest import load_event, seed_paths

pytestmark = pytest.mark.integration


def _upload_seeds(moto_aws: dict[str, Any], prefix: str = "seeds/") -> list[str]:
    keys = []
    for path in seed_paths():
        key = f"{prefix}{path.name}"
        moto_aws["s3"].put_object(Bucket=moto_aws["bucket"], Key=key, Body=path.read_bytes())
        keys.append(key)
    return keys


def _drain_as_lambda(moto_aws: dict[str, Any], invoke_function: Any) -> list[dict[str, Any]]:
    """Receive what the bucket notification put on the queue and hand it to the handler."""
    from newsfacet_cli.local.poller import sqs_event

    sqs, results = moto_aws["sqs"], []
    queue_arn = sqs.get_queue_attributes(
        QueueUrl=moto_aws["queue_url"], AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    while True:
        batch = sqs.receive_message(QueueUrl=moto_aws["queue_url"], MaxNumberOfMessages=10)
        messages = batch.get("Messages", [])
        if not messages:
            return results
        results.append(invoke_function("IngestFunction", sqs_event(messages, queue_arn)))
        for m in messages:
            sqs.delete_message(QueueUrl=moto_aws["queue_url"], ReceiptHandle=m["ReceiptHandle"])


def _entries(os_client: Any, alias: str) -> list[dict[str, Any]]:
    os_client.indices.refresh(index=alias)
    hits = os_client.search(index=alias, body={"size": 1000, "query": {"match_all": {}}})
    return [h["_source"] for h in hits["hits"]["hits"]]


def test_bucket_notification_drives_ingest_of_every_seed(
    moto_aws: dict[str, Any], invoke_function: Any, os_client: Any, settings: Any
) -> None:
    _upload_seeds(moto_aws)
    results = _drain_as_lambda(moto_aws, invoke_function)
    assert results
    assert all(r == {"batchItemFailures": []} for r in results)
    entries = _entries(os_client, settings.entries_alias)
    keys = {s["key"] for e in entries for s in e["sources"]}
    assert keys == {f"seeds/{p.name}" for p in seed_paths()}
    seed_000 = [e for e in entries if e["sources"][0]["key"].startswith("seeds/000")]
    assert seed_000[0]["outlet"] == "independent.co.uk"
    assert seed_000[0]["published"].startswith("2023-05-24T05:59:45")


def test_ingesting_twice_changes_nothing(
    moto_aws: dict[str, Any], invoke_function: Any, os_client: Any, settings: Any
) -> None:
    _upload_seeds(moto_aws)
    _drain_as_lambda(moto_aws, invoke_function)
    first = {e["id"]: e for e in _entries(os_client, settings.entries_alias)}
    # A re-delivered notification for the very same objects.
    for path in seed_paths():
        event = json.loads(json.dumps(load_event("s3-put.json")))
        record = event["Records"][0]["s3"]
        record["bucket"]["name"] = moto_aws["bucket"]
        record["object"]["key"] = f"seeds/{path.name}"
        record["object"].pop("eTag")
        invoke_function("IngestFunction", event)
    second = {e["id"]: e for e in _entries(os_client, settings.entries_alias)}
    assert second.keys() == first.keys()
    assert {k: v["sources"] for k, v in second.items()} == {
        k: v["sources"] for k, v in first.items()
    }


def test_same_text_under_another_key_adds_a_source_not_an_entry(
    moto_aws: dict[str, Any], invoke_function: Any, os_client: Any, settings: Any
) -> None:
    body = seed_paths()[2].read_bytes()
    for key in ("a/copy-one.txt", "b/copy-two.txt"):
        moto_aws["s3"].put_object(Bucket=moto_aws["bucket"], Key=key, Body=body)
    _drain_as_lambda(moto_aws, invoke_function)
    entries = _entries(os_client, settings.entries_alias)
    assert len(entries) == 1
    assert sorted(s["key"] for s in entries[0]["sources"]) == ["a/copy-one.txt", "b/copy-two.txt"]


def test_bad_object_is_recorded_and_not_retried_while_the_batch_goes_on(
    moto_aws: dict[str, Any], invoke_function: Any, os_client: Any, settings: Any
) -> None:
    s3, bucket = moto_aws["s3"], moto_aws["bucket"]
    s3.put_object(Bucket=bucket, Key="junk/empty.txt", Body=b"")
    s3.put_object(Bucket=bucket, Key="junk/scan.pdf", Body=b"%PDF-1.4\n\x00\x00binary")
    s3.put_object(Bucket=bucket, Key="good/002.txt", Body=seed_paths()[2].read_bytes())
    results = _drain_as_lambda(moto_aws, invoke_function)
    # Bad input is not a retryable failure: nothing comes back to the queue.
    assert all(r["batchItemFailures"] == [] for r in results)
    os_client.indices.refresh(index=settings.failures_index)
    failures = os_client.search(index=settings.failures_index, body={"query": {"match_all": {}}})
    recorded = {h["_source"]["key"]: h["_source"]["error"] for h in failures["hits"]["hits"]}
    assert recorded == {"junk/empty.txt": "empty_object", "junk/scan.pdf": "unsupported_format"}
    assert len(_entries(os_client, settings.entries_alias)) == 1


def _receive_all(moto_aws: dict[str, Any]) -> list[dict[str, Any]]:
    """Every object notification on the queue (moto also sends an s3:TestEvent)."""
    sqs, messages = moto_aws["sqs"], []
    while batch := sqs.receive_message(QueueUrl=moto_aws["queue_url"], MaxNumberOfMessages=10).get(
        "Messages", []
    ):
        messages += [m for m in batch if "s3:TestEvent" not in m["Body"]]
    return messages


def test_opensearch_failure_fails_only_that_record(
    moto_aws: dict[str, Any],
    invoke_function: Any,
    os_client: Any,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One bulk call fails as a throttled cluster would; only its message is retried."""
    from opensearchpy.exceptions import TransportError

    from newsfacet import wiring
    from newsfacet_cli.local.poller import sqs_event

    _upload_seeds(moto_aws)
    messages = _receive_all(moto_aws)
    assert len(messages) == 5
    invoke_function("IngestFunction", sqs_event(messages[:1], "arn"))  # a warm container
    client = wiring.ingest_deps().writer.client  # type: ignore[attr-defined]
    real_bulk = client.bulk
    record = json.loads(messages[2]["Body"])["Records"][0]["s3"]["object"]["key"]
    throttled_key = unquote_plus(record)

    def bulk_throttled_for_one_object(*args: Any, **kwargs: Any) -> Any:
        # Every attempt (the client's own retries included) for that object is throttled.
        if throttled_key in str(kwargs.get("body", args[0] if args else "")):
            raise TransportError(429, "es_rejected_execution_exception", {})
        return real_bulk(*args, **kwargs)

    monkeypatch.setattr(client, "bulk", bulk_throttled_for_one_object)
    result = invoke_function("IngestFunction", sqs_event(messages[1:], "arn"))
    assert [f["itemIdentifier"] for f in result["batchItemFailures"]] == [messages[2]["MessageId"]]
    # Live blogs give one entry per post, so count objects, not entries.
    stored = {s["key"] for e in _entries(os_client, settings.entries_alias) for s in e["sources"]}
    assert throttled_key not in stored
    assert len(stored) == 4


@pytest.mark.parametrize("event_file", ["s3-put.json", "eventbridge-s3.json"])
def test_direct_and_eventbridge_events(
    event_file: str,
    moto_aws: dict[str, Any],
    invoke_function: Any,
    os_client: Any,
    settings: Any,
) -> None:
    _upload_seeds(moto_aws)
    event = load_event(event_file)
    result = invoke_function("IngestFunction", event)
    assert [r["status"] for r in result["results"]] == ["ingested"]
    assert len(_entries(os_client, settings.entries_alias)) >= 1
