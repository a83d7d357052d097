"""The committed OpenAPI document is the one the resolver generates."""

from __future__ import annotations

import pytest

from newsfacet_cli.local.openapi import ADMIN_DOCUMENT, DOCUMENT, generate, render

pytestmark = pytest.mark.unit


def test_committed_openapi_matches_the_code() -> None:
    assert DOCUMENT.read_text("utf-8") == render(generate()), (
        "docs/openapi.json is stale: run `python -m newsfacet_cli.local.openapi` and commit it"
    )


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
    for path in ("/search", "/entries/{entry_id}", "/entities", "/outlets"):
        assert {"400", "404", "422", "503"} <= set(paths[path]["get"]["responses"]), path
    assert "503" in paths["/health"]["get"]["responses"]
