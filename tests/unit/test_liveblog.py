"""Live blogs split into posts with author and time; articles stay whole; repeats appear once."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from newsfacet.ingest.liveblog import is_live_blog, parse_byline, split_live_blog

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("line", "author", "published"),
    [
        (
            "Shweta Sharma24 May 2023 04:30",
            "Shweta Sharma",
            datetime(2023, 5, 24, 3, 30, tzinfo=UTC),
        ),
        (
            "Maryam Zakir-Hussain24 May 2023 12:15",
            "Maryam Zakir-Hussain",
            datetime(2023, 5, 24, 11, 15, tzinfo=UTC),
        ),
        (
            "By Jane Doe, 3 January 2024 9.05pm GMT",
            "Jane Doe",
            datetime(2024, 1, 3, 21, 5, tzinfo=UTC),
        ),
    ],
)
def test_bylines_glued_or_not(line: str, author: str, published: datetime) -> None:
    byline = parse_byline(line, tz=ZoneInfo("Europe/London"))
    assert byline is not None
    assert (byline.author, byline.published) == (author, published)


def test_story_sentence_is_not_a_byline() -> None:
    assert parse_byline("Mr Ihnat said in a televised interview on 23 May 2023.") is None


POSTS = [
    "Kremlin reacts to the raid",
    "The Kremlin said the raid was part of a pattern.",
    "Jane Doe24 May 2023 11:49",
    "Finland ends military visits agreement",
    "Russia told Finland it would end the agreement.",
    "The Finnish ministry said so in a statement.",
    "John Roe24 May 2023 10:42",
    "Kremlin reacts to the raid",
    "The Kremlin said the raid was part of a pattern.",
    "Jane Doe24 May 2023 11:49",
]


def test_posts_split_at_bylines_and_repeats_come_once() -> None:
    assert is_live_blog(POSTS, title=None, url=None)
    posts = split_live_blog(POSTS)
    assert [(p.title, p.author) for p in posts] == [
        ("Kremlin reacts to the raid", "Jane Doe"),
        ("Finland ends military visits agreement", "John Roe"),
    ]
    assert posts[1].text == POSTS[4] + "\n" + POSTS[5]
    assert posts[0].published == datetime(2023, 5, 24, 11, 49, tzinfo=UTC)


def test_an_article_with_a_subheading_is_not_a_live_blog() -> None:
    article = [
        "The council approved the budget on Monday after a long debate.",
        "What happens next",
        "The plan now goes to the regional assembly for a final vote.",
        "Officials expect a decision before the summer.",
    ]
    assert not is_live_blog(article, title="Council approves budget", url=None)
