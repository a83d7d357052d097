"""The search page's files as HTTP answers: content type, security headers, caching.

The files in ``static/`` ship inside the package and are read once per
container, on the first page request; nothing is built or fetched at deploy
time. The handler only turns an :class:`Answer` into a response.

Caching: the assets are served under ``assets/<version>/`` where the version
is a digest of every file, so a browser may keep them for a year (a deploy
changes the version and so every asset URL). The page itself is revalidated
on each load (``no-cache`` with an ETag): a new deploy shows at once and an
unchanged page costs a bodiless 304.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from newsfacet.errors import NotFoundError

STATIC = Path(__file__).with_name("static")
PAGE = "index.html"
# The page names its assets as assets/{{version}}/<name>; the token is replaced when served.
VERSION_TOKEN = "{{version}}"

# Every file the page may load, by content type. Anything else is a 404: the
# route never turns a request path into a file path.
ASSET_TYPES: dict[str, str] = {
    "app.js": "text/javascript; charset=utf-8",
    "api.js": "text/javascript; charset=utf-8",
    "dom.js": "text/javascript; charset=utf-8",
    "state.js": "text/javascript; charset=utf-8",
    "facets.js": "text/javascript; charset=utf-8",
    "histogram.js": "text/javascript; charset=utf-8",
    "results.js": "text/javascript; charset=utf-8",
    "entry.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
    "icon.svg": "image/svg+xml",
}

# Everything from our own origin and nothing else: no inline script or style,
# no eval, no plugins, no framing. Trusted Types with no policy makes every
# HTML-string sink (innerHTML, outerHTML, insertAdjacentHTML, document.write)
# throw, so API data can only ever reach the page as text.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "require-trusted-types-for 'script'",
        "trusted-types 'none'",
    ]
)
COMMON_HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    # Search terms live in the page URL: links to the original articles must not carry them.
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    # Bodies are gzipped when the request accepts it (the route's compress flag).
    "Vary": "Accept-Encoding",
}
PAGE_CACHE = "no-cache"
ASSET_CACHE = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class Answer:
    """One HTTP answer: ``body`` is None for a 304."""

    status: int
    headers: dict[str, str]
    body: str | None


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (weak or strong, or ``*``)."""
    if not if_none_match:
        return False
    # Proxies that compress may weaken the tag (W/"..."): for a GET that still matches.
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in candidates or etag in candidates


class Site:
    """The page and its assets, held in memory.

    Args:
        files: every static file by name (``index.html`` and each of ``ASSET_TYPES``).
    """

    def __init__(self, files: dict[str, str]) -> None:
        missing = sorted({PAGE, *ASSET_TYPES} - set(files))
        if missing:
            raise FileNotFoundError(f"search page files missing from the package: {missing}")
        digest = hashlib.sha256()
        for name in sorted(files):
            digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
        self.version = digest.hexdigest()[:16]
        self._page = files[PAGE].replace(VERSION_TOKEN, self.version)
        self._assets = {name: files[name] for name in ASSET_TYPES}
        self._etags = {name: _etag(body) for name, body in self._assets.items()}

    def page(self, if_none_match: str | None = None) -> Answer:
        """The HTML page, under the Content-Security-Policy."""
        headers = {
            **COMMON_HEADERS,
            "Content-Type": "text/html; charset=utf-8",
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "Cache-Control": PAGE_CACHE,
        }
        return _answer(headers, self._page, f'"{self.version}"', if_none_match)

    def asset(self, version: str, name: str, if_none_match: str | None = None) -> Answer:
        """One asset file; immutable when asked for under the current version.

        A page loaded before a deploy asks for the old version: it gets today's
        file, marked ``no-cache``, so that nothing caches it under the old URL.

        Raises:
            NotFoundError: ``name`` is not one of the page's files.
        """
        if name not in self._assets:
            raise NotFoundError(f"no such asset: {name[:100]}")
        body = self._assets[name]
        headers = {
            **COMMON_HEADERS,
            "Content-Type": ASSET_TYPES[name],
            "Cache-Control": ASSET_CACHE if version == self.version else PAGE_CACHE,
        }
        return _answer(headers, body, self._etags[name], if_none_match)


def _etag(body: str) -> str:
    return '"' + hashlib.sha256(body.encode()).hexdigest()[:16] + '"'


def _answer(headers: dict[str, str], body: str, etag: str, if_none_match: str | None) -> Answer:
    headers = {**headers, "ETag": etag}
    if etag_matches(if_none_match, etag):
        return Answer(304, {k: v for k, v in headers.items() if k != "Content-Type"}, None)
    return Answer(200, headers, body)


def read_static(folder: Path = STATIC) -> dict[str, str]:
    """The page's files from ``folder``, by name."""
    return {
        name: (folder / name).read_text("utf-8")
        for name in (PAGE, *ASSET_TYPES)
        if (folder / name).is_file()
    }


@cache
def load_site() -> Site:
    """The packaged page, read on first use and kept for the container's life."""
    return Site(read_static())
