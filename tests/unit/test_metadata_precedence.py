"""Metadata from every source, in the documented order of precedence, through the pure stages."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime

import pytest

from newsfacet.ingest.trailing import decode_google_news_url
from tests.conftest import SEEDS
from tests.parsing import Parsed, parse_bytes, parse_one

pytestmark = pytest.mark.unit
STORY = (
    "Officials in the region said on Tuesday that the evacuation of nine villages would "
    "continue for several days while the security operation went on."
)


def _one(data: bytes, **ref: object) -> Parsed:
    return parse_one(data, **ref)


def test_google_news_link_carries_the_publisher() -> None:
    link = (SEEDS / "000_6816b149e7280501.txt").read_text("utf-8").splitlines()[-3]
    assert decode_google_news_url(link) == (
        "https://www.independent.co.uk/news/world/europe/"
        "russia-ukraine-war-putin-weapons-belgorod-b2344555.html"
    )


def test_s3_metadata_fills_what_the_file_lacks() -> None:
    doc = _one(
        (SEEDS / "003_be923fc5e0fa518d.txt").read_bytes(),
        key="incoming/003.txt",
        metadata={
            "x-amz-meta-url": "https://www.washingtonpost.com/world/2023/05/23/belgorod/",
            "x-amz-meta-published": "2023-05-23T14:00:00Z",
        },
    )
    assert (doc.outlet, doc.outlet_name) == ("washingtonpost.com", "The Washington Post")
    assert doc.published == datetime(2023, 5, 23, 14, tzinfo=UTC)
    assert doc.published_source == "object_metadata"
    # The publisher is not listed among the outlets the text cites.
    assert "washingtonpost.com" not in doc.cited_outlets


def test_the_file_beats_s3_metadata_and_the_key_prefix() -> None:
    doc = _one(
        (SEEDS / "000_6816b149e7280501.txt").read_bytes(),
        key="ft.com/000.txt",
        metadata={"outlet": "bbc.co.uk", "published": "2020-01-01T00:00:00Z"},
    )
    assert doc.outlet == "independent.co.uk"
    assert doc.published == datetime(2023, 5, 24, 5, 59, 45, tzinfo=UTC)


def test_key_prefix_names_the_outlet_when_nothing_else_does() -> None:
    doc = _one((SEEDS / "004_9db52b1d6b26dc2e.txt").read_bytes(), key="ft.com/2023/05/militia.txt")
    assert (doc.outlet, doc.outlet_name) == ("ft.com", "Financial Times")
    assert doc.cited_outlets == ["reuters.com"]


def test_the_upload_time_is_never_a_publication_time() -> None:
    """Seed 002 carries no date: published stays null, says so; the upload time is kept apart."""
    uploaded = datetime(2023, 6, 1, 8, tzinfo=UTC)
    doc = _one(
        (SEEDS / "002_0328ac7a846e38ba.txt").read_bytes(), key="002.txt", last_modified=uploaded
    )
    assert doc.published is None
    assert doc.published_source is None
    assert any("no publication time" in w for w in doc.warnings)
    (entry,) = doc.built
    assert (entry.published, entry.ingested_at) == (None, uploaded)
    assert entry.warnings == doc.warnings


def test_json_article_with_common_spellings() -> None:
    obj = {
        "headline": "Raid in Belgorod",
        "body": STORY,
        "link": "https://www.bbc.co.uk/news/x",
        "datePublished": "2023-05-23T10:00:00+03:00",
        "author": [{"name": "Jane Doe"}],
        "lang": "en-GB",
    }
    obj["published_at"] = obj.pop("datePublished")
    doc = _one(json.dumps(obj).encode(), key="a.json")
    assert (doc.title, doc.outlet, doc.language) == ("Raid in Belgorod", "bbc.co.uk", "en")
    assert doc.published == datetime(2023, 5, 23, 7, tzinfo=UTC)
    assert doc.authors == ["Jane Doe"]
    assert doc.format == "json"


def test_json_outlet_given_as_a_display_name() -> None:
    doc = _one(
        json.dumps({"title": "T", "text": STORY, "source": "Reuters"}).encode(), key="a.json"
    )
    assert (doc.outlet, doc.outlet_name) == ("reuters.com", "Reuters")


def test_jsonl_gzip_with_html_articles_and_a_bad_line() -> None:
    html = (
        "<html lang='en'><head><title>Raid</title></head><body><article><h1>Raid</h1>"
        f"<p>{STORY}</p><p>Sign up to our free breaking news emails</p>"
        f"<p>{STORY.replace('nine', 'ten')}</p></article></body></html>"
    )
    lines = [
        json.dumps({"url": "https://www.theguardian.com/world/raid", "html": html}),
        "{not json",
        json.dumps({"title": "Second", "text": STORY, "source": "apnews.com"}),
    ]
    result = parse_bytes(gzip.compress("\n".join(lines).encode()), key="batch.jsonl.gz")
    assert [d.outlet for d in result.documents] == ["theguardian.com", "apnews.com"]
    assert all(d.format == "jsonl" for d in result.documents)
    assert "Sign up" not in result.documents[0].text
    assert STORY in result.documents[0].text
    assert [e.data["position"] for e in result.errors] == [2]
    assert "batch.jsonl.gz" in str(result.errors[0])


def test_html_page_through_trafilatura_and_our_cleaning() -> None:
    html = f"""<!doctype html><html lang="en"><head>
      <title>Militia raid in Belgorod | Example News</title>
      <meta property="og:site_name" content="Example News">
      <meta property="article:published_time" content="2023-05-23T09:30:00+00:00">
      <meta name="author" content="Jane Doe">
      </head><body><nav>Home News World</nav><article><h1>Militia raid in Belgorod</h1>
      <p>{STORY}</p><p>Read more: Who are the fighters?</p>
      <p>The governor said one civilian was killed and eight were injured in the attack.</p>
      <p>Follow us on Twitter and Facebook for the latest updates</p>
      </article><footer>© 2023 Example News. All rights reserved.</footer></body></html>"""
    doc = _one(html.encode(), key="example.org/raid.html")
    assert STORY in doc.text
    assert "one civilian was killed" in doc.text
    assert "Read more" not in doc.text
    assert "Follow us" not in doc.text
    assert (doc.outlet, doc.outlet_name) == ("example.org", "Example News")
    assert doc.published == datetime(2023, 5, 23, 9, 30, tzinfo=UTC)
    assert doc.authors == ["Jane Doe"]


def test_live_blog_structured_data_gives_posts() -> None:
    posts = [
        {
            "@type": "BlogPosting",
            "headline": f"Update {i}",
            "articleBody": f"{STORY} ({i})",
            "datePublished": f"2023-05-24T0{i}:00:00Z",
            "author": {"name": "Jane Doe"},
        }
        for i in (2, 1)
    ]
    ld = json.dumps(
        {"@context": "https://schema.org", "@type": "LiveBlogPosting", "liveBlogUpdate": posts}
    )
    html = (
        f"<html><head><title>Live</title><script type='application/ld+json'>{ld}</script>"
        f"</head><body><article><p>{STORY}</p></article></body></html>"
    )
    doc = _one(html.encode(), key="live.html")
    assert [e.title for e in doc.entries] == ["Update 1", "Update 2"]
    assert doc.entries[0].author == "Jane Doe"
    assert doc.published == datetime(2023, 5, 24, 1, tzinfo=UTC)


def test_url_is_canonical() -> None:
    doc = _one(
        json.dumps(
            {"text": STORY, "url": "https://www.BBC.co.uk/news/world-65?utm_source=x&id=5#top"}
        ).encode(),
        key="a.json",
    )
    assert doc.url == "https://www.bbc.co.uk/news/world-65?id=5"
    assert doc.outlet == "bbc.co.uk"


def test_by_lines_give_authors_but_sentences_starting_with_by_stay() -> None:
    first = "By Monday the troops had left the border villages, officials said."
    text = f"Raid in Belgorod\n\nBy Jane Doe and John Roe\n\n{first}\n\n{STORY}\n"
    doc = _one(text.encode(), key="a.txt")
    assert doc.title == "Raid in Belgorod"
    assert doc.authors == ["Jane Doe", "John Roe"]
    assert "By Jane Doe" not in doc.text
    assert doc.text.startswith(first)


def test_html_live_blog_without_structured_data_splits_at_bylines() -> None:
    posts = [
        ("Kremlin reacts to the raid", STORY, "Jane Doe24 May 2023 11:49"),
        (
            "Finland ends military visits",
            STORY.replace("nine", "four"),
            "John Roe24 May 2023 10:42",
        ),
        ("Lavrov speaks on China", STORY.replace("nine", "two"), "Jane Doe24 May 2023 08:59"),
    ]
    body = "".join(
        f"<div class='post'><h2>{h}</h2><p>{b}</p><p>{by}</p></div>" for h, b, by in posts
    )
    html = (
        "<html lang='en'><head><title>Belgorod raid - live</title></head><body><article>"
        f"<h1>Belgorod raid - live</h1>{body}</article></body></html>"
    )
    doc = _one(html.encode(), key="independent.co.uk/live.html")
    assert [(e.author, e.text) for e in doc.entries] == [(by[:8], b) for _, b, by in posts]
    # trafilatura keeps only the first post's <h2> in this layout; the posts still split.
    assert doc.entries[0].title == posts[0][0]
    # The Independent prints UK time: 11:49 BST is 10:49 UTC.
    assert doc.entries[0].published == datetime(2023, 5, 24, 10, 49, tzinfo=UTC)
