"""The search page as files and HTTP answers: what ships, its headers, its caching.

What it does in a browser is tested in tests/e2e/test_search_page.py.
"""

from __future__ import annotations

import base64
import gzip
import importlib.util
import re
from collections.abc import Callable
from typing import Any

import pytest

from newsfacet.errors import NotFoundError
from newsfacet.web.site import (
    ASSET_TYPES,
    PAGE,
    STATIC,
    VERSION_TOKEN,
    Site,
    etag_matches,
    load_site,
    read_static,
)
from newsfacet_cli.local.apigw import http_api_event
from newsfacet_cli.local.invoke import LocalContext
from tests.conftest import ROOT

pytestmark = pytest.mark.unit

SCRIPTS = sorted(name for name in ASSET_TYPES if name.endswith(".js"))


def test_every_static_file_is_served_and_every_served_file_ships() -> None:
    on_disk = {p.name for p in STATIC.iterdir() if p.is_file()}
    assert on_disk == {PAGE, *ASSET_TYPES}


def test_the_page_loads_only_its_own_assets_and_no_inline_code() -> None:
    html = (STATIC / PAGE).read_text("utf-8")
    referenced = set(re.findall(r"assets/\{\{version\}\}/([\w.-]+)", html))
    assert referenced == set(ASSET_TYPES), "every asset preloaded or linked, nothing unknown"
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", html), "nothing from another origin"
    assert all(" src=" in tag for tag in re.findall(r"<script[^>]*>", html)), "no inline script"
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html), "no inline event handlers"


@pytest.mark.parametrize("name", SCRIPTS)
def test_scripts_never_parse_html_or_evaluate_strings(name: str) -> None:
    code = (STATIC / name).read_text("utf-8")
    for sink in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "DOMParser",
        "createContextualFragment",
        "eval(",
        "new Function",
        'setAttribute("style"',
        'setTimeout("',
    ):
        assert sink not in code, f"{name} uses {sink}"
    # Every import is a sibling module: no CDN, no package path.
    for target in re.findall(r"from \"([^\"]+)\"", code):
        assert re.fullmatch(r"\./[\w-]+\.js", target), target
        assert target[2:] in ASSET_TYPES


def test_the_page_names_the_current_asset_version() -> None:
    site = Site(read_static())
    answer = site.page()
    assert answer.status == 200
    assert answer.body is not None
    assert VERSION_TOKEN not in answer.body
    assert f'src="assets/{site.version}/app.js"' in answer.body
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    assert answer.headers["Cache-Control"] == "no-cache"
    assert answer.headers["ETag"] == f'"{site.version}"'


def test_the_page_is_sent_under_a_strict_content_security_policy() -> None:
    headers = Site(read_static()).page().headers
    directives = (
        part.strip().partition(" ") for part in headers["Content-Security-Policy"].split(";")
    )
    policy = {name: value for name, _, value in directives}
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["require-trusted-types-for"] == "'script'"
    assert policy["trusted-types"] == "'none'"
    assert not any("unsafe" in value or "*" in value for value in policy.values())
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"


def test_assets_are_immutable_under_their_version_and_revalidated_under_another() -> None:
    site = Site(read_static())
    current = site.asset(site.version, "app.js")
    assert current.status == 200
    assert current.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert "immutable" in current.headers["Cache-Control"]
    stale = site.asset("0" * 16, "app.js")
    assert stale.body == current.body
    assert stale.headers["Cache-Control"] == "no-cache"
    assert site.asset(site.version, "style.css").headers["Content-Type"].startswith("text/css")
    assert site.asset(site.version, "icon.svg").headers["Content-Type"] == "image/svg+xml"


@pytest.mark.parametrize("name", ["../site.py", "site.py", "index.html", "app.py", "APP.JS", ""])
def test_only_listed_assets_are_served(name: str) -> None:
    with pytest.raises(NotFoundError):
        Site(read_static()).asset("v", name)


def test_a_changed_file_changes_the_version() -> None:
    files = read_static()
    before = Site(files).version
    files["style.css"] += "\n/* changed */\n"
    assert Site(files).version != before


def test_a_missing_file_fails_at_load_not_in_the_browser() -> None:
    files = read_static()
    del files["entry.js"]
    with pytest.raises(FileNotFoundError, match=r"entry\.js"):
        Site(files)


def test_conditional_requests_get_a_bodiless_304() -> None:
    site = Site(read_static())
    etag = site.page().headers["ETag"]
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        answer = site.page(header)
        assert answer.status == 304, header
        assert answer.body is None
        assert "Content-Type" not in answer.headers
        assert answer.headers["ETag"] == etag
    assert site.page('"other"').status == 200
    asset_tag = site.asset(site.version, "app.js").headers["ETag"]
    assert site.asset(site.version, "app.js", asset_tag).status == 304


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        (None, False),
        ("", False),
        ('"a"', True),
        ('W/"a"', True),
        ('"b" , "a"', True),
        ('"b"', False),
    ],
)
def test_etag_matching(header: str | None, matches: bool) -> None:
    assert etag_matches(header, '"a"') is matches


# -- through the handler, as API Gateway calls it ------------------------------------------
@pytest.fixture(scope="module")
def call() -> Callable[..., dict[str, Any]]:
    path = ROOT / "functions" / "search" / "app.py"
    spec = importlib.util.spec_from_file_location("_newsfacet_search_app_page_test", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    def invoke(target: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
        event = http_api_event("GET", target, {"Host": "api", **(headers or {})}, b"")
        result: dict[str, Any] = module.handler(event, LocalContext("SearchFunction", 10))
        return result

    return invoke


def _body(result: dict[str, Any]) -> bytes:
    raw = base64.b64decode(result["body"]) if result["isBase64Encoded"] else result["body"].encode()
    if result["headers"].get("Content-Encoding") == "gzip":
        return gzip.decompress(raw)
    return raw


def test_handler_serves_the_page_gzipped_when_accepted(call: Callable[..., dict[str, Any]]) -> None:
    plain = call("/")
    assert plain["statusCode"] == 200
    assert plain["headers"]["Content-Type"] == "text/html; charset=utf-8"
    assert "Content-Encoding" not in plain["headers"]
    assert "Content-Security-Policy" in plain["headers"]
    zipped = call("/", {"Accept-Encoding": "gzip, deflate, br"})
    assert zipped["headers"]["Content-Encoding"] == "gzip"
    assert _body(zipped) == _body(plain)
    assert f"assets/{load_site().version}/app.js".encode() in _body(plain)


def test_handler_serves_assets_and_304s(call: Callable[..., dict[str, Any]]) -> None:
    version = load_site().version
    script = call(f"/assets/{version}/app.js")
    assert script["statusCode"] == 200
    assert script["headers"]["Content-Type"] == "text/javascript; charset=utf-8"
    assert _body(script) == (STATIC / "app.js").read_bytes()
    again = call(f"/assets/{version}/app.js", {"If-None-Match": script["headers"]["ETag"]})
    assert again["statusCode"] == 304
    assert not again["body"]


@pytest.mark.parametrize(
    "target", ["/assets/v/nope.js", "/assets/v/..%2Fsite.py", "/assets/app.js", "/index.html"]
)
def test_handler_answers_404_for_anything_else(
    call: Callable[..., dict[str, Any]], target: str
) -> None:
    result = call(target)
    assert result["statusCode"] == 404
    assert result["headers"]["Content-Type"] == "application/json"
