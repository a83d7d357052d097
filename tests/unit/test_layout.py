"""Layout heuristics for scraped text: they hold in every script, stop at their caps, never
chain, and leave an HTML extractor's output alone."""

from __future__ import annotations

import pytest

from newsfacet.ingest.boilerplate import clean_paragraphs, is_headline_like, words
from newsfacet.ingest.layout import (
    MAX_LINES,
    MAX_TAIL_LINES,
    RemovalBudget,
    drop_link_headlines,
    drop_teasers,
    drop_widget_headlines,
    take_title,
    trim_tail,
)
from newsfacet.ingest.pipeline import finish_article
from newsfacet.models.article import Article, Removal
from newsfacet.models.document import ObjectRef
from tests.parsing import parse_one

pytestmark = pytest.mark.unit

CHINESE = [
    "新华社北京电 国务院新闻办公室今天举行新闻发布会，介绍今年前三季度国民经济运行情况。",
    "国家统计局发言人表示，前三季度国内生产总值同比增长百分之五点二，就业形势总体稳定",
    "发言人说，下一步将继续巩固经济回升向好态势，推动高质量发展取得新成效",
    "专家认为，消费对经济增长的拉动作用进一步增强，服务业恢复较快",
]


# A story long enough that a few removed lines are a small share of it.
STORY = [
    f"Paragraph {n} of the story, with enough words in it to be a real paragraph of news."
    for n in range(1, 9)
]


def _budget(paragraphs: list[str]) -> RemovalBudget:
    return RemovalBudget.of(paragraphs)


def test_length_counts_unspaced_scripts_by_characters() -> None:
    assert words("The quick brown fox") == 4
    # 43 characters of Chinese with no space: about 21 words, not one.
    assert words(CHINESE[0]) > 15
    assert not is_headline_like(CHINESE[0])


@pytest.mark.parametrize(
    "line",
    [
        "这是一个完整的句子。",
        "これは文です！",
        "Er sagte: „Wir kommen wieder.“",
        "Il a dit : « C'est fini »",
        "هذه جملة كاملة؟" + " " + "نعم.",
        "यह एक वाक्य है।",
    ],
)
def test_sentence_ends_in_every_script(line: str) -> None:
    assert not is_headline_like(line)


def test_a_chinese_article_without_full_stops_is_not_trimmed_to_its_first_line() -> None:
    """Paragraphs that end without punctuation are still far too long to be headlines."""
    doc = parse_one("\n".join(["国务院新闻发布会", *CHINESE]).encode(), key="cn.txt")
    assert doc.title == "国务院新闻发布会"
    assert doc.text.split("\n") == CHINESE


def test_an_article_that_ends_in_a_list_keeps_it() -> None:
    steps = [f"Step {n}" for n in range(1, MAX_TAIL_LINES + 3)]
    paragraphs = ["How to repot a plant, in short.", "You will need a pot.", *steps]
    assert trim_tail(paragraphs, _budget(paragraphs)) == (paragraphs, [])


def test_a_short_tail_goes() -> None:
    paragraphs = [
        *STORY,
        "Riddle Me This: 19 Riddles",
        "23 Super Silly Birthday Jokes for Kids",
    ]
    kept, dropped = trim_tail(paragraphs, _budget(paragraphs))
    assert kept == STORY
    assert dropped == paragraphs[len(STORY) :]


def test_a_feature_list_is_not_a_link_list() -> None:
    """Bullets that lack end punctuation are no links without evidence from the text."""
    paragraphs = [
        "The new release brings these changes:",
        "• Dark mode for every screen of the application",
        "• Faster start-up on older phones and tablets",
        "• Offline maps for the whole country you choose",
        "It is free for everyone.",
    ]
    assert clean_paragraphs(paragraphs).paragraphs == paragraphs


def test_a_labelled_list_is_a_link_list() -> None:
    paragraphs = [
        "The talks will resume next week.",
        "Related:",
        "• Talks",
        "• Sanctions",
    ]
    cleaned = clean_paragraphs(paragraphs)
    assert cleaned.paragraphs == paragraphs[:1]
    assert cleaned.removed_by("link_list") == paragraphs[2:]


