"""Write the search API's OpenAPI document, generated from the resolver.

Usage: ``python -m newsfacet_cli.local.openapi``. Writes ``docs/openapi.json``
and the copy the search function serves (``newsfacet/web/openapi.json``). A
test fails when either drifts from what the code generates.
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


def generate() -> dict[str, Any]:
    """The OpenAPI document of functions/search/app.py (importing it opens no connection)."""
    path = ROOT / "functions" / "search" / "app.py"
    spec = importlib.util.spec_from_file_location("_newsfacet_search_app_openapi", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    from newsfacet.search.api_doc import refine_parameters

    document: dict[str, Any] = json.loads(module.app.get_openapi_json_schema())
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
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
