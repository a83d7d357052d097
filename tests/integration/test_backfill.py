"""`newsfacet backfill` against moto: real S3 listings, real SQS messages, real checkpoints."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from newsfacet.events import refs_from_sqs_body
from newsfacet_cli.main import main
from newsfacet_cli.ops.backfill import (
    BackfillError,
    Checkpoint,
    RateLimiter,
    backfill,
    parse_s3_url,
)
from tests.conftest import seed_paths

pytestmark = pytest.mark.integration


class FakeClock:
    """Time that passes only when the limiter sleeps: rate limiting without waiting."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def drain(sqs: Any, queue_url: str) -> list[dict[str, Any]]:
    """Every message on the queue (received and deleted)."""
    out: list[dict[str, Any]] = []
    while True:
        got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            return out
        out += got
        sqs.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)
            ],
        )


def upload(aws: dict[str, Any], keys: list[str]) -> None:
    seeds = seed_paths()
    for i, key in enumerate(keys):
        aws["s3"].put_object(Bucket=aws["bucket"], Key=key, Body=seeds[i % len(seeds)].read_bytes())


def enqueued_keys(aws: dict[str, Any]) -> list[str]:
    return [
        ref.key
        for m in drain(aws["sqs"], aws["queue_url"])
        for ref in refs_from_sqs_body(m["Body"])
    ]


def run(aws: dict[str, Any], tmp_path: Path, prefix: str = "", **kwargs: Any) -> Any:
    fake = FakeClock()
    since = kwargs.pop("since", None)
    checkpoint = kwargs.pop("checkpoint", None) or Checkpoint.open(
        tmp_path / "checkpoint.json", aws["bucket"], prefix, since
    )
    report = backfill(
        aws["s3"],
        aws["sqs"],
        bucket=aws["bucket"],
        prefix=prefix,
        queue_url=aws["queue_url"],
        checkpoint=checkpoint,
        since=since,
        limiter=kwargs.pop("limiter", RateLimiter(1000, fake.clock, fake.sleep)),
        **kwargs,
    )
    return report


def test_backfilled_message_reads_like_the_notification_s3_sends(
    moto_aws: dict[str, Any], tmp_path: Path
) -> None:
    key = "seeds/Belgorod raid 002.txt"  # a space: S3 encodes it as '+' in notifications
    upload(moto_aws, [key])
    # Besides the s3:TestEvent of the notification set-up, moto sends what S3 sends.
    real = [m for m in drain(moto_aws["sqs"], moto_aws["queue_url"]) if "Records" in m["Body"]]
    assert len(real) == 1

    report = run(moto_aws, tmp_path)
    ours = drain(moto_aws["sqs"], moto_aws["queue_url"])

    assert report.enqueued == 1
    (real_ref,) = refs_from_sqs_body(real[0]["Body"])
    (our_ref,) = refs_from_sqs_body(ours[0]["Body"])
    assert (our_ref.bucket, our_ref.key, our_ref.size) == (real_ref.bucket, key, real_ref.size)
    assert our_ref.etag == real_ref.etag
    real_record = json.loads(real[0]["Body"])["Records"][0]
    our_record = json.loads(ours[0]["Body"])["Records"][0]
    assert set(real_record) <= set(our_record) | {"requestParameters", "responseElements"}
    assert our_record["eventName"].startswith("ObjectCreated")


def test_only_the_prefix_and_no_folder_markers(moto_aws: dict[str, Any], tmp_path: Path) -> None:
    upload(moto_aws, ["a/1.txt", "a/2.txt", "b/3.txt"])
    moto_aws["s3"].put_object(Bucket=moto_aws["bucket"], Key="a/sub/", Body=b"")
    drain(moto_aws["sqs"], moto_aws["queue_url"])

    report = run(moto_aws, tmp_path, prefix="a/")

    assert sorted(enqueued_keys(moto_aws)) == ["a/1.txt", "a/2.txt"]
    assert (report.listed, report.enqueued) == (3, 2)


def test_since_skips_objects_modified_earlier(moto_aws: dict[str, Any], tmp_path: Path) -> None:
    upload(moto_aws, ["old/1.txt", "old/2.txt"])
    time.sleep(1.1)  # S3 LastModified has one-second resolution
    since = datetime.now(UTC).replace(microsecond=0)
    time.sleep(0.1)
    upload(moto_aws, ["new/1.txt", "new/2.txt", "new/3.txt"])
    drain(moto_aws["sqs"], moto_aws["queue_url"])

    report = run(moto_aws, tmp_path, since=since)

    assert sorted(enqueued_keys(moto_aws)) == ["new/1.txt", "new/2.txt", "new/3.txt"]
    assert report.skipped_older == 2


