"""Boilerplate rules: furniture goes, story sentences that merely mention it stay."""

from __future__ import annotations

import pytest

from newsfacet.ingest.boilerplate import (
    clean_paragraphs,
    line_hash,
    match_line_rule,
)
from newsfacet.ingest.template_lines import LineCount, LineTally, template_candidates
from newsfacet.models.article import Article, Metadata
from newsfacet.models.document import ObjectRef

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("Sign up to get the best content of the week", "newsletter"),
        ("PC Gamer Newsletter", "newsletter"),
        (
            "Get The Times of Israel's Daily Edition by email and never miss our top stories",
            "newsletter",
        ),
        ("Subscribe now to our eNATION edition for the full story.", "newsletter"),
        (
            "For the latest stories and breaking news updates download the Nationnews apps "
            "for iOS and Android.",
            "app_prompt",
        ),
        ("Follow The Gleaner on Twitter and Instagram @JamaicaGleaner", "follow_prompt"),
        ("Read more: Looted colonial art", "related_label"),
        ("(Video) Pro-Ukraine militia attacks inside Russia", "promo"),
        ("We want to hear what you think about this article.", "comment_prompt"),
        (
            "Your email address will not be published. Required fields are marked *",
            "comment_prompt",
        ),
        ("Advertisement'; }", "ad"),
        ("ADVERTISEMENT", "ad"),
        ("Back to top button", "navigation"),
        (
            "We use cookies to improve your experience. By continuing to browse you agree.",
            "cookie_consent",
        ),
        ("Share on Facebook Twitter WhatsApp Email", "share_bar"),
        ("This article is the copyrighted property of Breaking Belize News.", "copyright"),
        ("Category : Press Releases", "taxonomy"),
        ("Соntасt uѕ аt marketing@example.com оr саll uѕ аt 501-601-0315.", "contact"),
        ("This article was automatically translated from Spanish.", "machine_translation"),
        # The same furniture in the other languages of the dev sets; accents do not matter.
        ("Teilen mit:", "share_bar"),
        ("Gefällt mir:", "share_bar"),
        ("Das könnte Sie auch interessieren:", "related_label"),
        ("Weitere Beiträge aus der Kolumne:", "related_label"),
        ("VEA TAMBIÉN: Entre heces y guaricha", "related_label"),
        ("À lire aussi", "related_label"),
        ("Keine Kommentare (Kommentare erscheinen erst nach unserer Freigabe)", "comment_prompt"),
        ("Votre adresse e-mail ne sera pas publiée.", "comment_prompt"),
        ("Mit unserem Newsletter erhalten Sie monatlich Informationen", "newsletter"),
        ("Síguenos en Telegram, Instagram, Facebook y Twitter", "follow_prompt"),
        ("ANZEIGE", "ad"),
        ("Alle Rechte vorbehalten.", "copyright"),
        ("Letzte Änderung 14.02.2019", "dateline_debris"),
        ("Titelbild: Geyres Christophe/ABACA/picture-alliance", "photo_caption"),
        ("Zum Seitenanfang", "navigation"),
    ],
)
def test_furniture_lines_match_a_rule(line: str, rule: str) -> None:
    assert match_line_rule(line) == rule


@pytest.mark.parametrize(
    "line",
    [
        "The company said two million people now subscribe to its streaming service.",
        "He entered the building without permission, police said.",
        "Russia says its military ‘crushed’ Ukraine incursion",
        "“Do not yet return to your homes,” he told local residents who had been evacuated.",
        "The newsletter, which he founded in 2009, was read by officials across the region, "
        "according to people who worked there and documents seen by reporters.",
        "Pictures: Russian prime minister arrives in Beijing",
        "Updated guidance was issued on Tuesday by the health ministry.",
        "Stand der Technik ist heute 2020.",
        "Teilen Sie uns Ihre Meinung mit, wir lesen alle Zuschriften.",
        "Die Anzeige wurde am 3. Mai 2020 erstattet.",
        "If at any time you would like to unsubscribe from receiving future emails, "
        "you can email us at the address below.",
        # A long line in an unspaced script is long, whatever its few spaces say.
        "本网站所有内容均为原创，版权所有，未经许可不得转载。记者今天从有关部门获悉，"
        "今年以来全市新增就业岗位超过十万个，城镇登记失业率保持在较低水平。© 2020",
    ],
)
def test_story_lines_match_no_rule(line: str) -> None:
    assert match_line_rule(line) is None


