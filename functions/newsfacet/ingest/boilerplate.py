"""Boilerplate removal on paragraphs: page furniture out, every story sentence kept.

Works on lines of text, so it cleans both scraped text files and the text
trafilatura extracts from HTML (which still lets sign-up prompts, share bars
and "Read more:" links through). Three layers, each general, none per site:

1. line rules (``ingest/line_rules.py``): a paragraph that *is* a sign-up prompt, ad debris,
   a share bar, a translation disclaimer... (short lines only: a long story sentence that
   merely mentions a newsletter stays);
2. block rules: runs of related-link bullets or numbered video lists, and the
   key/value blocks of fake author profiles;
3. learned template lines: paragraphs that recur across many documents of the
   same outlet (``ingest/template_lines.py``; counts kept in OpenSearch by ``index/learned.py``).

Every removal is reported with the rule that made it, so tests and
``newsfacet parse`` can show why a line went.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from newsfacet.ingest.line_rules import LINE_RULES

# Cyrillic and Greek letters that spam pages swap in for Latin ones so that
# filters miss "Yоur соntеnt". Folded for matching only; kept lines are untouched.
_CONFUSABLES = str.maketrans(
    "аеорсухіѕјАВЕКМНОРСТХІЅЈԁɡοΑΒΕΗΙΚΜΝΟΡΤΧ",
    "aeopcyxisjABEKMHOPCTXISJdgoABEHIKMNOPTX",
)
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})

# What a sentence (or a lead-in) ends with, in every script we have seen: Latin
# punctuation, CJK full-width and half-width forms, Arabic and Urdu, Devanagari and
# Bengali danda, Armenian, Ethiopic, Myanmar. A closing quote or bracket also ends a
# line like a sentence: quotes close after the punctuation ("…over.”, "…」"), and
# German and French quotes close with “ ‘ « as well.
SENTENCE_ENDS = frozenset(".!?…:;。！？．｡；：、؟۔।॥։።။")
CLOSERS = frozenset("\"')]»›”’“‘«‹」』）》〉】］｝")
QUESTION_MARKS = ("?", "？", "؟")
# Scripts written without spaces between words: a run of them counts as one word per
# CHARS_PER_WORD characters, so "short" means the same in Chinese as in German.
UNSPACED = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f\u0e80-\u0eff"
    r"\u1000-\u109f\u1780-\u17ff\uff66-\uff9f]+"
)
CHARS_PER_WORD = 2


def fold_line(line: str) -> str:
    """Lower-case, NFKC, Latin look-alikes and plain quotes: the form rules match against."""
    text = unicodedata.normalize("NFKC", line).translate(_CONFUSABLES).translate(_QUOTES)
    return " ".join(text.casefold().split())


def line_hash(line: str) -> str:
    """The key a line is learned under (``ingest/template_lines.py``): its folded form, hashed."""
    return hashlib.sha1(fold_line(line).encode("utf-8")).hexdigest()[:20]


def words(line: str) -> int:
    """Length in words, in any script: spaced words, plus unspaced runs (CJK, Thai...)
    counted at ``CHARS_PER_WORD`` characters a word."""
    unspaced = UNSPACED.findall(line)
    if not unspaced:
        return len(line.split())
    spaced = len(UNSPACED.sub(" ", line).split())
    return spaced + sum(max(1, round(len(run) / CHARS_PER_WORD)) for run in unspaced)


def ends_like_sentence(line: str) -> bool:
    """The line's last character closes a sentence or a quote, in any script."""
    stripped = line.rstrip()
    return bool(stripped) and (stripped[-1] in SENTENCE_ENDS or stripped[-1] in CLOSERS)


def is_headline_like(line: str, *, max_words: int = 25) -> bool:
    """A short line that does not end like a sentence: a heading, a link, a label."""
    stripped = line.strip()
    if not stripped or words(stripped) > max_words:
        return False
    return not ends_like_sentence(stripped) or stripped.endswith(QUESTION_MARKS)


# Fake author profiles (the "Article information / Author information" spam
# seen at the end of scraped pages): a run of "Key: value" lines with these keys.
_PROFILE_KEYS = {
    "author",
    "last updated",
    "views",
    "rating",
    "reviews",
    "name",
    "birthday",
    "address",
    "phone",
    "job",
    "hobby",
    "introduction",
    "email",
    "website",
    "occupation",
    "location",
}
_PROFILE_HEADERS = {
    "article information",
    "author information",
    "author details",
    "about the author",
}
_KEY_VALUE = re.compile(r"^([a-z][a-z ]{1,20}?)\s*:\s*\S")
_BULLET = re.compile(r"^\s*(?:[•·▪►▸‣◦*]|-\s|–\s|\d{1,2}[.)]\s)")
# "... | Redacted", "... - YouTube": a video title with its channel.
_CHANNEL = re.compile(r"\s[|]\s*[\w .'&-]{2,40}$")
# A list whose items each read as another story's headline: this long, this many at most.
MIN_HEADLINE_WORDS = 6
MAX_HEADLINE_LIST = 6


@dataclass
class CleanedText:
    """Paragraphs kept, and what was removed by which rule."""

    paragraphs: list[str]
    removed: list[tuple[str, str]] = field(default_factory=list)
    # Every input paragraph in its original order, flagged True when removed.
    order: list[tuple[bool, str]] = field(default_factory=list)

    def removed_by(self, rule: str) -> list[str]:
        return [line for name, line in self.removed if name == rule]