def test_widget_headlines_never_chain() -> None:
    """Only the line right above a sign-up box goes; the one above that stays."""
    paragraphs = [
        *STORY,
        "Election results live",
        "G7 summit: leaders lay wreaths in Hiroshima",
        "Sign up to our free breaking news emails",
        "The vote is on Friday.",
    ]
    cleaned = clean_paragraphs(paragraphs)
    kept, removed = drop_widget_headlines(cleaned, _budget(paragraphs))
    assert removed == [("widget_headline", "G7 summit: leaders lay wreaths in Hiroshima")]
    assert "Election results live" in kept


def test_heuristics_stop_at_the_cap() -> None:
    """A text where they would remove many lines is a layout they misread: it keeps them."""
    story = "Officials said the bridge would reopen in the spring after repairs."
    headlines = [
        "Celebrity chef opens seaside restaurant after long renovation",
        "Striking dockworkers reject latest wage offer from employers",
        "Museum returns looted bronzes to their country of origin",
        "Drought forces farmers to sell cattle before winter arrives",
        "Teenager wins national chess title with daring final game",
        "Rail operator promises refunds after week of cancellations",
        "Scientists map ancient river buried beneath desert sands",
        "Local bakery celebrates hundred years with free bread giveaway",
        "Volcano eruption grounds flights across northern islands",
    ]
    assert len(headlines) > MAX_LINES
    paragraphs = [story]
    for headline in headlines:
        paragraphs += [headline, story]
    kept, dropped = drop_link_headlines(paragraphs, _budget(paragraphs), title=None)
    assert kept == paragraphs
    assert dropped == []


def test_subheadings_stay_and_embedded_links_go() -> None:
    paragraphs = [
        "The council met on Monday to discuss the budget for next year.",
        "Why the library budget was cut by a third",
        "The library budget was cut because the council expects lower tax income.",
        "Members also discussed repairs to the town bridge.",
        "Celebrity chef opens seaside restaurant after long renovation",
        "The bridge will close for two months in the spring.",
    ]
    kept, dropped = drop_link_headlines(paragraphs, _budget(paragraphs), title=None)
    assert dropped == [paragraphs[4]]
    assert paragraphs[1] in kept


def test_related_coverage_teasers_at_the_end_go() -> None:
    story = STORY * 2
    teasers = [
        "A year of war",
        "Portraits: Every life has changed since the invasion began, in ways big and small.",
        "Battle of attrition: Over the past year, the war has evolved into a grinding fight.",
        "Divides: The president has trumpeted the alliance, but the world is far from united.",
    ]
    kept, dropped = drop_teasers(story + teasers, _budget(story + teasers))
    assert kept == story
    assert dropped == teasers


def test_key_value_lines_inside_a_story_are_no_teasers() -> None:
    paragraphs = [
        "The recipe is simple.",
        "Step one: Mix the flour with the water until the dough is smooth and firm.",
        "Step two: Leave the dough to rest for an hour in a warm place in the kitchen.",
        "Step three: Bake it for forty minutes at two hundred degrees in a hot oven.",
        "Serve it warm.",
    ]
    assert drop_teasers(paragraphs, _budget(paragraphs)) == (paragraphs, [])


def test_a_title_line_in_any_script() -> None:
    title, rest, labels = take_title(["国务院新闻发布会", *CHINESE])
    assert title == "国务院新闻发布会"
    assert rest == CHINESE
    assert labels == []


def test_html_output_gets_line_rules_only() -> None:
    """trafilatura read the page's structure: a closing list, bullets and headings stay;
    a known furniture line still goes."""
    paragraphs = [
        "The festival returns to the park this summer.",
        "Weitere Themen",
        "- Free entry for children under twelve years",
        "- Food stalls from local farms and bakeries",
        "Opening hours",
        "Friday 18-23",
        "Saturday 12-23",
        "Sunday 12-20",
    ]
    ref = ObjectRef(bucket="b", key="fest.html")
    article = Article(ref=ref, format="html", paragraphs=tuple(paragraphs), from_html=True)
    doc = finish_article(article)
    assert doc.text.split("\n") == [p for p in paragraphs if p != "Weitere Themen"]
    assert doc.removed == (Removal("related_label", "Weitere Themen"),)
