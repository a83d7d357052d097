"""Ingest with curation and cross-document surnames, wired as the function is, real OpenSearch."""

from __future__ import annotations

from typing import Any

import pytest

from newsfacet.curation.admin import CurationAdmin
from newsfacet.curation.queue import SqsPassQueue
from newsfacet.ingest.service import IngestService
from newsfacet.models.document import ObjectRef

pytestmark = pytest.mark.integration

FULL = (
    "President Joe Biden met Ukrainian officials in Washington on Tuesday to discuss air "
    "defence. Biden said the United States would keep sending weapons to Kyiv for as long as "
    "it takes, and the White House confirmed a new package worth 300 million dollars."
)
LONE = (
    "Biden told reporters on Thursday that the new air defence systems had reached Ukraine. "
    "The systems will protect Kyiv and other cities from Russian missile strikes, officials "
    "in Washington said, adding that more deliveries were planned before the winter."
)
OTHER = (
    "The Kremlin said on Wednesday that the raid on the Belgorod region was an attack by "
    "Ukrainian militants. Officials in Moscow said the border villages were being cleared, "
    "and residents were told not to return to their homes until further notice was given."
)


@pytest.fixture
def service(settings: Any, os_client: Any, moto_aws: dict[str, Any]) -> IngestService:
    from newsfacet.wiring import ingest_service

    return ingest_service(settings)


def _put(moto_aws: dict[str, Any], key: str, text: str, outlet: str = "example.com") -> ObjectRef:
    moto_aws["s3"].put_object(
        Bucket=moto_aws["bucket"], Key=key, Body=text.encode(), Metadata={"outlet": outlet}
    )
    return ObjectRef(bucket=moto_aws["bucket"], key=key)


def _by_key(client: Any, alias: str) -> dict[str, dict[str, Any]]:
    client.indices.refresh(index=alias)
    hits = client.search(index=alias, body={"size": 100})["hits"]["hits"]
    return {h["_source"]["sources"][0]["key"]: h["_source"] for h in hits}


class CountingSearch:
    """The real client, counting the searches made through it (every call goes through)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.calls = 0
        self._search = client.search

    def __enter__(self) -> CountingSearch:
        def search(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return self._search(*args, **kwargs)

        self.client.search = search
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.search = self._search


def test_a_lone_surname_is_the_full_name_the_outlet_already_has(
    service: IngestService, moto_aws: dict[str, Any], os_client: Any, settings: Any
) -> None:
    alias = settings.index_names.entries
    service.ingest([_put(moto_aws, "a/full.txt", FULL)])
    # Ingest waits for no refresh; the index makes its writes searchable within a second.
    os_client.indices.refresh(index=alias)
    client = service.entries.client  # type: ignore[attr-defined]
    with CountingSearch(client) as plain:
        service.ingest([_put(moto_aws, "a/other.txt", OTHER)])
    with CountingSearch(client) as lone:
        service.ingest([_put(moto_aws, "a/lone.txt", LONE)])
    # Elsewhere, nobody called Biden is known: the lone name stays as it is.
    service.ingest([_put(moto_aws, "b/lone.txt", LONE.replace("Thursday", "Friday"), "other.org")])

    stored = _by_key(os_client, alias)
    assert "PERSON:Joe Biden" in stored["a/full.txt"]["entities"]
    assert "PERSON:Joe Biden" in stored["a/lone.txt"]["entities"]
    assert "PERSON:Biden" not in stored["a/lone.txt"]["entities"]
    assert "PERSON:Biden" in stored["b/lone.txt"]["entities"]
    # Exactly one more search, and only for the batch that had a lone surname.
    assert lone.calls == plain.calls + 1


def test_ingest_files_new_entries_under_curated_keys_at_its_next_batch(
    service: IngestService, moto_aws: dict[str, Any], os_client: Any, settings: Any
) -> None:
    names = settings.index_names
    service.ingest([_put(moto_aws, "a/other.txt", OTHER)])  # the service caches an empty table
    os_client.indices.refresh(index=names.entries)  # searchable within a second anyway
    admin = CurationAdmin(
        os_client,
        curation_index=names.curation,
        entries_alias=names.entries,
        queue=SqsPassQueue(moto_aws["sqs"], moto_aws["curation_queue_url"]),
    )
    admin.rename("ORG:Kremlin", "Presidential Administration of Russia", who="local:test")
    admin.hide("LOC:Moscow", who="local:test")

    # Re-ingesting the same object writes nothing new; a new object is curated at once.
    service.ingest([_put(moto_aws, "a/other.txt", OTHER)])
    service.ingest([_put(moto_aws, "a/again.txt", OTHER.replace("Wednesday", "Friday"))])
    stored = _by_key(os_client, names.entries)["a/again.txt"]
    assert "ORG:Presidential Administration of Russia" in stored["entities"]
    assert "ORG:Kremlin" not in stored["entities"]
    assert "LOC:Moscow" not in stored["entities"]
    assert {"ORG:Kremlin", "LOC:Moscow"} <= set(stored["tagged_entities"])
    assert "Presidential Administration of Russia" in stored["entities_org"]


def test_full_names_are_found_for_more_surnames_than_one_regexp_may_hold(
    os_client: Any, settings: Any
) -> None:
    """Found by the ingest bench: 60 lone surnames made a 3,336-character regexp, OpenSearch
    refused it (400) and the batch was retried; now the search is split and answers."""
    from datetime import UTC, datetime

    from newsfacet.index.people import KnownPeople
    from newsfacet.ingest.surnames import WINDOW, SurnameLookup

    alias = settings.index_names.entries
    may = datetime(2023, 5, 24, tzinfo=UTC)
    os_client.index(
        index=alias,
        id="e1",
        body={
            "id": "e1",
            "outlet": "example.com",
            "published": may.isoformat(),
            "entities_person": ["Anna Surnamezz", "Joe Biden"],
        },
        refresh=True,
    )
    surnames = {f"surname{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(60)}
    surnames |= {"surnamezz", "biden"}
    lookup = SurnameLookup("example.com", may - WINDOW, may + WINDOW, frozenset(surnames))

    (found,) = KnownPeople(os_client, alias).full_names([lookup])

    assert sorted(found) == ["Anna Surnamezz", "Joe Biden"]
