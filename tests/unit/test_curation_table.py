"""The curation table: replay, checks, what a change moves, and query-time reading (no servers)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from newsfacet.errors import CurationConflictError, InvalidRequestError
from newsfacet.models.api import SearchParams
from newsfacet.models.curation import Change, Op
from newsfacet.models.curation_table import (
    EMPTY,
    CurationTable,
    build_table,
    changed_keys,
    check_change,
    stored_entity_fields,
    touched_values,
)
from newsfacet.models.responses import FacetValue
from newsfacet.search.curation import (
    MATCH_NONE,
    curate_facet,
    curate_source,
    entity_filter,
    fold_facet,
    resolve_keys,
)
from newsfacet.search.facets import build_aggregations
from newsfacet.search.query import build_page_query

pytestmark = pytest.mark.unit

RDK, RVC, LEGION = "ORG:RDK", "ORG:Russian Volunteer Corps", "ORG:Freedom of Russia Legion"
GLADKOV_ORG, GLADKOV = "ORG:Gladkov", "PERSON:Vyacheslav Gladkov"


def change(
    seq: int,
    op: Op,
    key: str | None = None,
    target: str | None = None,
    undoes: str | None = None,
    **more: Any,
) -> Change:
    return Change(
        id=f"c{seq}",
        seq=seq,
        op=op,
        key=key,
        target=target,
        undoes=undoes,
        who="local:test",
        at=datetime(2023, 5, 24, tzinfo=UTC),
        **more,
    )


def test_merge_files_the_source_under_the_target_even_across_types() -> None:
    table = build_table([change(1, "merge", RDK, RVC), change(2, "merge", GLADKOV_ORG, GLADKOV)])
    assert table.resolve(RDK) == RVC
    assert table.resolve(GLADKOV_ORG) == GLADKOV
    assert table.resolve(LEGION) == LEGION
    assert table.group(RVC) == (RVC, RDK)
    assert table.curate([RDK, RVC, LEGION]) == [LEGION, RVC]
    assert table.version == 2


def test_keys_follow_a_value_that_moves_again_so_no_chain_forms() -> None:
    table = build_table(
        [
            change(1, "merge", RDK, RVC),
            change(2, "rename", RVC, "ORG:Russian Volunteer Corps (RDK)"),
            change(3, "hide", "ORG:Russian Volunteer Corps (RDK)"),
        ]
    )
    assert table.resolve(RDK) is None
    assert table.resolve(RVC) is None
    assert table.curate([RDK, RVC, LEGION]) == [LEGION]
    assert table.moved_names("ORG") == sorted(
        ["RDK", "Russian Volunteer Corps", "Russian Volunteer Corps (RDK)"]
    )


def test_undo_replays_the_rest_without_the_change() -> None:
    changes = [
        change(1, "merge", RDK, RVC),
        change(2, "rename", RVC, "ORG:RVC"),
        change(3, "undo", undoes="c1"),
    ]
    table = build_table(changes)
    assert table.resolve(RDK) == RDK  # back to itself
    assert table.resolve(RVC) == "ORG:RVC"  # the later rename still holds
    # Undo the rename too: nothing moved any more.
    assert build_table([*changes, change(4, "undo", undoes="c2")]).moved == {}


def test_a_change_shadowed_by_an_undo_does_nothing_on_replay() -> None:
    # c2 merged the target of c1 back into its source; with c1 undone, c2 merges as asked.
    changes = [change(1, "merge", RDK, RVC), change(2, "merge", "ORG:RVC", RDK)]
    assert build_table(changes).resolve("ORG:RVC") == RVC
    assert build_table([*changes, change(3, "undo", undoes="c1")]).resolve("ORG:RVC") == RDK


@pytest.mark.parametrize(
    ("op", "key", "target", "says"),
    [
        ("merge", RDK, LEGION, "is merged into ORG:Russian Volunteer Corps (change c1)"),
        ("hide", RDK, None, "is merged into"),
        ("merge", LEGION, "ORG:Videos", "ORG:Videos is hidden (change c2)"),
        ("merge", RVC, RDK, "are one value already"),
        ("rename", LEGION, RDK, "cannot rename"),
        ("merge", "ORG:Videos", LEGION, "ORG:Videos is hidden"),
    ],
)
def test_a_change_that_would_do_nothing_is_refused_saying_why(
    op: str, key: str, target: str | None, says: str
) -> None:
    table = build_table([change(1, "merge", RDK, RVC), change(2, "hide", "ORG:Videos")])
    with pytest.raises(CurationConflictError) as caught:
        check_change(table, op, key, target)
    assert says in caught.value.message


def test_a_valid_change_passes_its_check_and_has_an_effect() -> None:
    before = build_table([change(1, "merge", "ORG:RVC", RVC)])
    check_change(before, "merge", RDK, "ORG:RVC")  # a target merged away stands for its value
    after = build_table([change(1, "merge", "ORG:RVC", RVC), change(2, "merge", RDK, "ORG:RVC")])
    assert after.resolve(RDK) == RVC
    keys = changed_keys(before, after)
    assert keys == [RDK]
    assert touched_values(before, after, keys) == [RDK, RVC]


def test_merging_a_value_moves_the_keys_already_merged_into_it() -> None:
    before = build_table([change(1, "merge", RDK, RVC)])
    after = build_table([change(1, "merge", RDK, RVC), change(2, "merge", RVC, LEGION)])
    assert changed_keys(before, after) == [RDK, RVC]
    assert touched_values(before, after, [RDK, RVC]) == [LEGION, RVC]


def test_pending_values_are_read_through_the_table() -> None:
    table = build_table(
        [
            change(1, "merge", RDK, RVC, keys=[RDK], values=[RDK, RVC], status="applied"),
            change(2, "hide", LEGION, keys=[LEGION], values=[LEGION]),
            change(3, "merge", "ORG:RVC", RDK, keys=["ORG:RVC"], values=["ORG:RVC", RVC]),
        ]
    )
    # c3 is pending: its values, as they count now (RDK counts as RVC); hidden ones drop out.
    assert table.pending == frozenset({RVC})


def test_split_key_refuses_what_is_not_a_key() -> None:
    from newsfacet.models.curation_table import split_key

    assert split_key("PERSON:Joe Biden") == ("PERSON", "Joe Biden")
    for bad in ["Joe Biden", "EVENT:Cup", "ORG:", "ORG: "]:
        with pytest.raises(InvalidRequestError):
            split_key(bad)


def test_stored_fields_keep_tagged_keys_and_split_curated_ones_by_type() -> None:
    fields = stored_entity_fields([RDK, GLADKOV_ORG], [RVC, GLADKOV])
    assert fields == {
        "entities": [RVC, GLADKOV],
        "tagged_entities": [GLADKOV_ORG, RDK],
        "entities_person": ["Vyacheslav Gladkov"],
        "entities_org": ["Russian Volunteer Corps"],
        "entities_loc": [],
    }


# -- query time ------------------------------------------------------------------------------
MERGED = build_table(
    [
        change(1, "merge", RDK, RVC, keys=[RDK], values=[RDK, RVC]),
        change(2, "hide", "ORG:Videos", keys=["ORG:Videos"], values=["ORG:Videos"]),
    ]
)


def test_filters_match_what_counts_as_the_value() -> None:
    assert entity_filter(LEGION, MERGED) == {"term": {"entities": LEGION}}
    assert entity_filter("ORG:Videos", MERGED) == MATCH_NONE
    merged = entity_filter(RVC, MERGED)
    assert merged == entity_filter(RDK, MERGED)  # a filter on the old key follows it
    tagged = merged["bool"]["should"][0]["terms"]["tagged_entities"]
    assert sorted(tagged) == [RDK, RVC]
    assert resolve_keys([RDK, None, "ORG:Videos"], MERGED) == [RVC, None, "ORG:Videos"]


def test_the_page_query_and_facets_carry_the_table() -> None:
    params = SearchParams(entity=[RVC], curation=MERGED)
    body = build_page_query(params, fetch_size=10, search_after=None, aggregations=None)
    assert entity_filter(RVC, MERGED) in body["query"]["bool"]["filter"]
    aggs = build_aggregations(params)["all"]["aggs"]
    assert aggs["org"]["terms"]["exclude"] == ["RDK", "Videos"]
    assert set(aggs["org_curated"]["filters"]["filters"]) == {RVC}
    assert "exclude" not in aggs["person"]["terms"]
    assert "person_curated" not in aggs
    # The table is not part of what binds a cursor, nor of any dump.
    assert "curation" not in params.model_dump()


def test_curate_facet_counts_stories_too_when_asked() -> None:
    aggs: dict[str, Any] = {
        "org": {"terms": {"field": "entities_org", "size": 10}, "aggs": {"stories": {}}}
    }
    curate_facet(aggs, "org", "ORG", MERGED, stories=True)
    assert aggs["org_curated"]["aggs"] == {"stories": {}}


def _value(name: str, count: int, selected: bool = False) -> FacetValue:
    return FacetValue(value=f"ORG:{name}", label=name, count=count, selected=selected)


def test_fold_takes_exact_counts_and_orders_the_top_again() -> None:
    top = [_value("Kremlin", 8), _value("Telegram", 3), _value("NATO", 2)]
    curated = {"buckets": {RVC: {"doc_count": 5}, LEGION: {"doc_count": 0}}}
    folded = fold_facet(top, curated, size=3, selected=[RVC])
    assert [(v.label, v.count, v.selected) for v in folded] == [
        ("Kremlin", 8, False),
        ("Russian Volunteer Corps", 5, True),
        ("Telegram", 3, False),
    ]
    # Selected values only get their counts replaced.
    chosen = fold_facet(
        [_value("Russian Volunteer Corps", 1, True)], curated, size=None, selected=[]
    )
    assert chosen[0].count == 5
    assert fold_facet(top, None, size=3, selected=[]) == top


def test_hits_show_their_tagged_keys_read_through_the_table() -> None:
    source = {"entities": [RDK, "ORG:Videos"], "tagged_entities": [RDK, "ORG:Videos"]}
    curate_source(source, MERGED)
    assert source["entities"] == [RVC]
    untouched = {"entities": [RVC], "tagged_entities": [RDK]}
    curate_source(untouched, EMPTY)
    assert untouched["entities"] == [RVC]  # no table: the stored keys stand
    old = {"entities": [RDK]}  # stored before tagged_entities existed
    curate_source(old, MERGED)
    assert old["entities"] == [RVC]


def test_an_empty_table_changes_no_query() -> None:
    params = SearchParams(entity=[RVC])
    assert params.curation == CurationTable()
    aggs = build_aggregations(params)["all"]["aggs"]
    assert "exclude" not in aggs["org"]["terms"]
    assert not [k for k in aggs if k.endswith("_curated")]
