"""Stage 2, French typography: guillemets, spaces before punctuation, quote direction, numbers.

Each rule fires only on forms that English never uses, so correct English passes
through untouched ("3,500" and "10:30" are left alone; "3 500" and "3,5 millions" are not).
"""
from __future__ import annotations

import re

from .edits import Explained, Tracker, sub

_SP = "[ \u00a0\u202f\u2009]"   # space, no-break, narrow no-break, thin

_SPACES = " \u00a0\u202f\u2009"

# « text » -> "text" (curly when the text already uses curly double quotes).
_GUILLEMET_OPEN = re.compile(f"«{_SP}*")
_GUILLEMET_CLOSE = re.compile(f"{_SP}*»")
# "word ;" "word :" "word ?" "word !": the French space before high punctuation.
_SPACE_BEFORE_PUNCT = re.compile(f"{_SP}+([;:!?]+)")
# " text " with spaces inside both quotes.
_SPACED_QUOTES = re.compile(f'"{_SP}+([^"\\n]*?[^\\s"]){_SP}+"')
# Curly quotes facing the wrong way.
_OPEN_AS_CLOSE = re.compile(r"“(?=[\s.,;:!?)\]]|$)", re.M)
_CLOSE_AS_OPEN = re.compile(r"”(?=[\w‘'])")
# 650 000 -> 650,000 (groups of three digits split by spaces); keeps a decimal part.
_DIGIT_GROUPS = re.compile(f"[0-9]{{1,3}}(?:{_SP}[0-9]{{3}})+(?:,[0-9]+)?")
# 3,5 million / 0,75 / 2,5 % -> decimal point. Only 1-2 digits after the comma (1,500 is English).
_UNITS = (r"(?:million|billion|trillion|milliard|percent|per cent|degrees?|°|points?|km|kilomet(?:er|re)s?|kilos?|kilogram(?:me)?s?|gram(?:me)?s?|lit(?:er|re)s?|miles?|acres?|seconds?|minutes?|days?|weeks?|months?|barrels?|"
          r"kg|tonnes?|tons?|euros?|dollars?|pounds?|francs?|hours?|years?|times|metres?|meters?|m|cm|mm|"
          r"hectares?|children|people|inhabitants)")
_DECIMAL_COMMA = re.compile(
    f"(0),([0-9]+)(?![0-9,])|([0-9]{{1,3}}),([0-9]{{1,2}})(?![0-9,])(?={_SP}?{_UNITS}s?\\b|{_SP}?%)")
# "3.5 millions" -> "3.5 million"; "2 milliards" -> "2 billion".
_SCALE_PLURAL = re.compile(r"(?<=[0-9] )(million|billion|trillion)s\b(?! of\b)")
_MILLIARD = re.compile(r"(?<=[0-9] )milliards?\b")
_PERCENT = re.compile(f"{_SP}+%")
_NUMERO = re.compile(r"\b[nN]°\s?(?=[0-9])")


def _after_space_or_start(m: re.Match) -> bool:
    i = m.start()
    return i == 0 or m.string[i - 1].isspace() or m.string[i - 1] in "([«"


def _space_punct(m: re.Match) -> str | None:
    s, i, j = m.string, m.start(), m.end()
    if i == 0 or s[i - 1].isspace():
        return None
    if j < len(s) and not (s[j].isspace() or s[j] in '"”»)]'):
        return None                      # "a :b", emoticons, URLs
    if s[i - 1].isdigit() and ":" in m.group(1):
        return None                      # "a 3 : 1 ratio"
    return m.group(1)


def _spaced_quotes(m: re.Match) -> str | None:
    j = m.end()
    if not _after_space_or_start(m) or (j < len(m.string) and m.string[j] not in " \n.,;:!?)]"):
        return None
    return f'"{m.group(1)}"'


def _open_as_close(m: re.Match) -> str | None:
    i = m.start()
    return "”" if i > 0 and (m.string[i - 1].isalnum() or m.string[i - 1] in ".,!?;:…%") else None


def _close_as_open(m: re.Match) -> str | None:
    return "“" if _after_space_or_start(m) else None


def _percent(m: re.Match) -> str | None:
    i = m.start()
    return "%" if i > 0 and m.string[i - 1].isdigit() else None


def _guillemet(curly: bool, opening: bool) -> str:
    if curly:
        return "“" if opening else "”"
    return '"'


_MONTH_BEFORE = re.compile(r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.? ?\d{0,2}$")


def _group_digits(m: re.Match) -> str | None:
    s = m.group(0)
    text, i, j = m.string, m.start(), m.end()
    if (i and text[i - 1] in "0123456789.,") or (j < len(text) and text[j].isdigit()):
        return None
    if j + 1 < len(text) and text[j] == "," and text[j + 1].isdigit():
        return None
    if _MONTH_BEFORE.search(m.string, max(0, m.start() - 12), m.start()) and len(s.split()[0]) <= 2:
        return None  # "March 15 100 people": a date, then a number

    whole, _, dec = s.partition(",")
    out = ",".join(re.split(_SP, whole))
    return f"{out}.{dec}" if dec else out


def _decimal(m: re.Match) -> str | None:
    i = m.start()
    if i and m.string[i - 1] in "0123456789.,":
        return None
    if m.group(1) is not None:
        return f"{m.group(1)}.{m.group(2)}"
    return f"{m.group(3)}.{m.group(4)}"


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
    if "“" in t.text:
        t.apply(sub(_OPEN_AS_CLOSE, _open_as_close, t.text, "typography.quote_direction"))
    if "”" in t.text:
        t.apply(sub(_CLOSE_AS_OPEN, _close_as_open, t.text, "typography.quote_direction"))
    if any(c in t.text for c in ";:!?"):
        t.apply(sub(_SPACE_BEFORE_PUNCT, _space_punct, t.text, "typography.space_before_punctuation"))
    if '" ' in t.text:
        t.apply(sub(_SPACED_QUOTES, _spaced_quotes, t.text, "typography.spaces_inside_quotes"))
    t.apply(sub(_DIGIT_GROUPS, _group_digits, t.text, "typography.digit_groups"))
    if "," in t.text:
        t.apply(sub(_DECIMAL_COMMA, _decimal, t.text, "typography.decimal_comma"))
    if "illion" in t.text:
        t.apply(sub(_SCALE_PLURAL, r"\1", t.text, "typography.scale_plural"))
    if "illiard" in t.text:
        t.apply(sub(_MILLIARD, "billion", t.text, "typography.milliard"))
    if "%" in t.text:
        t.apply(sub(_PERCENT, _percent, t.text, "typography.percent_space"))
    if "°" in t.text:
        t.apply(sub(_NUMERO, "No. ", t.text, "typography.numero"))
    return t.result()
