"""Entity facets count one thing once, within a document and across documents."""

from __future__ import annotations

import json
from typing import Any

import pytest

from newsfacet.ingest.service import IngestService
from tests.conftest import seed_paths
from tests.integration.test_dedup_index import _put

pytestmark = pytest.mark.integration


@pytest.fixture
def service(settings: Any, os_client: Any, moto_aws: dict[str, Any]) -> IngestService:
    from newsfacet.wiring import ingest_service

    return ingest_service(settings)


def _facet(client: Any, alias: str, field: str) -> dict[str, int]:
    client.indices.refresh(index=alias)
    body = {"size": 0, "aggs": {"f": {"terms": {"field": field, "size": 500}}}}
    buckets = client.search(index=alias, body=body)["aggregations"]["f"]["buckets"]
    return {b["key"]: b["doc_count"] for b in buckets}


def test_seed_rewrites_count_each_militia_and_person_once_per_entry(
    service: IngestService, moto_aws: dict[str, Any], os_client: Any, settings: Any
) -> None:
    paths = [p for p in seed_paths() if p.name[:3] in {"002", "003", "004"}]
    for path in paths:
        service.ingest([_put(moto_aws, f"seeds/{path.name}", path.read_bytes())])

    orgs = _facet(os_client, settings.index_names.entries, "entities_org")
    people = _facet(os_client, settings.index_names.entries, "entities_person")
    keys = _facet(os_client, settings.index_names.entries, "entities")
    # Liberty of Russia Legion (002), Free Russian Legion (003), Legion of Freedom in Russia (004)
    assert orgs["Freedom of Russia Legion"] == 3
    assert [name for name in orgs if "Legion" in name] == ["Freedom of Russia Legion"]
    # Russian Volunteer Corps, also RVC (002) and RDK (003, 004)
    assert orgs["Russian Volunteer Corps"] == 3
    assert not {"RVC", "RDK"} & set(orgs)
    # "Gladkov" alone (003) is the governor named in full earlier
    assert people["Vyacheslav Gladkov"] == 3
    assert "Gladkov" not in people
    assert keys["PERSON:Vyacheslav Gladkov"] == 3
    assert keys["LOC:Belgorod"] == 3


def test_mentions_keep_offsets_into_the_stored_body(
    service: IngestService, moto_aws: dict[str, Any], os_client: Any, settings: Any
) -> None:
    text = (
        "Vyacheslav Gladkov, governor of the Belgorod region, said the Russian Volunteer "
        "Corps (RVC) had crossed the border. Gladkov said the RVC fighters had left."
    )
    service.ingest([_put(moto_aws, "local/one.json", json.dumps({"text": text}).encode())])

    os_client.indices.refresh(index=settings.index_names.entries)
    (hit,) = os_client.search(index=settings.index_names.entries, body={"size": 5})["hits"]["hits"]
    source = hit["_source"]
    for mention in source["mentions"]:
        assert source["body"][mention["start"] : mention["end"]] == mention["text"]
    canon = {(m["text"], m["canonical"]) for m in source["mentions"]}
    assert ("Gladkov", "Vyacheslav Gladkov") in canon
    assert ("RVC", "Russian Volunteer Corps") in canon
    assert source["entities_person"] == ["Vyacheslav Gladkov"]


@pytest.mark.parametrize("one_batch", [False, True])
def test_an_acronym_defined_in_one_document_folds_in_later_ones(
    one_batch: bool,
    service: IngestService,
    moto_aws: dict[str, Any],
    os_client: Any,
    settings: Any,
) -> None:
    first = (
        "Fighters of the Siberian Battalion of Free Citizens (SBFC) claimed the raid on "
        "Monday, the group said in a statement."
    )
    later = "SBFC fighters said on Tuesday that they would cross the border again."
    refs = [
        _put(moto_aws, f"local/{number}.json", json.dumps({"text": text}).encode())
        for number, text in enumerate((first, later))
    ]
    if one_batch:
        service.ingest(refs)
    else:
        for ref in refs:
            service.ingest([ref])

    orgs = _facet(os_client, settings.index_names.entries, "entities_org")
    assert orgs == {"Siberian Battalion of Free Citizens": 2}
    # The table lives in OpenSearch, so every worker and every later container sees it.
    os_client.indices.refresh(index=f"{settings.index_prefix}-entities")
    table = os_client.search(index=f"{settings.index_prefix}-entities", body={"size": 10})
    assert [h["_source"]["alias"] for h in table["hits"]["hits"]] == ["sbfc"]