def test_rate_limit_spaces_the_batches(moto_aws: dict[str, Any], tmp_path: Path) -> None:
    upload(moto_aws, [f"k/{i:02d}.txt" for i in range(25)])
    drain(moto_aws["sqs"], moto_aws["queue_url"])
    fake = FakeClock()

    report = run(moto_aws, tmp_path, limiter=RateLimiter(20, fake.clock, fake.sleep))

    # 25 messages at 20/s: batches of 10, 10, 5 start at 0 s, 0.5 s and 1.0 s.
    assert report.enqueued == 25
    assert sum(fake.slept) == pytest.approx(1.0)
    assert len(enqueued_keys(moto_aws)) == 25


def test_interrupted_backfill_resumes_after_the_last_key(
    moto_aws: dict[str, Any], tmp_path: Path
) -> None:
    keys = [f"k/{i:02d}.txt" for i in range(25)]
    upload(moto_aws, keys)
    drain(moto_aws["sqs"], moto_aws["queue_url"])

    def stop_after_first_batch(count: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(moto_aws, tmp_path, on_progress=stop_after_first_batch)
    saved = json.loads((tmp_path / "checkpoint.json").read_text())
    assert (saved["last_key"], saved["enqueued"], saved["done"]) == ("k/09.txt", 10, False)

    report = run(moto_aws, tmp_path)

    assert report.resumed_after == "k/09.txt"
    assert report.enqueued == 15
    assert sorted(enqueued_keys(moto_aws)) == keys  # each key exactly once
    assert run(moto_aws, tmp_path).already_done


def test_checkpoint_of_another_backfill_is_refused(
    moto_aws: dict[str, Any], tmp_path: Path
) -> None:
    upload(moto_aws, ["a/1.txt"])
    run(moto_aws, tmp_path, prefix="a/")
    with pytest.raises(BackfillError, match="another backfill"):
        Checkpoint.open(tmp_path / "checkpoint.json", moto_aws["bucket"], "b/", None)
    fresh = Checkpoint.open(
        tmp_path / "checkpoint.json", moto_aws["bucket"], "b/", None, restart=True
    )
    assert fresh.last_key is None


class RefusingSqs:
    """The real (moto) client, except that SQS refuses one entry of the second batch."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.calls = 0

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]) -> Any:  # noqa: N803
        self.calls += 1
        if self.calls != 2:
            return self.real.send_message_batch(QueueUrl=QueueUrl, Entries=Entries)
        kept = [e for e in Entries if e["Id"] != "3"]
        result = self.real.send_message_batch(QueueUrl=QueueUrl, Entries=kept)
        result["Failed"] = [{"Id": "3", "SenderFault": False, "Code": "InternalError"}]
        return result


def test_refused_entry_is_reported_and_resent_on_rerun(
    moto_aws: dict[str, Any], tmp_path: Path
) -> None:
    keys = [f"k/{i:02d}.txt" for i in range(25)]
    upload(moto_aws, keys)
    drain(moto_aws["sqs"], moto_aws["queue_url"])

    checkpoint = Checkpoint.open(tmp_path / "c2.json", moto_aws["bucket"], "", None)
    fake = FakeClock()
    failed = backfill(
        moto_aws["s3"],
        RefusingSqs(moto_aws["sqs"]),
        bucket=moto_aws["bucket"],
        prefix="",
        queue_url=moto_aws["queue_url"],
        checkpoint=checkpoint,
        limiter=RateLimiter(1000, fake.clock, fake.sleep),
    )
    assert failed.failed_keys == ["k/13.txt"]
    assert (checkpoint.last_key, checkpoint.done) == ("k/12.txt", False)

    resumed = run(
        moto_aws,
        tmp_path,
        checkpoint=Checkpoint.open(tmp_path / "c2.json", moto_aws["bucket"], "", None),
    )
    assert resumed.enqueued == 12  # k/13 .. k/24; k/14-k/19 twice, which ingest absorbs
    assert sorted(set(enqueued_keys(moto_aws))) == keys


def test_cli_backfill(
    moto_aws: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    upload(moto_aws, ["seeds/000.txt", "seeds/001.txt"])
    drain(moto_aws["sqs"], moto_aws["queue_url"])
    bucket = moto_aws["bucket"]

    status = main(
        [
            "backfill",
            f"s3://{bucket}/seeds/",
            "--queue-url",
            moto_aws["queue_url"],
            "--checkpoint",
            str(tmp_path / "cp.json"),
            "--rate",
            "1000",
            "--region",
            "us-east-1",
        ]
    )

    assert status == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["enqueued"], out["checkpoint"]) == (2, str(tmp_path / "cp.json"))
    assert sorted(enqueued_keys(moto_aws)) == ["seeds/000.txt", "seeds/001.txt"]


def test_cli_rejects_a_non_s3_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backfill", "https://example.com/x", "--queue-url", "q"]) == 2
    assert "not an s3://bucket/prefix URL" in capsys.readouterr().err


def test_parse_s3_url() -> None:
    assert parse_s3_url("s3://b/p/q/") == ("b", "p/q/")
    assert parse_s3_url("s3://b") == ("b", "")
