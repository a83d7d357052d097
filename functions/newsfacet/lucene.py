"""Lucene regular expressions built from text people or documents give. Pure.

OpenSearch's ``regexp`` queries and ``include`` patterns take Lucene syntax;
text put into one must never become an operator.
"""

from __future__ import annotations


def case_blind_literal(text: str) -> str:
    """A Lucene regexp matching ``text`` exactly, ignoring case, every character escaped.

    Letters match in either case, one character class each; anything else that
    is not a letter or digit is escaped.
    """
    out = []
    for char in text:
        lower, upper = char.lower(), char.upper()
        if lower != upper and len(lower) == 1 and len(upper) == 1:
            out.append(f"[{lower}{upper}]")
        elif char.isalnum():
            out.append(char)
        else:
            out.append("\\" + char)
    return "".join(out)


def literal(text: str) -> str:
    """A Lucene regexp matching ``text`` exactly (case kept), every other character escaped."""
    return "".join(c if c.isalnum() else "\\" + c for c in text)