# A caption that ends in an upper-case credit: "... in Las Croabas. By U.S. CUSTOMS".
# Matched on the raw line: case is the signal.
_CAPS_CREDIT = re.compile(r"\b(?:By|Photo:|Credit:)\s+[A-Z][A-Z .,&'/-]{4,}$")


def _strip_marks(text: str) -> str:
    # "Gefällt mir", "Vea también": rules are written without accents, so that one
    # pattern matches however a page spells (or drops) them.
    if text.isascii():
        return text
    return "".join(
        c for c in unicodedata.normalize("NFKD", text) if unicodedata.category(c) != "Mn"
    )


def match_line_rule(line: str) -> str | None:
    """The name of the first line rule that calls this paragraph furniture, or None."""
    folded = _strip_marks(fold_line(line))
    if not folded:
        return None
    count = words(folded)
    if count <= 50 and _CAPS_CREDIT.search(line.strip()):
        return "photo_caption"
    for rule in LINE_RULES:
        if count <= rule.max_words and rule.pattern.search(folded):
            return rule.name
    return None


def _profile_block(folded: Sequence[str]) -> set[int]:
    """Indices of fake author-profile blocks: 3+ profile "Key: value" lines close together."""
    hits: list[int] = []
    for i, line in enumerate(folded):
        match = _KEY_VALUE.match(line)
        if (match and match[1].strip() in _PROFILE_KEYS) or line in _PROFILE_HEADERS:
            hits.append(i)
    drop: set[int] = set()
    run: list[int] = []
    for i in hits:
        if run and i - run[-1] > 2:
            if len(run) >= 3:
                drop.update(range(run[0], run[-1] + 1))
            run = []
        run.append(i)
    if len(run) >= 3:
        drop.update(range(run[0], run[-1] + 1))
    return drop


def _link_lists(paragraphs: Sequence[str], reasons: Mapping[int, str]) -> set[int]:
    """Runs of 2+ bullet or numbered headline-like items that the text shows to be links.

    A scraped text has lost its markup, so the evidence is in the text: a related-coverage
    label right above the run ("Top Articles", "Read more:"); source credits inside it
    ("(Channel 4 News)" under a video link, "... | Redacted"); or items that each read as
    another story's headline (long, no sentence end) in a run nothing announces (a list
    after "You will need:" is the article's own). Lists of questions are quizzes and FAQs.
    """
    drop: set[int] = set()
    run: list[int] = []
    credits = 0

    def close() -> None:
        nonlocal credits
        items = [i for i in run if match_line_rule(paragraphs[i]) != "source_credit"]
        questions = sum(paragraphs[i].rstrip().endswith(QUESTION_MARKS) for i in items)
        above = run[0] - 1 if run else -1
        labelled = above >= 0 and reasons.get(above) == "related_label"
        announced = above >= 0 and paragraphs[above].rstrip().endswith((":", "："))
        headlines = (
            len(items) <= MAX_HEADLINE_LIST
            and not announced
            and all(words(_BULLET.sub("", paragraphs[i])) >= MIN_HEADLINE_WORDS for i in items)
        )
        if len(items) >= 2 and questions * 2 <= len(items) and (labelled or credits or headlines):
            drop.update(run)
        run.clear()
        credits = 0

    for i, line in enumerate(paragraphs):
        if _BULLET.match(line) and is_headline_like(_BULLET.sub("", line), max_words=30):
            run.append(i)
            credits += bool(_CHANNEL.search(line))
        elif run and match_line_rule(line) == "source_credit":
            run.append(i)  # "(Channel 4 News)" under a numbered video link
            credits += 1
        else:
            close()
    close()
    return drop


def clean_paragraphs(
    paragraphs: Sequence[str],
    *,
    title: str | None = None,
    template: Collection[str] = (),
    keep: Collection[int] = (),
    block_rules: bool = True,
) -> CleanedText:
    """Remove boilerplate paragraphs; keep the story's paragraphs in order.

    Args:
        paragraphs: non-empty lines, one paragraph each.
        title: the document title; body lines repeating it are dropped.
        template: hashes (:func:`line_hash`) of lines learned to be this outlet's template.
        keep: indices never to remove (e.g. live-blog bylines the splitter needs).
        block_rules: also remove link lists and fake author profiles. For scraped text;
            on an HTML extractor's output they removed real lists and contact pages.
    """
    folded = [fold_line(p) for p in paragraphs]
    reasons: dict[int, str] = {}
    folded_title = fold_line(title) if title else None
    for i, paragraph in enumerate(paragraphs):
        if folded_title and folded[i] == folded_title:
            reasons[i] = "repeated_title"
        elif template and line_hash(paragraph) in template:
            reasons[i] = "template"
        elif (rule := match_line_rule(paragraph)) is not None:
            reasons[i] = rule
    if block_rules:
        for i in _profile_block(folded):
            reasons[i] = "author_profile"
        for i in _link_lists(paragraphs, reasons):
            reasons[i] = "link_list"
    kept: list[str] = []
    removed: list[tuple[str, str]] = []
    order: list[tuple[bool, str]] = []
    for i, paragraph in enumerate(paragraphs):
        gone = i in reasons and i not in keep
        if gone:
            removed.append((reasons[i], paragraph))
        else:
            kept.append(paragraph)
        order.append((gone, paragraph))
    return CleanedText(kept, removed, order)
