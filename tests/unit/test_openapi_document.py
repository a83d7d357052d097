"""The committed OpenAPI document is the one the resolver generates."""

from __future__ import annotations

import pytest

from newsfacet_cli.local.openapi import ADMIN_DOCUMENT, DOCUMENT, SERVED, generate, render

pytestmark = pytest.mark.unit


def test_committed_openapi_matches_the_code() -> None:
    expected = render(generate())
    for path in (DOCUMENT, SERVED):
        assert path.read_text("utf-8") == expected, (
            f"{path.name} is stale: run `python -m newsfacet_cli.local.openapi` and commit it"
        )


def test_the_document_is_this_api_and_declares_every_parameter_once() -> None:
    document = generate()
    assert document["info"]["title"] == "newsfacet search API"
    search = {p["name"]: p for p in document["paths"]["/search"]["get"]["parameters"]}
    # The limits come from the parameter models, not a second declaration.
    assert search["size"]["schema"] == {
        "default": 10,
        "maximum": 100,
        "minimum": 1,
        "type": "integer",
    }
    assert search["entity"]["schema"]["type"] == "array"
    assert search["entity"]["schema"]["maxItems"] == 20
    assert search["undated"]["schema"]["enum"] == ["include", "exclude", "only"]
    assert search["interval"]["schema"]["enum"] == [
        "auto",
        "hour",
        "day",
        "week",
        "month",
        "quarter",
        "year",
    ]


def test_committed_admin_openapi_matches_the_code() -> None:
    assert ADMIN_DOCUMENT.read_text("utf-8") == render(generate("admin")), (
        "docs/admin-openapi.json is stale: run `python -m newsfacet_cli.local.openapi`"
    )


def test_every_admin_route_documents_its_errors() -> None:
    paths = generate("admin")["paths"]
    assert set(paths) == {
        "/admin/curation/merge",
        "/admin/curation/rename",
        "/admin/curation/hide",
        "/admin/curation/changes",
        "/admin/curation/changes/{change_id}",
        "/admin/curation/changes/{change_id}/undo",
        "/admin/curation/changes/{change_id}/apply",
    }
    for path, methods in paths.items():
        for method, operation in methods.items():
            assert {"404", "422", "503"} <= set(operation["responses"]), (path, method)


def test_every_route_documents_its_errors() -> None:
    paths = generate()["paths"]
    for path in (
        "/search",
        "/export",
        "/facets/{name}",
        "/entries/{entry_id}",
        "/entities",
        "/outlets",
    ):
        assert {"400", "404", "422", "503"} <= set(paths[path]["get"]["responses"]), path
    assert "503" in paths["/health"]["get"]["responses"]
