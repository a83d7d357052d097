"""The line rules of boilerplate removal, as data: a paragraph that *is* furniture.

Sign-up prompts, ad debris, share bars, translation disclaimers and the like, in
English and in the main European languages. Each pattern runs on the folded
form of a line (``boilerplate.fold_line``: case, NFKC, look-alike letters,
quotes) and may only remove lines up to its ``max_words``: furniture is short, a
story paragraph that happens to say "subscribe" is not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


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
