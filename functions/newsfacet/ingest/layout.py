"""Layout heuristics for plain-text scrapes: title line, stray headlines, widget captions, tail.

A scraped text file has lost its markup: where a line sits and how it ends is all there
is to tell a story's sentence from a link to another story. These heuristics run on
plain text only. An HTML page's structure has been read by the extractor, and on its
output they removed more story than furniture (docs/ingest.md, measured table).

Every heuristic here
- reads a line's end and its length in any script (``boilerplate.ends_like_sentence``,
  ``boilerplate.words``), so a Chinese paragraph is no headline;
- never chains: a line is judged by its neighbours as they were in the input, never
  because the line next to it was removed by a heuristic;
- is capped: all of them together remove at most :data:`MAX_LINES` lines and
  :data:`MAX_SHARE` of the text's characters (:class:`RemovalBudget`); a removal that
  does not fit is not made at all. A text where they would remove more is a list, a
  table or a layout they misread, and keeps its lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from newsfacet.ingest.boilerplate import (
    UNSPACED,
    CleanedText,
    ends_like_sentence,
    is_headline_like,
    words,
)
from newsfacet.ingest.liveblog import BYLINE
from newsfacet.ingest.paragraphs import tidy_title

# "By Jane Doe and John Roe": a byline line above the story, not a sentence of it.
# Names are capitalised words: "By Monday, the troops had left" is no byline.
BY_LINE = re.compile(r"^(?i:by)\s+((?:[A-Z][\w.'’-]*|and|&|,|\s)+?)(?:\s*[|–-]\s*.*)?$")
# A title line in a scraped file is short; a first line longer than this is story.
MAX_TITLE_WORDS = 20
# Section labels scrapers keep above the title ("News Update", "USAWorld News").
MAX_LABEL_WORDS = 3
# The caps shared by every heuristic of one document.
MAX_LINES = 8
MAX_SHARE = 0.25
# Alternative headlines between the title and the story: more than this is a list.
MAX_LEADING_HEADLINES = 2
# Headline-like lines at the very end: more than this is a list or a table the story ends with.
MAX_TAIL_LINES = 3
# A headline between two paragraphs is a link to another story when it is this long;
# shorter ones are the article's own subheadings.
MIN_LINK_HEADLINE_WORDS = 6
# An alternative headline repeats at least this share of the title's words.
MIN_TITLE_OVERLAP = 0.5
# A subheading shares at least this many words (beyond the title's) with the next
# ECHO_PARAGRAPHS paragraphs.
MIN_SUBHEADING_ECHO = 2
ECHO_PARAGRAPHS = 2
_LONG_WORD = re.compile(r"[^\W\d_]{4,}")
# Related-coverage teasers: "Topic: one-sentence summary", a block of at least this many.
MIN_TEASERS = 3
MAX_TOPIC_WORDS = 6
MIN_SUMMARY_WORDS = 8
# A contributor's bio closing the page: "Jane Doe is the founder of ...".
_BIO = re.compile(
    r"^[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){1,3} (?:is|was) (?:a|an|the) "
    r"[^.]{0,120}\b(?:founder|editor|writer|journalist|reporter|correspondent|author|"
    r"consultant|contributor|columnist|freelancer?|blogger|ceo|director|principal)\b"
)
_TEASER = re.compile(r"^(?P<topic>[^\W\d_][^:：]{0,60}?)\s*[:：]\s+(?P<summary>\S.*)$")
# Furniture that comes with a headline of its own: a promo's caption, a sign-up
# box's teaser, a link card's title. Captions and credits do not.
WIDGET_RULES = frozenset(
    {
        "newsletter",
        "promo",
        "app_prompt",
        "follow_prompt",
        "link_list",
        "related_label",
        "comment_prompt",
    }
)


@dataclass
class RemovalBudget:
    """What the layout heuristics of one document may still remove, in lines and characters."""

    lines: int
    chars: int

    @classmethod
    def of(cls, paragraphs: Sequence[str]) -> RemovalBudget:
        total = sum(len(p) for p in paragraphs)
        return cls(lines=MAX_LINES, chars=int(total * MAX_SHARE))

    def take(self, lines: Sequence[str]) -> bool:
        """Spend the budget on removing ``lines`` if it covers all of them; else spend nothing."""
        size = sum(len(line) for line in lines)
        if len(lines) > self.lines or size > self.chars:
            return False
        self.lines -= len(lines)
        self.chars -= size
        return True


def take_title(paragraphs: list[str]) -> tuple[str | None, list[str], list[str]]:
    """Find the title line of a scraped text file: after section labels, before the story.

    Returns the title (or None when the file starts with story text), the
    remaining paragraphs, and the labels that were dropped.
    """
    labels: list[str] = []
    rest = list(paragraphs)
    while (
        len(rest) > 2
        and words(rest[0]) <= MAX_LABEL_WORDS
        and is_headline_like(rest[0])
        and words(rest[1]) > MAX_LABEL_WORDS
        and not BY_LINE.match(rest[1])
        and len(labels) < MAX_LEADING_HEADLINES
    ):
        labels.append(rest.pop(0))
    if (
        len(rest) > 1
        and words(rest[0]) <= MAX_TITLE_WORDS
        and not BYLINE.match(rest[0])
        and not BY_LINE.match(rest[0])
    ):
        return tidy_title(rest[0]), rest[1:], labels
    return None, rest, labels


def drop_leading_headlines(
    paragraphs: list[str], budget: RemovalBudget, *, title: str | None
) -> tuple[list[str], list[str]]:
    """Alternative headlines left between the title and the first paragraph.

    A scraper keeps a page's second headline ("FT: Militias shooting in Belgorod region
    used US-made vehicles" under "FT: The militia that attacked in the Belgorod region
    used US-made vehicles"): it says what the title says, so it shares at least half of
    its words with the title. A standfirst that says something new stays.
    """
    title_words = content_words(title or "")
    index = 0
    while (
        index < len(paragraphs) - 1
        and is_headline_like(paragraphs[index])
        and _shares(content_words(paragraphs[index]), title_words, MIN_TITLE_OVERLAP)
    ):
        index += 1
    if index > MAX_LEADING_HEADLINES or not budget.take(paragraphs[:index]):
        return paragraphs, []
    return paragraphs[index:], paragraphs[:index]


def drop_link_headlines(
    paragraphs: list[str], budget: RemovalBudget, *, title: str | None
) -> tuple[list[str], list[str]]:
    """A long headline-like line between two story paragraphs that the story does not take up.

    A subheading announces what follows: the next paragraphs repeat its words. An
    embedded link to another story ("IAEA chief pushes plan to secure nuclear power
    plant ahead of Ukrainian offensive") shares at most the article's general topic:
    words of the title do not count, and it shares fewer than
    :data:`MIN_SUBHEADING_ECHO` words with the paragraphs after it. Both neighbours
    must end like sentences: a headline among other short lines belongs to a list.
    """
    title_words = content_words(title or "")
    found = [
        i
        for i in range(1, len(paragraphs) - 1)
        if is_headline_like(paragraphs[i])
        and words(paragraphs[i]) >= MIN_LINK_HEADLINE_WORDS
        and ends_like_sentence(paragraphs[i - 1])
        and ends_like_sentence(paragraphs[i + 1])
        and len(
            (content_words(paragraphs[i]) - title_words)
            & content_words(" ".join(paragraphs[i + 1 : i + 1 + ECHO_PARAGRAPHS]))
        )
        < MIN_SUBHEADING_ECHO
    ]
    if not found or not budget.take([paragraphs[i] for i in found]):
        return paragraphs, []
    return [p for i, p in enumerate(paragraphs) if i not in found], [paragraphs[i] for i in found]


def content_words(text: str) -> set[str]:
    """Words that carry meaning, folded: four letters or more in spaced scripts, character
    pairs in unspaced ones (CJK, Thai), where no space marks a word."""
    found = {w.casefold() for w in _LONG_WORD.findall(UNSPACED.sub(" ", text))}
    for run in UNSPACED.findall(text):
        found.update(run[i : i + 2] for i in range(len(run) - 1))
    return found


def _shares(these: set[str], those: set[str], share: float) -> bool:
    return bool(these) and len(these & those) >= share * len(these)


def drop_widget_headlines(
    cleaned: CleanedText, budget: RemovalBudget
) -> tuple[list[str], list[tuple[str, str]]]:
    """A headline-like line right above furniture a rule removed belongs to that widget.

    ("G7 summit: ... Hiroshima" above a newsletter box; a card's dek above a "(Video)"
    promo.) Only a line removed by a rule counts as furniture below: a headline removed
    here never makes the line above it removable.
    """
    rule_of = {line: rule for rule, line in cleaned.removed}
    order = cleaned.order
    found = [
        i
        for i in range(len(order) - 1)
        if not order[i][0]
        and order[i + 1][0]
        and rule_of.get(order[i + 1][1]) in WIDGET_RULES
        and is_headline_like(order[i][1])
        and not BYLINE.match(order[i][1])
    ]
    lines = [order[i][1] for i in found]
    if not found or not budget.take(lines):
        return cleaned.paragraphs, []
    drop = set(found)
    kept = [line for i, (gone, line) in enumerate(order) if not gone and i not in drop]
    return kept, [("widget_headline", line) for line in lines]


def trim_tail(
    paragraphs: list[str], budget: RemovalBudget, *, stop: re.Pattern[str] | None = None
) -> tuple[list[str], list[str]]:
    """Drop what is left at the very end: a link list's remains, widget titles, a contributor bio.

    At most :data:`MAX_TAIL_LINES` lines; a text ending in more short lines than that
    ends in a list or a table of its own and keeps them. Stops at the first line that
    ends like a sentence (or matches ``stop``, e.g. a live-blog byline).
    """
    end = len(paragraphs)
    while end > 1:
        line = paragraphs[end - 1]
        if stop is not None and stop.search(line):
            break
        if not is_headline_like(line, max_words=30) and not (
            words(line) <= 60 and _BIO.match(line.strip())
        ):
            break
        end -= 1
    tail = paragraphs[end:]
    if not tail or len(tail) > MAX_TAIL_LINES or not budget.take(tail):
        return paragraphs, []
    return paragraphs[:end], tail


def drop_teasers(paragraphs: list[str], budget: RemovalBudget) -> tuple[list[str], list[str]]:
    """Related-coverage teasers closing a scraped article, and the heading above them.

    A block of "Topic: one-sentence summary" lines at the very end ("Battle of
    Attrition: Over the past year, the war has evolved ..."), each a short topic and a
    whole sentence, links to other stories. Fewer than :data:`MIN_TEASERS` is no block.
    """
    start = len(paragraphs)
    while start > 0 and _is_teaser(paragraphs[start - 1]):
        start -= 1
    if len(paragraphs) - start < MIN_TEASERS or start == 0:
        return paragraphs, []
    if start > 1 and is_headline_like(paragraphs[start - 1]):
        start -= 1  # the block's heading ("A year of Russian war in Ukraine")
    block = paragraphs[start:]
    if not budget.take(block):
        return paragraphs, []
    return paragraphs[:start], block


def _is_teaser(line: str) -> bool:
    match = _TEASER.match(line.strip())
    if match is None:
        return False
    topic, summary = match["topic"], match["summary"]
    return (
        words(topic) <= MAX_TOPIC_WORDS
        and not ends_like_sentence(topic)
        and words(summary) >= MIN_SUMMARY_WORDS
        and ends_like_sentence(summary)
    )
