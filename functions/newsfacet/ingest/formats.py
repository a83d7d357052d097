"""Detect the format of an object from its bytes and decode it into raw articles.

Formats map to decoders in one explicit registry. Detection looks at the
content first and the key's suffix only to break ties, because uploaders
name files carelessly (``.txt`` holding HTML, no suffix at all).
"""

from __future__ import annotations

import io
import json
import re
import zlib
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from charset_normalizer import from_bytes

from newsfacet.errors import (
    BadEncodingError,
    EmptyObjectError,
    MalformedContentError,
    UnsupportedFormatError,
)
from newsfacet.ingest.dates import parse_datetime
from newsfacet.models.document import Format, RawArticle

GZIP_MAGIC = b"\x1f\x8b"
# Signatures of binary formats people upload by mistake; named in the error.
BINARY_MAGIC = {
    b"%PDF": "pdf",
    b"PK\x03\x04": "zip",
    b"\x89PNG": "png",
    b"\xff\xd8\xff": "jpeg",
    b"GIF8": "gif",
    b"\x7fELF": "elf",
}

# Spellings of the same field seen in news exports and crawler output.
TEXT_FIELDS = ("text", "body", "content", "article", "maintext", "full_text")
HTML_FIELDS = ("html", "raw_html", "content_html", "body_html")
TITLE_FIELDS = ("title", "headline", "name")
URL_FIELDS = ("url", "link", "canonical_url", "source_url", "uri")
OUTLET_FIELDS = ("outlet", "source", "source_domain", "publisher", "site", "domain", "site_name")
DATE_FIELDS = (
    "published",
    "date",
    "published_at",
    "publish_date",
    "pubdate",
    "date_publish",
    "datetime",
    "timestamp",
    "created_at",
)
AUTHOR_FIELDS = ("authors", "author", "byline", "creator")
LANGUAGE_FIELDS = ("language", "lang", "locale")


def decompress(data: bytes, *, key: str, limit: int) -> bytes:
    """Undo gzip if the bytes carry its magic number, refusing bombs over ``limit``."""
    if not data.startswith(GZIP_MAGIC):
        return data
    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = decompressor.decompress(data, limit + 1)
    except zlib.error as exc:
        raise MalformedContentError(key=key, reason=f"corrupt gzip: {exc}") from exc
    if len(out) > limit:
        raise MalformedContentError(
            key=key, reason=f"gzip expands beyond the limit of {limit} bytes"
        )
    if not decompressor.eof:
        raise MalformedContentError(key=key, reason="truncated gzip stream")
    return out


def decode_text(data: bytes, *, key: str) -> str:
    """Decode bytes to text: UTF-8 (with or without BOM) first, else a detected charset.

    Raises:
        UnsupportedFormatError: binary content (a known signature, NUL or control bytes).
        BadEncodingError: no charset decodes it, or too few bytes to tell.
    """
    text = _decode(data, key=key)
    head = text[:4096]
    if head and len(_CONTROL.findall(head)) > MAX_CONTROL_SHARE * len(head):
        raise UnsupportedFormatError(key=key, reason="binary content (control characters)")
    return text


def _decode(data: bytes, *, key: str) -> str:
    for magic, kind in BINARY_MAGIC.items():
        if data.startswith(magic):
            raise UnsupportedFormatError(key=key, reason=f"binary {kind} file")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnsupportedFormatError(key=key, reason="binary content (NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    declared = _declared_charset(data)
    if declared and declared.replace("_", "-") not in UTF8_NAMES:
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration is common; fall back to detection
    # UTF-8 with a stray byte or two (a truncated character, one pasted Latin-1 word):
    # a detector would guess a legacy charset and garble every accented letter.
    mostly = data.decode("utf-8", errors="replace")
    if mostly.count("\ufffd") <= 1 + len(data) // STRAY_BYTES_PER:
        return mostly.removeprefix("\ufeff")
    if len(data) < MIN_DETECT_BYTES:
        # A dozen random bytes "decode" as UTF-16 CJK or Cyrillic soup; no charset
        # detector can tell junk from text that short, and no article is that short.
        raise BadEncodingError(
            key=key, reason=f"{len(data)} bytes that are not UTF-8: too few to detect a charset"
        )
    best = from_bytes(data).best()
    if best is None:
        raise BadEncodingError(key=key, reason="no character set decodes these bytes")
    return str(best)


UTF8_NAMES = {"utf-8", "utf8"}
# Undecodable bytes tolerated in UTF-8 text: one per this many bytes (plus one).
STRAY_BYTES_PER = 5000
# Below this many bytes, non-UTF-8 input is refused rather than guessed at.
MIN_DETECT_BYTES = 64
# Text whose head has more than this share of control characters is binary that decoded.
MAX_CONTROL_SHARE = 0.1
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)


