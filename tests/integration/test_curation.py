"""Curation against a real OpenSearch: the admin service, the background pass, search at once.

Entries are written by the production writer (``EntryIndex``); changes go through
the admin service with the curation queue on moto; search is the production
service with its curation cache asking the head on every request.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from newsfacet.curation.admin import CurationAdmin
from newsfacet.curation.queue import SqsPassQueue, read_pass_message
from newsfacet.curation.store import CurationCache, CurationIndex
from newsfacet.errors import CurationConflictError, UnknownChangeError, UnknownKeyError
from newsfacet.index.entries import EntryIndex
from newsfacet.ingest.ports import WriteBatch
from newsfacet.models.api import SearchParams
from newsfacet.models.entry import Entity, Entry
from newsfacet.models.responses import SearchResponse
from newsfacet.search.service import SearchService

pytestmark = pytest.mark.integration

RDK, RVC, LEGION = "ORG:RDK", "ORG:Russian Volunteer Corps", "ORG:Freedom of Russia Legion"
BELGOROD, VIDEOS = "LOC:Belgorod", "ORG:Videos"
# id -> tagged keys. e3 carries both values about to be merged: it must count once.
CORPUS = {
    "e1": [RDK, BELGOROD],
    "e2": [RVC],
    "e3": [RDK, RVC],
    "e4": [LEGION, VIDEOS],
    "e5": [BELGOROD],
}


def _entry(entry_id: str, keys: list[str]) -> Entry:
    entities = []
    for key in keys:
        kind, _, name = key.partition(":")
        entities.append(Entity(start=0, end=1, text=name, type=kind, canonical=name))  # type: ignore[arg-type]
    return Entry(
        id=entry_id,
        body=f"entry {entry_id}",
        outlet="example.com",
        entities=entities,
        fingerprint=entry_id,
        cluster=entry_id,
    )


@pytest.fixture
def world(os_client: Any, settings: Any, moto_aws: dict[str, Any]) -> dict[str, Any]:
    names = settings.index_names
    EntryIndex(os_client, names).write(
        WriteBatch(entries=[_entry(i, keys) for i, keys in CORPUS.items()])
    )
    # Ingest waits for no refresh; the index makes its writes searchable within a second.
    os_client.indices.refresh(index=names.entries)
    admin = CurationAdmin(
        os_client,
        curation_index=names.curation,
        entries_alias=names.entries,
        queue=SqsPassQueue(moto_aws["sqs"], moto_aws["curation_queue_url"]),
        settle_s=240,
    )
    cache = CurationCache(CurationIndex(os_client, names.curation), probe_s=0)
    search = SearchService(os_client, names.entries, lambda: b"secret", curation=cache)
    return {"admin": admin, "search": search, "sqs": moto_aws["sqs"], **moto_aws}


def _search(world: dict[str, Any], *entity: str) -> SearchResponse:
    params = SearchParams(
        entity=list(entity),
        dedup=False,
        size=50,
        facets={"person": 20, "org": 20, "loc": 20},
    )
    result: SearchResponse = world["search"].search(params)
    return result


def _facet(result: SearchResponse, name: str) -> dict[str, int]:
    return {v.value: v.count for v in result.facets[name].values}


def _stored(os_client: Any, settings: Any) -> dict[str, dict[str, Any]]:
    alias = settings.index_names.entries
    hits = os_client.search(index=alias, body={"size": 100})["hits"]["hits"]
    return {h["_id"]: h["_source"] for h in hits}


def _messages(world: dict[str, Any]) -> list[tuple[str, bool]]:
    """Pass requests on the curation queue, (change, settle), taken off the queue."""
    sqs, url = world["sqs"], world["curation_queue_url"]
    out = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        if not got.get("Messages"):
            return out
        for message in got["Messages"]:
            out.append(read_pass_message(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def _delayed(world: dict[str, Any]) -> int:
    attributes = world["sqs"].get_queue_attributes(
        QueueUrl=world["curation_queue_url"], AttributeNames=["ApproximateNumberOfMessagesDelayed"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessagesDelayed"])


def test_merge_shows_at_once_rewrites_in_the_background_and_undo_restores(
    world: dict[str, Any], os_client: Any, settings: Any
) -> None:
    admin: CurationAdmin = world["admin"]
    before = _search(world)
    assert _facet(before, "org")[RDK] == 2
    assert _facet(before, "org")[RVC] == 2

    merge = admin.merge(RDK, RVC, who="local:test")
    assert (merge.id, merge.op, merge.status) == ("c1", "merge", "pending")
    assert merge.keys == [RDK]
    assert merge.values == [RDK, RVC]
    assert _messages(world) == [("c1", False)]

    # At once, with nothing rewritten yet: one value, counted exactly (e3 once, not twice).
    now = _search(world)
    orgs = _facet(now, "org")
    assert RDK not in orgs
    assert orgs[RVC] == 3
    for key in (RVC, RDK):  # a filter on the old key follows it
        hits = _search(world, key)
        assert sorted(h.id for h in hits.hits) == ["e1", "e2", "e3"]
        assert all(RDK not in h.entities and RVC in h.entities for h in hits.hits)
        assert hits.entities[0].key == RVC
    assert RDK in _stored(os_client, settings)["e1"]["entities"]

    # The background pass: stored entries filed under the merged value; tagged keys kept.
    assert admin.run_pass("c1") == 2
    stored = _stored(os_client, settings)
    assert stored["e1"]["entities"] == [BELGOROD, RVC]
    assert stored["e1"]["entities_org"] == ["Russian Volunteer Corps"]
    assert stored["e1"]["tagged_entities"] == [BELGOROD, RDK]
    assert stored["e3"]["entities"] == [RVC]
    assert "tagged_entities" in stored["e2"]
    assert stored["e2"]["entities"] == [RVC]
    applied = admin.change("c1")
    assert (applied.status, applied.entries) == ("applied", 2)
    # The settle pass is asked for, to come after any ingest batch that read the old table.
    assert (_messages(world), _delayed(world)) == ([], 1)
    assert admin.run_pass("c1", settle=True) == 0  # running again changes nothing
    assert _facet(_search(world), "org")[RVC] == 3

    # Undo: at once in search, then in stored entries.
    undo = admin.undo("c1", who="local:test")
    assert (undo.op, undo.undoes, undo.key, undo.target) == ("undo", "c1", RDK, RVC)
    orgs = _facet(_search(world), "org")
    assert (orgs[RDK], orgs[RVC]) == (2, 2)
    assert sorted(h.id for h in _search(world, RDK).hits) == ["e1", "e3"]
    assert admin.run_pass(undo.id) == 2
    stored = _stored(os_client, settings)
    assert stored["e1"]["entities"] == [BELGOROD, RDK]
    assert stored["e3"]["entities"] == [RDK, RVC]
    log = admin.changes()
    assert [(c.id, c.undone_by) for c in log.changes] == [("c1", "c2"), ("c2", None)]
    assert log.version == 2


def test_hide_takes_a_value_off_facets_filters_and_entries(
    world: dict[str, Any], os_client: Any, settings: Any
) -> None:
    admin: CurationAdmin = world["admin"]
    hidden = admin.hide(VIDEOS, who="local:test")
    result = _search(world)
    assert VIDEOS not in _facet(result, "org")
    assert _search(world, VIDEOS).hits == []
    assert all(VIDEOS not in h.entities for h in result.hits)
    assert admin.run_pass(hidden.id) == 1
    stored = _stored(os_client, settings)["e4"]
    assert stored["entities"] == [LEGION]
    assert stored["tagged_entities"] == [LEGION, VIDEOS]
    admin.run_pass(admin.undo(hidden.id, who="local:test").id)
    assert _stored(os_client, settings)["e4"]["entities"] == [LEGION, VIDEOS]
    assert _facet(_search(world), "org")[VIDEOS] == 1


def test_rename_can_fix_a_type_and_a_rename_into_a_value_is_a_merge(
    world: dict[str, Any], os_client: Any, settings: Any
) -> None:
    admin: CurationAdmin = world["admin"]
    retyped = admin.rename(BELGOROD, "ORG:Belgorod Region Administration", who="local:test")
    assert retyped.target == "ORG:Belgorod Region Administration"
    result = _search(world)
    assert BELGOROD not in _facet(result, "loc")
    assert _facet(result, "org")["ORG:Belgorod Region Administration"] == 2
    joined = admin.rename(RDK, "Russian Volunteer Corps", who="local:test")
    assert joined.target == RVC
    assert _facet(_search(world), "org")[RVC] == 3


def test_expected_errors(world: dict[str, Any]) -> None:
    admin: CurationAdmin = world["admin"]
    with pytest.raises(UnknownKeyError):
        admin.merge("ORG:Nobody", RVC, who="t")
    with pytest.raises(UnknownKeyError):
        admin.hide("PERSON:Nobody", who="t")
    with pytest.raises(UnknownChangeError):
        admin.undo("c99", who="t")
    admin.merge(RDK, RVC, who="t")
    with pytest.raises(CurationConflictError, match="is merged into"):
        admin.merge(RDK, LEGION, who="t")
    with pytest.raises(CurationConflictError, match="one value already"):
        admin.merge(RVC, RDK, who="t")
    admin.undo("c1", who="t")
    with pytest.raises(CurationConflictError, match="undone already"):
        admin.undo("c1", who="t")
    with pytest.raises(CurationConflictError, match="is an undo"):
        admin.undo("c2", who="t")
    # Refused changes record nothing.
    assert [c.id for c in admin.changes().changes] == ["c1", "c2"]


def test_a_rename_target_exists_for_later_changes_before_any_pass(world: dict[str, Any]) -> None:
    admin: CurationAdmin = world["admin"]
    admin.rename(RDK, "RDK (militia)", who="t")
    # No entry carries the new name yet; it is a value all the same.
    admin.merge("ORG:RDK (militia)", RVC, who="t")
    assert _facet(_search(world), "org")[RVC] == 3


def test_two_operators_at_once_get_distinct_numbers(
    world: dict[str, Any], os_client: Any, settings: Any
) -> None:
    store = CurationIndex(os_client, settings.index_names.curation)
    head = store.head()
    assert store.claim(head)
    assert not store.claim(head)  # the second writer read the same head: it must read again
    admin: CurationAdmin = world["admin"]
    change = admin.merge(RDK, RVC, who="t")
    assert change.id == "c2"  # c1 was claimed (and never written): numbers never repeat


def test_search_reads_no_curation_when_the_index_is_missing(
    world: dict[str, Any], os_client: Any, settings: Any
) -> None:
    world["admin"].merge(RDK, RVC, who="t")
    os_client.indices.delete(index=settings.index_names.curation)
    cache = CurationCache(CurationIndex(os_client, settings.index_names.curation), probe_s=0)
    service = SearchService(os_client, settings.index_names.entries, lambda: b"s", curation=cache)
    result = service.search(SearchParams(dedup=False, facets={"org": 20}))
    assert _facet(result, "org")[RDK] == 2  # stored keys as they are, search still answers
    assert json.loads(result.model_dump_json())["total"] == 5


def test_facet_values_exports_and_counts_read_through_curation_like_search(
    world: dict[str, Any],
) -> None:
    admin: CurationAdmin = world["admin"]
    search: SearchService = world["search"]
    admin.merge(RDK, RVC, who="local:test")  # pending: nothing rewritten yet

    values = search.facet_values(SearchParams(dedup=False), "org", None, 20)
    counted = {v.value: v.count for v in values.values}
    assert RDK not in counted
    assert counted[RVC] == 3  # e1, e2, e3: e3 carries both keys and counts once
    # Searching within the facet's values: the merged value by a word of its name, once.
    found = search.facet_values(SearchParams(dedup=False), "org", "volunt", 20).values
    assert [(v.value, v.count) for v in found] == [(RVC, 3)]
    assert search.facet_values(SearchParams(dedup=False), "org", "rdk", 20).values == []

    on_old_key = SearchParams(entity=[RDK], dedup=False)
    assert sorted(row["id"] for row in search.export(on_old_key, 100)) == ["e1", "e2", "e3"]
    assert search.count(on_old_key) == 3
