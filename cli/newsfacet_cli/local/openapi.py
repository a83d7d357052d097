"""Write the OpenAPI documents, generated from the resolvers: the search API and the admin API.

Usage: ``python -m newsfacet_cli.local.openapi [PATH]``. Writes ``docs/openapi.json``
and the copy the search function serves (``newsfacet/web/openapi.json``), or PATH,
and ``docs/admin-openapi.json`` (the admin function's). A test fails when any of
them drifts from what the code generates.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
DOCUMENT = ROOT / "docs" / "openapi.json"
SERVED = ROOT / "functions" / "newsfacet" / "web" / "openapi.json"
ADMIN_DOCUMENT = ROOT / "docs" / "admin-openapi.json"


def generate(function: str = "search") -> dict[str, Any]:
    """The OpenAPI document of functions/<function>/app.py (importing it opens no connection)."""
    path = ROOT / "functions" / function / "app.py"
    spec = importlib.util.spec_from_file_location(f"_newsfacet_{function}_app_openapi", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    document: dict[str, Any] = json.loads(module.app.get_openapi_json_schema())
    if function == "search":
        from newsfacet.search.api_doc import refine_parameters

        # Powertools gives a model's fields basic types only: their full schemas come
        # from the parameter models themselves.
        queries = {
            "/search": module.SearchQuery,
            "/export": module.ExportQuery,
            "/facets/{name}": module.FacetValuesQuery,
            "/entities": module.EntitiesQuery,
            "/outlets": module.OutletsQuery,
        }
        refine_parameters(document, queries)
    return document


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    targets = [Path(argv[0])] if argv else [DOCUMENT, SERVED]
    text = render(generate())
    for target in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, "utf-8")
        print(target)
    if not argv:
        ADMIN_DOCUMENT.write_text(render(generate("admin")), "utf-8")
        print(ADMIN_DOCUMENT)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