def _declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in its first bytes (``<meta charset>``), if any."""
    match = _META_CHARSET.search(data[:4096])
    return match[1].decode("ascii").lower() if match else None


_HTML_TAG = re.compile(r"<(?:!doctype html|html|head|body)\b", re.IGNORECASE)
HTML_TAG_WINDOW = 65536


def detect_format(text: str, *, key: str) -> Format:
    """Tell HTML, JSON, JSON Lines and plain text apart by their content."""
    head = text.lstrip()[:2048].lower()
    if head.startswith(("<!doctype html", "<html", "<?xml")) or (
        head.startswith("<") and ("<body" in head or "<head" in head or "<p" in head)
    ):
        return "html"
    # A page that opens with a script block or a PHP warning ("<br /><b>Deprecated</b>")
    # still has its <html> or <body> further down.
    if head.startswith("<") and _HTML_TAG.search(text, 0, HTML_TAG_WINDOW):
        return "html"
    if head.startswith("{"):
        first_line = text.lstrip().split("\n", 1)[0].strip()
        rest = text.lstrip()[len(first_line) :].strip()
        if rest.startswith("{") and _is_json_object(first_line):
            return "jsonl"
        return "json"
    if head.startswith("[") or (head.startswith('"') and _is_json(text)):
        # A bare JSON string ("just a string") is JSON, refused as not an article,
        # not one line of plain text to index.
        return "json"
    if key.lower().endswith((".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")):
        return "jsonl"
    return "text"


def _is_json_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _scrub(value: Any) -> Any:
    """Replace lone surrogates (JSON may escape ``"\\ud800"``) with U+FFFD, one level deep.

    Such a string cannot be encoded as UTF-8, so it would fail every later
    stage and the bulk request. Deeper values reach text only through ``str()``,
    whose ``repr`` escapes them.
    """
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value
    if isinstance(value, list):
        return [_scrub(item) if isinstance(item, str) else item for item in value]
    if isinstance(value, dict):
        return {k: _scrub(v) if isinstance(v, str) else v for k, v in value.items()}
    return value


def _first(obj: dict[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        value = obj.get(name)
        if value not in (None, "", []):
            return _scrub(value)
    return None


def _as_str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict):
        # {"name": "BBC", "url": ...} and {"href": ...} both occur.
        value = _first(value, ("name", "domain", "url", "href", "title"))
    return str(value).strip() or None


def _authors(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    names = [_as_str(item) for item in items]
    return [name for name in names if name]


def _published(value: Any) -> datetime | None:
    if value is None:
        return None
    return parse_datetime(str(value))


def article_from_json(obj: Any, *, key: str, position: int = 0) -> RawArticle:
    """Map one JSON article object, in any of the common spellings, to a raw article."""
    if not isinstance(obj, dict):
        raise MalformedContentError(
            key=key, reason=f"expected a JSON object, got {type(obj).__name__}", position=position
        )
    text = _first(obj, TEXT_FIELDS)
    html = _first(obj, HTML_FIELDS)
    if not isinstance(text, str | None) or not isinstance(html, str | None):
        raise MalformedContentError(
            key=key, reason="text/html fields must be strings", position=position
        )
    if not (text and text.strip()) and not (html and html.strip()):
        raise MalformedContentError(
            key=key,
            reason=f"no article text: none of the fields {', '.join(TEXT_FIELDS + HTML_FIELDS)}",
            position=position,
        )
    return RawArticle(
        text=text if text and text.strip() else None,
        html=None if text and text.strip() else html,
        title=_as_str(_first(obj, TITLE_FIELDS)),
        url=_as_str(_first(obj, URL_FIELDS)),
        outlet=_as_str(_first(obj, OUTLET_FIELDS)),
        published=_published(_first(obj, DATE_FIELDS)),
        authors=_authors(_first(obj, AUTHOR_FIELDS)),
        language=_as_str(_first(obj, LANGUAGE_FIELDS)),
        position=position,
    )


def decode_json(text: str, *, key: str) -> Iterator[RawArticle | MalformedContentError]:
    """One article object, a list of them, or ``{"articles": [...]}``; bad items yield errors."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedContentError(
            key=key, reason=f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from exc
    except RecursionError as exc:
        raise MalformedContentError(key=key, reason="JSON nested too deeply") from exc
    if isinstance(obj, dict) and isinstance(obj.get("articles"), list):
        obj = obj["articles"]
    if not isinstance(obj, list):
        yield article_from_json(obj, key=key)
        return
    for position, item in enumerate(obj):
        try:
            yield article_from_json(item, key=key, position=position)
        except MalformedContentError as exc:
            yield exc


def decode_jsonl(text: str, *, key: str) -> Iterator[RawArticle | MalformedContentError]:
    """Yield one article per line, lazily; a bad line yields its error and the rest go on.

    Lines are read one at a time from the decoded text, so a file of many
    thousand articles never holds more than one parsed article at once.
    """
    for lineno, line in enumerate(io.StringIO(text), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield MalformedContentError(
                key=key, reason=f"line {lineno}: invalid JSON: {exc.msg}", position=lineno
            )
            continue
        except RecursionError:
            yield MalformedContentError(
                key=key, reason=f"line {lineno}: JSON nested too deeply", position=lineno
            )
            continue
        try:
            yield article_from_json(obj, key=key, position=lineno)
        except MalformedContentError as exc:
            yield exc


def decode_plain(text: str, *, key: str) -> Iterator[RawArticle]:
    yield RawArticle(text=text)


def decode_html(text: str, *, key: str) -> Iterator[RawArticle]:
    yield RawArticle(html=text)


Decoder = Callable[..., Iterator[RawArticle] | Iterator[RawArticle | MalformedContentError]]

DECODERS: dict[Format, Decoder] = {
    "text": decode_plain,
    "html": decode_html,
    "json": decode_json,
    "jsonl": decode_jsonl,
}


def read_articles(
    data: bytes, *, key: str, limit: int
) -> tuple[Format, Iterator[RawArticle | MalformedContentError]]:
    """Decompress, decode and split an object into raw articles (or per-article errors)."""
    if not data or not data.strip():
        raise EmptyObjectError(key=key)
    text = decode_text(decompress(data, key=key, limit=limit), key=key)
    if not text.strip():
        raise EmptyObjectError(key=key)
    fmt = detect_format(text, key=key)
    return fmt, DECODERS[fmt](text, key=key)
