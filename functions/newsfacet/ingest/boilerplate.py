"""Boilerplate removal on paragraphs: page furniture out, every story sentence kept.

Works on lines of text, so it cleans both scraped text files and the text
trafilatura extracts from HTML (which still lets sign-up prompts, share bars
and "Read more:" links through). Three layers, each general, none per site:

1. line rules: a paragraph that *is* a sign-up prompt, ad debris, a share bar,
   a translation disclaimer... (short lines only: a long story sentence that
   merely mentions a newsletter stays);
2. block rules: runs of related-link bullets or numbered video lists, and the
   key/value blocks of fake author profiles;
3. learned template lines: paragraphs that recur across many documents of the
   same outlet (counts kept in OpenSearch, see ``index/lines.py``).

Every removal is reported with the rule that made it, so tests and
``newsfacet parse`` can show why a line went.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

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


# -- line rules --------------------------------------------------------------------
# Each pattern runs on fold_line(line). ``max_words`` bounds the line length a
# rule may remove: furniture is short, a story paragraph that happens to say
# "subscribe" is not.
@dataclass(frozen=True)
class LineRule:
    name: str
    pattern: re.Pattern[str]
    max_words: int = 30


def _rule(name: str, pattern: str, max_words: int = 30) -> LineRule:
    return LineRule(name, re.compile(pattern), max_words)


_SOCIAL = (
    r"(?:twitter|facebook|instagram|telegram|youtube|tiktok|linkedin|whatsapp|threads|"
    r"google news|x)"
)
_LABELS = (
    r"read more|read also|also read|read next|more reading|related|see also|more from [\w .'-]+|"
    r"recommended(?: for you)?|related (?:articles?|stories|content|news|posts?|coverage|topics)|"
    r"you (?:may|might) (?:also )?like|most (?:read|popular|viewed|shared)|trending(?: now)?|"
    r"top (?:articles|stories)|latest (?:posts|news|stories|articles)|more (?:stories|news)|"
    r"popular (?:stories|posts)|editor'?s picks?|don'?t miss|watch|listen|explore more|"
    r"further reading|suggested reading|in (?:other|related) news|more on this(?: story)?|"
    # The same labels in the other languages of the dev sets (folded: lower case, ß -> ss).
    r"auch interessant|(?:das|dies|diese[sr]?) (?:thema )?konnte (?:sie|dich) (?:auch )?"
    r"interessieren|das konnte (?:sie|dich) auch interessieren|lesen sie (?:auch|hier|mehr)|"
    r"mehr zum thema|zum weiterlesen|weiterlesen|(?:weitere|ahnliche|verwandte|aktuelle) "
    r"(?:artikel|beitrage|themen|nachrichten|news|meldungen)[\w .'-]{0,40}|"
    r"top-themen[\w .'-]{0,30}|"
    r"meistgelesen|lire aussi|a lire aussi|a lire egalement|voir aussi|sur le meme sujet|"
    r"articles? (?:similaires|lies|connexes)|lee tambien|lea tambien|vea tambien|ver tambien|"
    r"(?:le|te) puede interesar|tambien (?:le|te) puede interesar|puedes ver|"
    r"(?:notas|noticias|articulos) relacionad[oa]s|mas noticias|leggi anche|articoli correlati|"
    r"potrebbe interessarti|leia tambem|veja tambem|noticias relacionadas|saiba mais"
)

LINE_RULES: tuple[LineRule, ...] = (
    _rule(
        "newsletter",
        r"^(?:sign up|subscribe|register|join)\b.{0,160}"
        r"\b(?:newsletter|inbox|e-?mails?|alerts?|updates|edition|free|now|today|here)\b",
        40,
    ),
    _rule(
        "newsletter",
        r"^(?=.*\b(?:you|your|our|sign up|subscribe|free|get)\b).*"
        r"\b(?:newsletters?|inbox|daily edition|breaking news (?:e-?mails|alerts)|"
        r"e-?mail alerts?)\b",
        25,
    ),
    _rule(
        "newsletter",
        r"^(?:get|receive) (?:the|our|a|free|daily)\b.{0,80}"
        r"\b(?:by e-?mail|newsletter|edition|updates|app|alerts?|delivered)\b",
        30,
    ),
    _rule("newsletter", r"^(?:subscribe|sign up)\b", 20),
    _rule(
        "newsletter",
        r"^(?:(?:jetzt )?(?:zum |fur den )?newsletter (?:abonnieren|anmelden|bestellen)|"
        r"mit unserem newsletter|abonnieren sie (?:unseren|den) newsletter|"
        r"melden sie sich (?:jetzt )?(?:fur|zu) unserem newsletter|"
        r"abonnez-vous a|inscrivez-vous a (?:notre|la) newsletter|"
        r"suscribete a|suscribase a|iscriviti alla newsletter|assine (?:a|nossa) newsletter)",
        30,
    ),
    _rule("newsletter", r"\bnewsletters?$", 5),
    _rule(
        "app_prompt",
        r"^(?:for|to get) (?:the latest|free|more|breaking)\b.{0,160}"
        r"\b(?:download|sign up|subscribe|follow|apps?|inbox|newsletters?)\b",
        40,
    ),
    _rule("app_prompt", r"^download (?:the|our)\b.{0,60}\bapps?\b", 30),
    _rule("app_prompt", r"^(?:stay|keep) (?:informed|up to date|updated|connected)\b", 30),
    _rule(
        "follow_prompt",
        rf"^(?:follow|like|find) (?:us|the [\w .'-]+|@\w+|[\w .'-]+ on)\b"
        rf".{{0,120}}\b{_SOCIAL}\b",
        40,
    ),
    _rule("follow_prompt", r"^(?:follow|like) us\b", 15),
    _rule(
        "follow_prompt",
        rf"^(?:folg(?:e|en sie)? uns|suivez-nous|siguenos|seguinos|seguici|siga-nos)\b"
        rf".{{0,120}}\b{_SOCIAL}\b",
        40,
    ),
    _rule("related_label", rf"^(?:{_LABELS})\s*(?:[:|>»-]|$)", 30),
    _rule("promo", r"^\((?:video|watch|audio|photos?|gallery|listen|podcast|live)\)", 40),
    _rule(
        "promo",
        r"^(?:video|watch(?: now| live)?|listen|podcast|photos?|gallery|in pictures)"
        r"\s*[:|]",
        25,
    ),
    _rule(
        "comment_prompt",
        r"^(?:join (?:our|the) (?:commenting forum|conversation|discussion|debate)|"
        r"join thought-provoking conversations|leave a (?:comment|reply)|post a comment|"
        r"add (?:a|your) comment|view (?:all )?comments|show comments|have your say|"
        r"comments? (?:are|is) (?:closed|open)|we want to hear what you think|"
        r"what do you think\?|be the first to comment|\d* ?comments?$|"
        r"share your (?:thoughts|views|comments))",
        40,
    ),
    _rule(
        "comment_prompt", r"your email address will not be published|required fields are marked", 30
    ),
    _rule(
        "comment_prompt",
        r"^(?:keine kommentare|kommentar(?:e)? (?:schreiben|verfassen|hinzufugen)|"
        r"(?:schreibe|hinterlasse|schreiben sie|hinterlassen sie) einen kommentar|"
        r"(?:du musst|sie mussen) (?:eingeloggt|angemeldet) sein|"
        r"sie sind (?:aktuell |derzeit )?nicht (?:eingeloggt|angemeldet)|"
        r"verraten sie (?:uns )?(?:gerne )?in den kommentaren|"
        r"laisser un commentaire|laissez un commentaire|aucun commentaire|"
        r"deja (?:un|tu) comentario|sin comentarios|lascia un commento)|"
        r"(?:deine|ihre) e-?mail-?adresse wird nicht veroffentlicht|"
        r"erforderliche felder sind (?:mit \* )?markiert|"
        r"votre adresse (?:e-?)?mail ne sera pas publiee|"
        r"tu (?:direccion de )?correo electronico no sera publicad[oa]",
        30,
    ),
    _rule("comment_prompt", r"^(?:log ?in|sign in) to (?:comment|reply)", 15),
    _rule(
        "ad",
        r"^(?:advertisement|advertising|advert|sponsored(?: content| links?)?|"
        r"paid (?:content|post)|promoted(?: content)?|ad|ads by \w+|"
        r"(?:story|article|content) continues (?:below|after)(?: (?:this )?(?:ad|advertisement))?|"
        r"continue reading (?:below|the main story)|scroll (?:down )?to continue(?: with content)?|"
        r"anzeige|werbung|publicite|publicidad|pubblicita|publicidade)"
        r"\b[\W\d_]*$",
        12,
    ),
    _rule(
        "ad",
        r"googletag|adsbygoogle|document\.write|window\.\w+\s*=|function\s*\(|"
        r"^\s*(?:var|let|const)\s+\w+\s*=|\{\s*\}|['\"];\s*\}",
        60,
    ),
    _rule(
        "navigation",
        r"^(?:back to top|skip to (?:main )?content|go to top|scroll to top|"
        r"return to top|jump to)\b",
        8,
    ),
    _rule("navigation", r"^(?:previous|next) (?:article|post|story)\b", 20),
    _rule("navigation", r"^(?:home|news|menu|search|close|print|share)$", 1),
    _rule(
        "navigation",
        r"^(?:nach oben|zum seitenanfang|zuruck (?:nach oben|zur ubersicht)|seitenanfang|"
        r"inhaltsverzeichnis|table of contents|retour en haut|volver arriba|torna su)$",
        4,
    ),
    _rule(
        "machine_translation",
        r"(?:translat\w* (?:it |this )?(?:automatically|through programmatic|"
        r"by (?:a )?machine|using (?:machine|automatic))|machine[- ]translat\w*|"
        r"automatic(?:ally)? translat\w*|not (?:from|by) a human (?:editor|translator)|"
        r"(?:has been|was|is) (?:automatically|machine|auto)[- ]?translated|"
        r"does not (?:necessarily )?express the (?:point of )?view of the site)",
        70,
    ),
    _rule(
        "cookie_consent",
        r"\b(?:we use cookies|(?:this|our) (?:site|website) uses cookies|"
        r"cookie (?:policy|settings|preferences|notice)|accept (?:all )?cookies|"
        r"by continuing to (?:use|browse)|manage (?:your )?(?:consent|cookies)|"
        r"your privacy choices|consent preferences|"
        r"(?:diese|unsere) (?:web)?seite (?:verwendet|nutzt) cookies|"
        r"wir (?:verwenden|nutzen) cookies|"
        r"ce site utilise des cookies|nous utilisons des cookies|"
        r"(?:este|nuestro) sitio(?: web)? utiliza cookies|utilizamos cookies)\b",
        60,
    ),
    _rule(
        "share_bar",
        r"^(?:share|tweet|email|e-mail|print|copy link|link copied|whatsapp|"
        r"facebook|twitter|linkedin|reddit|pinterest|telegram|messenger|flipboard|x|"
        r"comments?|save|gift (?:this )?article)(?:[\s,|/·•]+(?:share|tweet|email|e-mail|"
        r"print|copy link|whatsapp|facebook|twitter|linkedin|reddit|pinterest|telegram|"
        r"messenger|flipboard|x|comments?|save|on|this|article|story|via))*[\s:|]*$",
        15,
    ),
    _rule("share_bar", r"^share (?:this|on|via|the)\b", 10),
    # WordPress's share and like boxes in other languages ("Teilen mit:", "Gefällt mir:").
    _rule(
        "share_bar",
        r"^(?:teilen(?: mit)?|diesen (?:artikel|beitrag) teilen|gefallt mir|wird geladen|"
        r"partager(?: cet article| sur)?|j'aime|chargement|compartir(?: esto)?|me gusta(?: esto)?|"
        r"cargando|condividi|compartilhe)\s*(?:(?::|\.\.\.)(?:\s.*)?)?$",
        8,
    ),
    _rule(
        "copyright",
        r"^(?:©|\(c\)|copyright\b)|\ball rights reserved\b|copyrighted property|"
        r"\balle rechte vorbehalten\b|\btous droits reserves\b|\btodos los derechos reservados\b|"
        r"\btutti i diritti riservati\b|\btodos os direitos reservados\b|"
        r"written permission must be obtained|may not be (?:published|reproduced|broadcast|"
        r"rewritten|redistributed)|without (?:prior )?written permission",
        40,
    ),
    _rule(
        "contact",
        r"^(?:contact us|advertise with us|for advertising|got a (?:news )?tip|"
        r"send us (?:a|your) (?:tip|story)|have a story)\b",
        30,
    ),
    # Inside a longer line this is a policy page's own sentence ("you can email us at").
    _rule("contact", r"\b(?:contact us at|call us at|e-?mail us at)\b", 15),
    _rule("contact", r"^advertise (?:with|on|in) ", 60),
    _rule(
        "taxonomy",
        r"^(?:category|categories|tags?|filed under|posted in|topics?|sections?|"
        r"keywords|kategorien?|schlagworte?r?|stichworte?r?|themen|categories?|etiquettes|"
        r"mots-cles|categorias?|etiquetas|palabras clave|categorie)\s*:",
        15,
    ),
    _rule(
        "dateline_debris",
        r"^(?:release date|published|updated|last updated|last modified|posted|"
        r"date|first published)(?:\s*:.*|\s+(?:on\s+)?[\w ,./+-]*\d[\w ,:./+-]*)?$",
        8,
    ),
    # The same in other languages: a colon, or a date right after the label.
    _rule(
        "dateline_debris",
        r"^(?:letzte anderung|zuletzt (?:aktualisiert|geandert)|aktualisiert|veroffentlicht|"
        r"erstellt|stand|datum|publie|mis a jour|publicado|actualizado|pubblicato|aggiornato)"
        r"(?:\s*:.*|\s+(?:am\s+|le\s+|el\s+|il\s+)?\d[\w ,:./+-]*)?$",
        8,
    ),
    _rule("bare_domain", r"^(?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}/?$", 1),
    _rule(
        "photo_caption",
        r"\b(?:illustrative|file|stock|archive) (?:photo|image|picture)\b|"
        r"^(?:photo|image|picture|credit|source|pictured)\s*:|"
        r"\b(?:getty images|shutterstock|afp via getty|ap photo)\b|"
        r"^(?:fotos?|bild|titelbild|bildquelle|fotoquelle|credit photo|imagen|foto de archivo)\s*:|"
        r"^image d'illustration|^image illustrative\b",
        25,
    ),
    # "... en el Congreso (Foto: Natacha Pisarenko/Pool via REUTERS)." A caption's credit.
    _rule("photo_caption", r"\((?:foto|photo|bild|imagen|image)\s*:[^)]*\)\.?$", 40),
    _rule("source_credit", r"^\([\w .&'-]{2,40}\)$", 6),
    _rule("rating_spam", r"^(?:rating|views|reviews|votes?)\s*:\s*[\d.,/% ]", 15),
)

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
