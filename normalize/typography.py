"""Stage 2, French typography: guillemets, spaces before punctuation, quote direction, numbers.

Each rule fires only on forms that English never uses, so correct English passes
through untouched ("3,500" and "10:30" are left alone; "3 500" and "3,5 millions" are not).
"""
from __future__ import annotations

import re

from .edits import Explained, Tracker, sub

_SP = "[ \u00a0\u202f\u2009]"   # space, no-break, narrow no-break, thin

# « text » -> "text" (curly when the text already uses curly double quotes).
_GUILLEMET_OPEN = re.compile(f"«{_SP}*")
_GUILLEMET_CLOSE = re.compile(f"{_SP}*»")
# "word ;" "word :" "word ?" "word !": the French space before high punctuation.
_SPACE_BEFORE_PUNCT = re.compile(
    f"(?<=[^\\s\\d]){_SP}+([;:!?]+)(?=[\\s\"”»)\\]]|$)|(?<=\\d){_SP}+([;!?]+)(?=[\\s\"”»)\\]]|$)",
    re.M)
# " text " with spaces inside both quotes.
_SPACED_QUOTES = re.compile(f'(?:(?<=^)|(?<=[\\s(\\[]))"{_SP}+([^"\\n]*?[^\\s"]){_SP}+"(?=[\\s.,;:!?)\\]]|$)',
                            re.M)
# Curly quotes facing the wrong way.
_OPEN_AS_CLOSE = re.compile(r"(?<=[\w.,!?;:…%])“(?=[\s.,;:!?)\]]|$)", re.M)
_CLOSE_AS_OPEN = re.compile(r"(?:(?<=^)|(?<=[\s(\[]))”(?=[\w‘'])", re.M)
# 650 000 -> 650,000 (groups of three digits split by spaces); keeps a decimal part.
_DIGIT_GROUPS = re.compile(f"(?<![\\d.,])\\d{{1,3}}(?:{_SP}\\d{{3}})+(?:,\\d+)?(?![\\d])(?!,\\d)")
# 3,5 million / 0,75 / 2,5 % -> decimal point. Only 1-2 digits after the comma (1,500 is English).
_UNITS = (r"(?:million|billion|trillion|milliard|%|percent|per cent|degrees?|°|points?|km|kilomet(?:er|re)s?|"
          r"kg|tonnes?|tons?|euros?|dollars?|pounds?|francs?|hours?|years?|times|metres?|meters?|m|cm|mm|"
          r"hectares?|children|people|inhabitants)")
_DECIMAL_COMMA = re.compile(
    f"(?<![\\d.,])(?:(0),(\\d+)|(\\d{{1,3}}),(\\d{{1,2}})(?={_SP}?{_UNITS}s?\\b|{_SP}?%))(?![\\d,])")
# "3.5 millions" -> "3.5 million"; "2 milliards" -> "2 billion".
_SCALE_PLURAL = re.compile(r"(?<=\d )(million|billion|trillion)s\b(?! of\b)")
_MILLIARD = re.compile(r"(?<=\d )milliards?\b")
_PERCENT = re.compile(f"(?<=\\d){_SP}+%")
_NUMERO = re.compile(r"\b[nN]°\s?(?=\d)")


def _guillemet(curly: bool, opening: bool) -> str:
    if curly:
        return "“" if opening else "”"
    return '"'


_MONTH_BEFORE = re.compile(r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.? ?\d{0,2}$")


def _group_digits(m: re.Match) -> str | None:
    s = m.group(0)
    if _MONTH_BEFORE.search(m.string, max(0, m.start() - 12), m.start()) and len(s.split()[0]) <= 2:
        return None  # "March 15 100 people": a date, then a number

    whole, _, dec = s.partition(",")
    out = ",".join(re.split(_SP, whole))
    return f"{out}.{dec}" if dec else out


def _decimal(m: re.Match) -> str:
    if m.group(1) is not None:
        return f"{m.group(1)}.{m.group(2)}"
    return f"{m.group(3)}.{m.group(4)}"


def _space_punct(m: re.Match) -> str:
    return m.group(1) or m.group(2)


def fix_typography(text: str, **_) -> Explained:
    """Turn French typographic conventions into English ones.

    >>> fix_typography("Il a dit « non » ; 650 000 personnes, 3,5 millions d'euros, 70 %").text
    'Il a dit "non"; 650,000 personnes, 3.5 million d\\'euros, 70%'
    >>> fix_typography("At 10:30, 1,500 people said: yes; 3.5 million left?").edits
    []
    """
    t = Tracker(text)
    if "«" in text or "»" in text:
        curly = "“" in text or "”" in text
        t.apply(sub(_GUILLEMET_OPEN, lambda m: _guillemet(curly, True), t.text, "typography.guillemets"))
        t.apply(sub(_GUILLEMET_CLOSE, lambda m: _guillemet(curly, False), t.text, "typography.guillemets"))
    t.apply(sub(_SPACE_BEFORE_PUNCT, _space_punct, t.text, "typography.space_before_punctuation"))
    if '"' in t.text:
        t.apply(sub(_SPACED_QUOTES, r'"\1"', t.text, "typography.spaces_inside_quotes"))
    if "“" in t.text or "”" in t.text:
        t.apply(sub(_OPEN_AS_CLOSE, "”", t.text, "typography.quote_direction"))
        t.apply(sub(_CLOSE_AS_OPEN, "“", t.text, "typography.quote_direction"))
    t.apply(sub(_DIGIT_GROUPS, _group_digits, t.text, "typography.digit_groups"))
    if "," in t.text:
        t.apply(sub(_DECIMAL_COMMA, _decimal, t.text, "typography.decimal_comma"))
    t.apply(sub(_SCALE_PLURAL, r"\1", t.text, "typography.scale_plural"))
    t.apply(sub(_MILLIARD, "billion", t.text, "typography.milliard"))
    t.apply(sub(_PERCENT, "%", t.text, "typography.percent_space"))
    if "°" in t.text:
        t.apply(sub(_NUMERO, "No. ", t.text, "typography.numero"))
    return t.result()
