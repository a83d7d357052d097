"""`newsfacet setup` moves upload times that an earlier version stored as `published`."""

from __future__ import annotations

from typing import Any

import pytest

from newsfacet.index.migrate import UPLOAD_TIME_WARNING
from newsfacet.index.setup import ensure_indices

pytestmark = pytest.mark.integration


def _doc(entry_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": entry_id, "body": f"text of {entry_id}", "cluster": entry_id, **fields}


def test_setup_moves_upload_times_out_of_published(os_client: Any, settings: Any) -> None:
    alias = settings.index_names.entries
    legacy = _doc(
        "legacy",
        published="2026-03-01T10:00:00+00:00",
        published_source="s3_last_modified",
        warnings=[],
    )
    dated = _doc("dated", published="2023-05-24T11:30:00+00:00", published_source="page")
    kept = _doc(
        "kept",
        published="2026-03-02T10:00:00+00:00",
        published_source="s3_last_modified",
        ingested_at="2026-03-01T09:00:00+00:00",
    )
    for doc in (legacy, dated, kept):
        os_client.index(index=alias, id=doc["id"], body=doc, refresh=True)

    done = ensure_indices(os_client, settings.index_names)
    assert any(line.startswith("2 entries") for line in done), done

    def stored(entry_id: str) -> dict[str, Any]:
        return dict(os_client.get(index=alias, id=entry_id)["_source"])

    moved = stored("legacy")
    assert moved["published"] is None
    assert moved["published_source"] is None
    assert moved["ingested_at"] == "2026-03-01T10:00:00+00:00"
    assert moved["warnings"] == [UPLOAD_TIME_WARNING]
    assert stored("kept")["ingested_at"] == "2026-03-01T09:00:00+00:00"  # not overwritten
    # Untouched but for the cluster hash setup gives every entry stored without one.
    assert {k: v for k, v in stored("dated").items() if k != "cluster_hash"} == dated
    # Run again: nothing left to move.
    again = ensure_indices(os_client, settings.index_names)
    assert any(line.startswith("0 entries") for line in again), again


def test_migrations_out_of_time_stop_say_so_and_the_next_setup_finishes(
    os_client: Any, settings: Any
) -> None:
    """The deploy-time custom resource stops the migrations before the function times out
    (CloudFormation would wait an hour for an answer); `newsfacet setup` finishes them."""
    alias = settings.index_names.entries
    legacy = _doc(
        "legacy",
        published="2026-03-01T10:00:00+00:00",
        published_source="s3_last_modified",
        warnings=[],
    )
    os_client.index(index=alias, id="legacy", body=legacy, refresh=True)

    stopped = ensure_indices(os_client, settings.index_names, stop=lambda: True)
    assert any("stopped for want of time" in line for line in stopped), stopped
    assert os_client.get(index=alias, id="legacy")["_source"]["published"] is not None
    # Everything but the data migrations was done.
    assert any(line.endswith("created") or "updated" in line for line in stopped)

    finished = ensure_indices(os_client, settings.index_names)
    assert not any("stopped" in line for line in finished), finished
    assert any(line.startswith("1 entries") for line in finished), finished
    moved = os_client.get(index=alias, id="legacy")["_source"]
    assert moved["published"] is None
    assert "cluster_hash" in moved
