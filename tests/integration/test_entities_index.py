"""Entity facets count one thing once, within a document and across documents."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from newsfacet.ingest.pipeline import IngestDeps, index_documents, ingest_object
from newsfacet.models.document import EntryDraft, ObjectRef, ParsedDocument
from tests.conftest import seed_paths

pytestmark = pytest.mark.integration


@pytest.fixture
def deps(settings: Any, os_client: Any, moto_aws: dict[str, Any]) -> IngestDeps:
    from newsfacet.wiring import ingest_deps

    return ingest_deps(settings)


def _facet(client: Any, alias: str, field: str) -> dict[str, int]:
    client.indices.refresh(index=alias)
    body = {"size": 0, "aggs": {"f": {"terms": {"field": field, "size": 500}}}}
    buckets = client.search(index=alias, body=body)["aggregations"]["f"]["buckets"]
    return {b["key"]: b["doc_count"] for b in buckets}


def test_seed_rewrites_count_each_militia_and_person_once_per_entry(
    deps: IngestDeps, moto_aws: dict[str, Any], os_client: Any, settings: Any
) -> None:
    paths = [p for p in seed_paths() if p.name[:3] in {"002", "003", "004"}]
    for path in paths:
        key = f"seeds/{path.name}"
        moto_aws["s3"].put_object(Bucket=moto_aws["bucket"], Key=key, Body=path.read_bytes())
        ingest_object(ObjectRef(bucket=moto_aws["bucket"], key=key), deps)

    orgs = _facet(os_client, settings.entries_alias, "entities_org")
    people = _facet(os_client, settings.entries_alias, "entities_person")
    keys = _facet(os_client, settings.entries_alias, "entities")
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
    deps: IngestDeps, os_client: Any, settings: Any
) -> None:
    text = (
        "Vyacheslav Gladkov, governor of the Belgorod region, said the Russian Volunteer "
        "Corps (RVC) had crossed the border. Gladkov said the RVC fighters had left."
    )
    ref = ObjectRef(bucket="newsfacet-articles", key="local/one.txt")
    document = ParsedDocument(format="text", entries=[EntryDraft(text=text)])
    index_documents([document], ref, deps, now=datetime.now(UTC))

    os_client.indices.refresh(index=settings.entries_alias)
    (hit,) = os_client.search(index=settings.entries_alias, body={"size": 5})["hits"]["hits"]
    source = hit["_source"]
    for mention in source["mentions"]:
        assert source["body"][mention["start"] : mention["end"]] == mention["text"]
    canon = {(m["text"], m["canonical"]) for m in source["mentions"]}
    assert ("Gladkov", "Vyacheslav Gladkov") in canon
    assert ("RVC", "Russian Volunteer Corps") in canon
    assert source["entities_person"] == ["Vyacheslav Gladkov"]


def test_an_acronym_defined_in_one_document_folds_in_later_ones(
    deps: IngestDeps, os_client: Any, settings: Any
) -> None:
    first = (
        "Fighters of the Siberian Battalion of Free Citizens (SBFC) claimed the raid on "
        "Monday, the group said in a statement."
    )
    later = "SBFC fighters said on Tuesday that they would cross the border again."
    for number, text in enumerate((first, later)):
        ref = ObjectRef(bucket="newsfacet-articles", key=f"local/{number}.txt")
        document = ParsedDocument(format="text", entries=[EntryDraft(text=text)])
        index_documents([document], ref, deps, now=datetime.now(UTC))

    orgs = _facet(os_client, settings.entries_alias, "entities_org")
    assert orgs == {"Siberian Battalion of Free Citizens": 2}
    # The table lives in OpenSearch, so every worker and every later container sees it.
    os_client.indices.refresh(index=f"{settings.index_prefix}-entities")
    table = os_client.search(index=f"{settings.index_prefix}-entities", body={"size": 10})
    assert [h["_source"]["alias"] for h in table["hits"]["hits"]] == ["sbfc"]
