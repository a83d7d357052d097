"""The metadata stage: URL, outlet, publication time and authors, decided once.

One precedence table (docs/ingest.md), highest first; a lower source only
fills what a higher one left empty:

=========  ==========================================================================
url        the file (JSON field, page canonical URL, trailing URL line, decoded
           Google News link) -> ``x-amz-meta-url``
outlet     the file's outlet field / page host -> the URL's domain ->
           ``x-amz-meta-outlet`` -> the key prefix ``<domain>/`` -> a known outlet
           named in the page's own furniture (flagged in ``warnings``)
published  the file (JSON field, page metadata, trailing timestamp) ->
           ``x-amz-meta-published`` -> the earliest dated live-blog byline ->
           none: null, with a warning. The upload time is never a publication time.
authors    the file (JSON field, page metadata) -> "By ..." lines -> live-blog bylines
=========  ==========================================================================

The record comes in with what the file claims (extraction) and the object's
S3 metadata and key (its ``ref``); it leaves with ``meta`` filled.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from urllib.parse import urlsplit

from newsfacet.ingest.boilerplate import match_line_rule
from newsfacet.ingest.bounds import (
    MAX_DOMAIN,
    MAX_NAME,
    MAX_TITLE,
    MAX_URL,
    bound_names,
    bound_text,
    drop_overlong,
)
from newsfacet.ingest.dates import parse_datetime
from newsfacet.ingest.liveblog import BYLINE, parse_byline
from newsfacet.ingest.outlets import known_outlet, outlet_aliases, outlet_name, outlet_timezone
from newsfacet.models.article import Article, Metadata
from newsfacet.models.document import PublishedSource

NO_DATE_WARNING = "no publication time in the file, its S3 metadata or its bylines"
# Furniture lines that name the site they sit on ("follow other Independent readers").
_SELF_NAMING_RULES = {"comment_prompt", "newsletter", "copyright", "follow_prompt", "app_prompt"}


def canonical_url(url: str | None) -> str | None:
    """Normalise a URL with courlan: lower-case host, no fragment, no tracking parameters.

    Returns None for values that are not http(s) URLs.
    """
    if not url or not url.strip().lower().startswith(("http://", "https://")):
        return None
    from courlan import normalize_url  # imported on use: the text path rarely needs it

    try:
        return str(normalize_url(url.strip(), strict=True))
    except ValueError:
        return None


def domain_of(url: str | None) -> str | None:
    """The registrable-looking host of a URL, without ``www.``; None for junk."""
    if not url:
        return None
    host = urlsplit(url if "//" in url else f"//{url}").hostname
    if not host or "." not in host:
        return None
    return host.removeprefix("www.").removeprefix("amp.").lower()


def canonical_outlet(value: str | None) -> tuple[str | None, str | None]:
    """Turn a URL, domain or display name into ``(domain, display name)``."""
    if not value:
        return None, None
    value = value.strip()
    domain = domain_of(value) if ("." in value and " " not in value) else None
    if domain:
        return domain, outlet_name(domain)
    # A display name ("BBC", "The Financial Times") that our table can map to a domain.
    folded = value.casefold().removeprefix("the ").strip()
    for alias, alias_domain in outlet_aliases().items():
        if alias.casefold().removeprefix("the ") == folded:
            return alias_domain, outlet_name(alias_domain)
    return None, value


def decide_metadata(article: Article) -> Article:
    """Fill ``article.meta`` from the file's claims, the object's S3 metadata and key.

    Every field is bounded in length (``ingest/bounds.py``), with a warning when cut.

    Returns:
        The record with ``meta`` decided and a warning for each guess or gap.
    """
    claims = article.claims
    s3 = article.ref.user_metadata()
    warnings = list(article.warnings)
    url = canonical_url(claims.url) or canonical_url(s3.get("url"))
    outlet, name = _decide_outlet(article, url, s3)
    if outlet is None and (guess := _outlet_in_furniture(article.paragraphs)) is not None:
        outlet, name = canonical_outlet(guess)
        warnings.append(f"outlet {guess} inferred from page furniture")
    bylines = _dated_bylines(article, outlet)
    published, source = _decide_published(article, s3, bylines)
    if published is None:
        warnings.append(NO_DATE_WARNING)
    authors = claims.authors or claims.byline_authors
    if not authors:
        posted = [post.author for post in article.posts] + [author for author, _ in bylines]
        authors = tuple(dict.fromkeys(a for a in posted if a))
    meta = Metadata(
        title=bound_text(claims.title, MAX_TITLE, "title", warnings),
        url=drop_overlong(url, MAX_URL, "url", warnings),
        outlet=drop_overlong(outlet, MAX_DOMAIN, "outlet", warnings),
        outlet_name=bound_text(name, MAX_NAME, "outlet_name", warnings),
        published=published,
        published_source=source,
        authors=bound_names(authors, "authors", warnings),
    )
    return replace(article, meta=meta, warnings=tuple(warnings))


def _decide_outlet(
    article: Article, url: str | None, s3: dict[str, str]
) -> tuple[str | None, str | None]:
    outlet, name = canonical_outlet(article.claims.outlet)
    if outlet is None:
        outlet = domain_of(url)
    if outlet is None and s3.get("outlet"):
        outlet, name = canonical_outlet(s3["outlet"])
    key = article.ref.key
    if outlet is None and "/" in key and "." in (prefix := key.split("/", 1)[0]):
        outlet, name = canonical_outlet(prefix)
    if outlet is None:
        return None, name
    # The page's own site name beats a bare domain when our table does not know it.
    site_name = article.claims.site_name if not known_outlet(outlet) else None
    return outlet, site_name or outlet_name(outlet)


def _outlet_in_furniture(paragraphs: tuple[str, ...]) -> str | None:
    """A known outlet named in a sign-up, comment or copyright line of the page."""
    aliases = outlet_aliases()
    names = sorted((n for n in aliases if len(n) > 3), key=len, reverse=True)
    for line in paragraphs:
        if match_line_rule(line) not in _SELF_NAMING_RULES:
            continue
        for name in names:
            if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", line):
                return aliases[name]
    return None


def _dated_bylines(article: Article, outlet: str | None) -> list[tuple[str, datetime | None]]:
    """(author, time) of each live-blog byline; times without a zone are the outlet's."""
    zone = outlet_timezone(outlet)
    found = []
    for line in article.paragraphs:
        if BYLINE.match(line.strip()) and (byline := parse_byline(line, tz=zone)) is not None:
            found.append((byline.author, byline.published))
    return found


def _decide_published(
    article: Article, s3: dict[str, str], bylines: list[tuple[str, datetime | None]]
) -> tuple[datetime | None, PublishedSource | None]:
    claims = article.claims
    if claims.published is not None:
        return claims.published, claims.published_source or "page"
    if s3.get("published") and (stamp := parse_datetime(s3["published"])) is not None:
        return stamp, "object_metadata"
    stamps = [p.published for p in article.posts if p.published is not None]
    stamps += [stamp for _, stamp in bylines if stamp is not None]
    if stamps:
        return min(stamps), "liveblog"
    return None, None
