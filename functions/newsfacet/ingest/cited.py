"""Outlets a text cites as its sources, kept apart from the outlet that published it.

"verified by New York Times", "the FT wrote", "Reuters reported", "told TASS":
an outlet name counts only next to a verb or phrase of attribution, so
"Wall Street Journal reporter Evan Gershkovich" cites nobody.
"""

from __future__ import annotations

import re
from functools import lru_cache

from newsfacet.ingest.outlets import outlet_aliases

_BEFORE = (
    r"(?:according to|verified by|reported by|confirmed by|obtained by|seen by|cited by|"
    r"quoted by|reviewed by|published by|first reported by|analy[sz]ed by|"
    r"told|telling|in an interview with|speaking to|spoke to|speaking with|writing in|wrote in|"
    r"reported in|published in|statements? to|quoted in|cited in|report(?:ed)? (?:in|by))"
)
_AFTER = (
    r"(?:reported|reports|has reported|had reported|said|says|wrote|writes|has written|"
    r"verified|has verified|confirmed|has confirmed|identified|quoted|quotes|cited|cites|"
    r"found|learned|revealed|reveals|obtained|analy[sz]ed|was able to (?:confirm|verify)|"
    r"could not (?:immediately |independently )?(?:verify|confirm)|noted|notes|added|"
    r"published|broke the news|was told)"
)
# A descriptor may sit between the name and the verb: "Interfax news agency reported".
_DESCRIPTOR = r"(?:\s+(?:news agency|agency|newspaper|daily|broadcaster|website|outlet|"
_DESCRIPTOR += r"TV|television|radio|magazine))?"


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], dict[str, str]]:
    aliases = outlet_aliases()
    # Longest names first, so "Kyiv Independent" wins over "Independent".
    names = sorted(aliases, key=len, reverse=True)
    alternation = "|".join(re.escape(name) for name in names)
    # Names are matched case-sensitively: "AP" and "RIA" must not hit "ap"/"ria".
    name = rf"(?<![\w-])({alternation})(?![\w-])"
    pattern = re.compile(
        rf"(?i:{_BEFORE})\s+(?:(?i:the)\s+)?(?:[\w’'-]+\s+){{0,3}}?{name}"
        rf"|{name}(?:\s*\([^)]{{1,30}}\))?(?i:{_DESCRIPTOR})(?:,[^,]{{1,60}},)?\s+(?i:{_AFTER})\b"
    )
    return pattern, aliases


def find_cited_outlets(text: str, *, publisher: str | None = None) -> list[str]:
    """Domains of the outlets ``text`` attributes information to, in order of first citation.

    Args:
        text: the cleaned body.
        publisher: the publishing outlet's domain; never listed as cited.
    """
    pattern, aliases = _patterns()
    found: list[str] = []
    for match in pattern.finditer(text):
        name = next(group for group in match.groups() if group)
        domain = aliases[name]
        if domain != publisher and domain not in found:
            found.append(domain)
    return found
