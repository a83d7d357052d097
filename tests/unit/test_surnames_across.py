"""Lone surnames across documents: which lookups a unit needs, and how they resolve (no servers)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from newsfacet.index.people import (
    MAX_REGEX_CHARS,
    build_names_query,
    surname_groups,
    surname_regexp,
)
from newsfacet.ingest.pipeline import Unit, plan_surname_lookups, resolve_unit_surnames
from newsfacet.ingest.surnames import WINDOW, SurnameLookup, plan_lookups
from newsfacet.models.curation import Change
from newsfacet.models.curation_table import build_table
from newsfacet.models.entry import Entity, EntityType, Entry

pytestmark = pytest.mark.unit

MAY = datetime(2023, 5, 24, tzinfo=UTC)


def entry(
    entry_id: str,
    names: list[tuple[EntityType, str]],
    *,
    outlet: str | None = "example.com",
    published: datetime | None = MAY,
    ingested_at: datetime | None = None,
) -> Entry:
    entities = [Entity(start=0, end=len(n), text=n, type=t, canonical=n) for t, n in names]
    return Entry(
        id=entry_id,
        body=" ".join(n for _, n in names),
        outlet=outlet,
        published=published,
        ingested_at=ingested_at,
        entities=entities,
        fingerprint=entry_id,
        cluster=entry_id,
    )


def unit_of(*entries: Entry) -> Unit:
    return Unit(documents=[[e] for e in entries], entries={e.id: e for e in entries})


def test_one_lookup_per_outlet_and_stretch_of_time() -> None:
    later = MAY + 3 * WINDOW
    lookups = plan_lookups(
        [
            entry("a", [("PERSON", "Biden")]),
            entry("b", [("PERSON", "Peskov"), ("PERSON", "Dmitry Peskov")], published=MAY),
            entry("c", [("PERSON", "Gladkov")], published=MAY + timedelta(days=10)),
            entry("d", [("PERSON", "Zelensky")], published=later),
            entry("e", [("PERSON", "Ryder")], outlet="other.org", published=None, ingested_at=MAY),
            entry("f", [("PERSON", "Nobody")], outlet=None),  # no outlet: no scope to look in
            entry("g", [("PERSON", "Undated")], published=None),  # no time at all
            entry("h", [("PERSON", "Joe Biden"), ("ORG", "Kremlin")]),  # nothing lone
        ]
    )
    assert lookups == [
        SurnameLookup(
            "example.com",
            MAY - WINDOW,
            MAY + timedelta(days=10) + WINDOW,
            frozenset({"biden", "peskov", "gladkov"}),
        ),
        SurnameLookup("example.com", later - WINDOW, later + WINDOW, frozenset({"zelensky"})),
        SurnameLookup("other.org", MAY - WINDOW, MAY + WINDOW, frozenset({"ryder"})),
    ]


def test_biden_is_joe_biden_when_the_outlet_knows_one_biden() -> None:
    unit = unit_of(entry("b", [("PERSON", "Biden"), ("LOC", "Kyiv")]))
    lookups = plan_surname_lookups(unit)
    resolved = resolve_unit_surnames(unit, lookups, [["Joe Biden", "Joe Smith"]])
    (tagged,) = resolved.entries.values()
    assert [e.canonical for e in tagged.entities] == ["Joe Biden", "Kyiv"]
    assert tagged.filed_keys == ["LOC:Kyiv", "PERSON:Joe Biden"]
    assert resolved.documents[0][0] is tagged


def test_two_bidens_known_leave_the_lone_one_alone() -> None:
    unit = unit_of(entry("b", [("PERSON", "Biden")]))
    lookups = plan_surname_lookups(unit)
    resolved = resolve_unit_surnames(unit, lookups, [["Joe Biden", "Hunter Biden"]])
    assert resolved.entries["b"].entities[0].canonical == "Biden"


def test_the_batch_counts_too_within_the_window_and_outlet() -> None:
    full = entry("a", [("PERSON", "Joe Biden")], published=MAY - timedelta(days=2))
    lone = entry("b", [("PERSON", "Biden")])
    elsewhere = entry("c", [("PERSON", "Hunter Biden")], outlet="other.org")
    long_ago = entry("d", [("PERSON", "Jill Biden")], published=MAY - 2 * WINDOW)
    unit = unit_of(full, lone, elsewhere, long_ago)
    lookups = plan_surname_lookups(unit)
    resolved = resolve_unit_surnames(unit, lookups, [[] for _ in lookups])
    assert resolved.entries["b"].entities[0].canonical == "Joe Biden"


def test_stored_entries_are_left_as_stored_and_curation_applies_after() -> None:
    lone = entry("b", [("PERSON", "Biden")])
    stored = entry("s", [("PERSON", "Biden")])
    unit = unit_of(lone, stored)
    lookups = plan_surname_lookups(unit, skip={"s"})
    table = build_table(
        [
            Change(
                id="c1",
                seq=1,
                op="rename",
                key="PERSON:Joe Biden",
                target="PERSON:Joseph R. Biden",
                who="t",
                at=MAY,
            )
        ]
    )
    resolved = resolve_unit_surnames(unit, lookups, [["Joe Biden"]], curation=table, skip={"s"})
    assert resolved.entries["b"].entities[0].canonical == "Joe Biden"  # what the tagger knew
    assert resolved.entries["b"].filed_keys == ["PERSON:Joseph R. Biden"]  # what it is filed as
    assert resolved.entries["s"] is stored


def test_the_names_query_asks_one_aggregation_per_lookup_and_escapes_names() -> None:
    lookups = [SurnameLookup("example.com", MAY - WINDOW, MAY + WINDOW, frozenset({"o'brien"}))]
    body = build_names_query(lookups)
    assert list(body["aggs"]) == ["l0g0"]
    assert (
        body["aggs"]["l0g0"]["aggs"]["names"]["terms"]["include"]
        == ".+ ([oO]\\'[bB][rR][iI][eE][nN])"
    )
    assert surname_regexp(["biden", "ryder"]) == ".+ ([bB][iI][dD][eE][nN]|[rR][yY][dD][eE][rR])"


def test_many_surnames_are_split_so_no_regexp_exceeds_the_clusters_limit() -> None:
    # Sixty lone surnames in one outlet's batch (a long list of names in a report): one
    # regexp of them all would be about 2,700 characters, over OpenSearch's 1,000.
    surnames = frozenset(f"surname{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(60))
    lookups = [SurnameLookup("example.com", MAY - WINDOW, MAY + WINDOW, surnames)]
    assert len(surname_regexp(sorted(surnames))) > 1000
    body = build_names_query(lookups)
    patterns = [a["aggs"]["names"]["terms"]["include"] for a in body["aggs"].values()]
    assert len(patterns) > 1
    assert all(len(p) <= MAX_REGEX_CHARS for p in patterns)
    assert sorted(s for g in surname_groups(sorted(surnames)) for s in g) == sorted(surnames)
    assert list(surname_groups(["x" * 300])) == []  # too long to look up at all
