"""The learned boilerplate layer on a real OpenSearch: recurring outlet lines become template."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from newsfacet.ingest.boilerplate import line_hash
from newsfacet.ingest.service import IngestService
from newsfacet.models.document import ObjectRef
from tests.integration.test_dedup_index import _put, worker

pytestmark = pytest.mark.integration

FOOTER = "Valley Courier has served readers of the valley since 1921 with local reporting."
STORIES = [
    "The council approved a new budget for the valley's schools on Monday evening.",
    "Flooding closed the river road for a second day, the county engineer said.",
    "A local bakery won a national award for its sourdough, judges announced.",
    "The high school football team reached the state final for the first time.",
    "Firefighters rescued two hikers stranded on the ridge overnight, officials said.",
]


def _article(index: int) -> bytes:
    return f"Headline number {index} for the valley\n\n{STORIES[index]}\n\n{FOOTER}\n".encode()


@pytest.fixture
def service(settings: Any, os_client: Any, moto_aws: dict[str, Any]) -> IngestService:
    return worker(settings, moto_aws["s3"])


def _upload(moto_aws: dict[str, Any], index: int, outlet: str = "valleycourier.com") -> ObjectRef:
    return _put(moto_aws, f"{outlet}/story-{index}.txt", _article(index))


def _bodies(os_client: Any, settings: Any) -> dict[str, str]:
    """Stored body by object key."""
    os_client.indices.refresh(index=settings.index_names.entries)
    hits = os_client.search(index=settings.index_names.entries, body={"size": 100})["hits"]["hits"]
    return {s["key"]: h["_source"]["body"] for h in hits for s in h["_source"]["sources"]}


@pytest.mark.parametrize("one_batch", [False, True])
def test_line_shared_by_n_documents_is_removed_from_the_next(
    one_batch: bool,
    service: IngestService,
    moto_aws: dict[str, Any],
    os_client: Any,
    settings: Any,
) -> None:
    """The same outcome one object at a time and as one batch (the batch counts as it goes)."""
    refs = [_upload(moto_aws, index) for index in range(4)]
    if one_batch:
        assert {r.status for r in service.ingest(refs)} == {"indexed"}
    else:
        for ref in refs:
            service.ingest([ref])
    bodies = _bodies(os_client, settings)
    for index in range(3):
        assert FOOTER in bodies[f"valleycourier.com/story-{index}.txt"], index
    fourth = bodies["valleycourier.com/story-3.txt"]
    assert FOOTER not in fourth
    assert STORIES[3] in fourth


def test_redelivered_document_counts_once(
    service: IngestService, moto_aws: dict[str, Any], os_client: Any, settings: Any
) -> None:
    ref = _upload(moto_aws, 0)
    for _ in range(4):
        service.ingest([ref])
    assert FOOTER in _bodies(os_client, settings)["valleycourier.com/story-0.txt"]
    counts = service.learned.line_counts([("valleycourier.com", line_hash(FOOTER))])
    assert counts[("valleycourier.com", line_hash(FOOTER))].doc_count == 1


def test_counts_are_per_outlet(
    service: IngestService, moto_aws: dict[str, Any], os_client: Any, settings: Any
) -> None:
    service.ingest([_upload(moto_aws, index) for index in range(4)])
    service.ingest([_upload(moto_aws, 4, outlet="othercourier.com")])
    assert FOOTER in _bodies(os_client, settings)["othercourier.com/story-4.txt"]


def test_threshold_is_a_setting(
    service: IngestService, moto_aws: dict[str, Any], os_client: Any, settings: Any
) -> None:
    strict = IngestService(
        service.store,
        service.learned,
        service.entries,
        replace(service.config, template_min_docs=1),
    )
    strict.ingest([_upload(moto_aws, 0)])
    strict.ingest([_upload(moto_aws, 1)])
    bodies = _bodies(os_client, settings)
    assert FOOTER in bodies["valleycourier.com/story-0.txt"]
    assert FOOTER not in bodies["valleycourier.com/story-1.txt"]