def test_headline_bullets_go_but_story_bullets_stay() -> None:
    """Each item reads as another story's headline and nothing announces the list."""
    paragraphs = [
        "The ministry listed three demands on Tuesday.",
        "• Who's behind the attack on a Russian region on the border with Ukraine?",
        "• Shadowy attacks inside Russia deliver a psychological win for Ukraine",
        "• Biden picks new National Security Agency head",
        "The talks will resume next week, officials said.",
        "- Troops must withdraw from the border area within ten days.",
        "- Prisoners will be exchanged under the supervision of the Red Cross.",
    ]
    cleaned = clean_paragraphs(paragraphs)
    assert cleaned.removed_by("link_list") == paragraphs[1:4]
    assert paragraphs[5] in cleaned.paragraphs
    assert paragraphs[6] in cleaned.paragraphs


def test_a_numbered_quiz_is_not_a_link_list() -> None:
    paragraphs = [
        "Here are our jokes.",
        "1. Why did the chicken cross the road?",
        "2. What do you call a fish with no eyes?",
        "That is all.",
    ]
    assert clean_paragraphs(paragraphs).paragraphs == paragraphs


def test_fake_author_profile_block_goes() -> None:
    paragraphs = [
        "The story ends here.",
        "Author information",
        "Name: Golda Nolan II",
        "Birthday: 1998-05-14",
        "Phone: +522993866487",
        "Job: Sales Executive",
    ]
    assert clean_paragraphs(paragraphs).paragraphs == ["The story ends here."]


def test_protected_lines_are_kept() -> None:
    cleaned = clean_paragraphs(["Share", "Story."], keep={0})
    assert cleaned.paragraphs == ["Share", "Story."]


def test_learned_template_lines_are_removed() -> None:
    footer = "Breaking Belize News is your home for news across the country"
    story = ["Officials confirmed three new cases on Monday.", footer]
    template = {line_hash(footer)}
    cleaned = clean_paragraphs(story, template=template)
    assert cleaned.paragraphs == story[:1]
    assert cleaned.removed_by("template") == [footer]


def _article(url: str, paragraphs: list[str], outlet: str = "example.com") -> Article:
    ref = ObjectRef(bucket="b", key=url.rsplit("/", 1)[-1])
    return Article(
        ref=ref, format="text", paragraphs=tuple(paragraphs), meta=Metadata(url=url, outlet=outlet)
    )


def test_tally_counts_other_documents_of_the_outlet_stored_and_in_the_batch() -> None:
    footer = "Breaking Belize News is your home for news across the country"
    key = ("example.com", line_hash(footer))
    tally = LineTally(
        {key: LineCount(2, frozenset({"https://example.com/1", "https://example.com/2"}))},
        min_docs=3,
    )
    # Two stored documents: not yet template for the third...
    assert tally.template(_article("https://example.com/3", [footer])) == set()
    # ...but the fourth sees three others: the two stored and the third, from this batch.
    assert tally.template(_article("https://example.com/4", [footer])) == {key[1]}
    # Another outlet's documents never count.
    assert tally.template(_article("https://other.org/5", [footer], outlet="other.org")) == set()


def test_tally_never_counts_a_document_against_itself() -> None:
    """A re-delivered document (its URL stored already) does not make its own lines template."""
    footer = "Breaking Belize News is your home for news across the country"
    key = ("example.com", line_hash(footer))
    stored = {key: LineCount(1, frozenset({"https://example.com/1"}))}
    tally = LineTally(stored, min_docs=1)
    assert tally.template(_article("https://example.com/1", [footer])) == set()
    assert tally.template(_article("https://example.com/1", [footer])) == set()
    assert tally.template(_article("https://example.com/2", [footer])) == {key[1]}


def test_template_candidates_skip_tiny_and_huge_lines() -> None:
    lines = ["Share", "A footer line that recurs on every page", "x" * 5000]
    assert list(template_candidates(lines).values()) == [lines[1]]
