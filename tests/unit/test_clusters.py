"""Cluster summaries: what every member of a story stores, decided at ingest (no servers)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from newsfacet.ingest.clusters import (
    MEMBER_CAP,
    STORED_COPIES,
    ClusterCopy,
    ClusterSummary,
    plan_summaries,
    stored_summary,
)
from newsfacet.models.entry import Entry

pytestmark = pytest.mark.unit

DAY = datetime(2023, 5, 22, tzinfo=UTC)


def _entry(entry_id: str, cluster: str | None = None, *, day: int | None = 0) -> Entry:
    return Entry(
        id=entry_id,
        body="text",
        title=f"title {entry_id}",
        outlet=f"{entry_id}.example",
        published=None if day is None else DAY + timedelta(days=day),
        fingerprint=entry_id,
        cluster=cluster or entry_id,
    )


def _singleton(entry_id: str, *, day: int = 0) -> ClusterSummary:
    source = {"cluster": entry_id, "published": (DAY + timedelta(days=day)).isoformat()}
    return stored_summary(entry_id, source)


def test_a_new_entry_alone_stores_nothing() -> None:
    plan = plan_summaries([_entry("b")], found={}, stored_ids=(), merges={})
    assert plan.summaries == {}
    assert plan.updates == {}


def test_a_copy_joining_a_stored_story_updates_the_stored_member_too() -> None:
    plan = plan_summaries(
        [_entry("b", "a", day=1)], found={"a": _singleton("a")}, stored_ids=(), merges={}
    )
    summary = plan.summaries["a"]
    assert summary.size == 2
    assert [c.id for c in summary.copies] == ["a", "b"]  # oldest first
    assert summary.members == ("a", "b")
    assert plan.updates == {"a": "a"}
    assert plan.search_members == frozenset()


def test_an_entry_bridging_two_stories_merges_them_into_the_lowest() -> None:
    story_a = ClusterSummary("a", 2, (ClusterCopy("a"), ClusterCopy("a2")), ("a", "a2"))
    story_c = ClusterSummary("c", 2, (ClusterCopy("c"), ClusterCopy("c2")), ("c", "c2"))
    plan = plan_summaries(
        [_entry("b", "a")],
        found={"a2": story_a, "c": story_c},
        stored_ids=(),
        merges={"c": "a"},
    )
    merged = plan.summaries["a"]
    assert merged.size == 5
    assert merged.members == ("a", "a2", "b", "c", "c2")
    assert plan.merged_from == {"a": ("c",)}
    assert plan.updates == dict.fromkeys(("a", "a2", "c", "c2"), "a")


def test_a_redelivered_entry_changes_no_summary() -> None:
    story = ClusterSummary("a", 2, (ClusterCopy("a"), ClusterCopy("b")), ("a", "b"))
    plan = plan_summaries(
        [_entry("b", "a")], found={"b": story, "a": story}, stored_ids=["b"], merges={}
    )
    assert plan.summaries == {}
    assert plan.updates == {}


def test_copies_are_the_oldest_few_undated_last() -> None:
    stored = _singleton("m", day=5)
    batch = [_entry(f"n{i:02d}", "m", day=i) for i in range(STORED_COPIES + 3)]
    batch.append(_entry("a-undated", "m", day=None))
    plan = plan_summaries(batch, found={"m": stored}, stored_ids=(), merges={})
    copies = [c.id for c in plan.summaries["m"].copies]
    assert len(copies) == STORED_COPIES
    assert copies[:6] == ["n00", "n01", "n02", "n03", "n04", "m"]  # m is from day 5, after n04
    assert "a-undated" not in copies
    assert plan.summaries["m"].size == len(batch) + 1


def test_a_large_story_updates_every_member_only_when_its_size_doubles() -> None:
    listed = tuple(f"m{i:03d}" for i in range(MEMBER_CAP))
    big = ClusterSummary("m000", 127, (ClusterCopy("m000"),), listed)
    assert not big.complete

    grows = plan_summaries([_entry("x", "m000")], found={"m000": big}, stored_ids=(), merges={})
    assert grows.summaries["m000"].size == 128
    assert grows.search_members == {"m000"}
    assert set(grows.updates) == set(listed)  # the listed members, every time

    again = ClusterSummary("m000", 128, (ClusterCopy("m000"),), listed)
    later = plan_summaries([_entry("y", "m000")], found={"m000": again}, stored_ids=(), merges={})
    assert later.summaries["m000"].size == 129
    assert later.search_members == frozenset()


def test_a_member_whose_summary_lags_takes_the_larger_one() -> None:
    current = ClusterSummary("a", 3, (ClusterCopy("a"),), ("a", "b", "c"))
    lagging = ClusterSummary("a", 2, (ClusterCopy("a"),), ("a", "b"))
    plan = plan_summaries(
        [_entry("c", "a")], found={"c": current, "b": lagging}, stored_ids=["c"], merges={}
    )
    assert plan.summaries["a"] == current
    assert plan.updates == {"b": "a"}


def test_a_stored_entry_without_a_summary_is_a_story_of_one() -> None:
    summary = stored_summary("x", {"cluster": "x", "title": "T", "outlet": "o.example"})
    assert summary.size == 1
    assert summary.members == ("x",)
    assert summary.copies == (ClusterCopy("x", title="T", outlet="o.example"),)
