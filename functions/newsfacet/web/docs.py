"""The API's OpenAPI document and its Swagger UI page, from the packaged file.

``newsfacet/web/openapi.json`` is written by ``python -m
newsfacet_cli.local.openapi`` from the resolver (with ``docs/openapi.json``)
and checked against the code by a test, so serving the file is serving what
the code declares, without generating it in every container.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path


@cache
def openapi_document() -> str:
    return resources.files("newsfacet.web").joinpath("openapi.json").read_text("utf-8")


@cache
def docs_page() -> str:
    """Swagger UI (its script and style ship inside Powertools) showing the same document."""
    import aws_lambda_powertools.event_handler as handler_package
    from aws_lambda_powertools.event_handler.openapi.swagger_ui.html import generate_swagger_html

    assets = Path(handler_package.__file__).parent / "openapi" / "swagger_ui"
    return generate_swagger_html(
        # "</" must not close the inline script the document is embedded in.
        openapi_document().replace("</", "<\\/"),
        (assets / "swagger-ui-bundle.min.js").read_text("utf-8"),
        (assets / "swagger-ui.min.css").read_text("utf-8"),
        "",
        None,
    )
