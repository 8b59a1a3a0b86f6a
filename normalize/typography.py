"""Stage 2, French typography: guillemets, spaces before punctuation, quote direction, numbers.

Each rule fires only on forms that English never uses, so correct English passes
through untouched ("3,500" and "10:30" are left alone; "3 500" and "3,5 millions" are not).
"""
from __future__ import annotations

import re

import regex

from . import data
from .edits import Edit, Explained, Tracker, sub

_SP = "[ \u00a0\u202f\u2009]"   # space, no-break, narrow no-break, thin

_SPACES = " \u00a0\u202f\u2009"

# Patterns start with a rare literal where they can (fast to scan for); the function
# given with each looks at the context around the match.

# « text » -> "text" (curly when the text already uses curly double quotes).
_GUILLEMET_OPEN = re.compile(f"«{_SP}*")
_GUILLEMET_CLOSE = re.compile("»")
# "word ;" "word :" "word ?" "word !": the French space before high punctuation. One
# pattern per mark, each led by the mark (a literal is much faster to scan for than a class).
_HIGH_PUNCT = [re.compile(f"{re.escape(p)}(?<={_SP}{re.escape(p)})") for p in ";:!?"]
# " text " with spaces inside both quotes.
_SPACED_QUOTES = re.compile(f'"{_SP}+([^"\\n]*?[^\\s"]){_SP}+"')
# Curly quotes facing the wrong way.
_OPEN_AS_CLOSE = re.compile(r"“(?=[\s.,;:!?)\]]|$)", re.M)
_CLOSE_AS_OPEN = re.compile(r"”(?=[\w‘'])")
# 650 000 -> 650,000 (groups of three digits split by spaces); keeps a decimal part.
_DIGIT_GROUPS = re.compile(f"[0-9]{{1,3}}(?:{_SP}[0-9]{{3}})+(?:,[0-9]+)?")
# Found at the digit before a separator: the regex module scans for this pattern five
# times faster than re scans for the separator.
_GROUP_SEP = regex.compile(f"[0-9](?={_SP}[0-9]{{3}}(?![0-9]))")
# 3,5 million / 0,75 / 2,5 % -> decimal point. Only 1-2 digits after the comma (1,500 is English).
_UNITS = (r"(?:million|billion|trillion|milliard|percent|per cent|degrees?|°|points?|km|kilomet(?:er|re)s?|"
          r"kilos?|kilogram(?:me)?s?|gram(?:me)?s?|lit(?:er|re)s?|miles?|acres?|seconds?|minutes?|days?|"
          r"weeks?|months?|barrels?|"
          r"kg|tonnes?|tons?|euros?|dollars?|pounds?|francs?|hours?|years?|times|metres?|meters?|m|cm|mm|"
          r"hectares?|children|people|inhabitants)")
_COMMA_DIGIT = re.compile(",(?=[0-9])")
_DECIMAL = re.compile(f"(?:(0),([0-9]+)|([0-9]{{1,3}}),([0-9]{{1,2}})(?={_SP}?{_UNITS}s?\\b|{_SP}?%"
                      f"|\\s(?:to|and|or|-|–)\\s[0-9]+(?:[.,][0-9]+)?{_SP}?(?:{_UNITS}s?\\b|%)))(?![0-9,])")
# "3.5 millions" -> "3.5 million"; "2 milliards" -> "2 billion".
_SCALE = re.compile(r"illions\b")
_MILLIARD = re.compile(r"illiards?\b")
_PERCENT = re.compile("%")
_NUMERO = re.compile(r"°\s?(?=[0-9])")
# "15 h 30", "3h30": found at the last digit of the hour (the regex module scans for a
# digit-led pattern fast), then the minutes.
_HOURS = regex.compile(r"[0-9](?:h([0-5][0-9])| h ([0-5][0-9]))(?![0-9A-Za-z])")


def _guillemet(curly: bool, opening: bool) -> str:
    if curly:
        return "“" if opening else "”"
    return '"'


_MONTH_BEFORE = re.compile(r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.? ?\d{0,2}$")


def _digit_groups(m: re.Match):
    """Found at a digit before a separator and three digits: look back for the number's start."""
    text = m.string
    i = m.start() + 1
    k = i
    while k > 0 and text[k - 1].isdigit() and i - k < 3:
        k -= 1
    if k == i:
        return None
    g = _DIGIT_GROUPS.match(text, k)
    if g is None or g.end() <= i:
        return None
    after = _group_digits(g)
    return None if after is None else (g.start(), g.end(), after)


def _group_digits(m: re.Match) -> str | None:
    s = m.group(0)
    text, i, j = m.string, m.start(), m.end()
    if (i and text[i - 1] in "0123456789.,") or (j < len(text) and text[j].isdigit()):
        return None
    if j + 1 < len(text) and text[j] == "," and text[j + 1].isdigit():
        return None
    if _MONTH_BEFORE.search(text, max(0, i - 12), i) and len(s.split()[0]) <= 2:
        return None  # "March 15 100 people": a date, then a number
    whole, _, dec = s.partition(",")
    out = ",".join(re.split(_SP, whole))
    return f"{out}.{dec}" if dec else out


def _spaces_before(text: str, i: int) -> int:
    """Start of the run of spaces (of any width) that ends at ``i``."""
    while i > 0 and text[i - 1] in _SPACES:
        i -= 1
    return i


def _after_space_or_start(m: re.Match) -> bool:
    i = m.start()
    return i == 0 or m.string[i - 1].isspace() or m.string[i - 1] in "([«"


def _guillemet_close(curly: bool):
    def repl(m: re.Match):
        return _spaces_before(m.string, m.start()), m.end(), _guillemet(curly, False)
    return repl


def _space_punct(m: re.Match):
    s, j = m.string, m.end()
    while j < len(s) and s[j] in ";:!?":
        j += 1
    i = _spaces_before(s, m.start())
    if i == 0 or s[i - 1].isspace():
        return None                      # no space before, or the line starts with it
    if j < len(s) and not (s[j].isspace() or s[j] in '"”»)]'):
        return None                      # "a :b", emoticons, URLs
    punct = s[m.start():j]
    if s[i - 1].isdigit() and ":" in punct:
        return None                      # "a 3 : 1 ratio"
    return i, j, punct


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


def _percent(m: re.Match):
    s = m.string
    i = _spaces_before(s, m.start())
    if i == m.start() or i == 0 or not s[i - 1].isdigit():
        return None
    return i, m.end(), "%"


def _decimal(m: re.Match):
    s = m.string
    i = m.start()
    while i > 0 and s[i - 1].isdigit():
        i -= 1
    if i > 0 and s[i - 1] in "0123456789.,":
        return None
    d = _DECIMAL.match(s, i)
    if not d or d.end() <= m.start():
        return None
    whole, frac = (d.group(1), d.group(2)) if d.group(1) is not None else (d.group(3), d.group(4))
    return d.start(), d.end(), f"{whole}.{frac}"


def _scale(m: re.Match):
    """"3.5 millions" -> "3.5 million", "2 milliards" -> "2 billion" (after a number only)."""
    s = m.string
    i = m.start()
    word_start = i - 2 if s[i - 2:i] == "tr" else i - 1
    if word_start < 2 or s[word_start - 1] != " " or not s[word_start - 2].isdigit():
        return None
    word = s[word_start:m.end()]
    if word.startswith(("milliard", "Milliard")):
        return word_start, m.end(), "billion"
    if word[0] not in "mbt":
        return None
    if s.startswith(" of ", m.end()):   # "2 millions of people" -> "2 million people"
        nxt = _NEXT_WORD.match(s, m.end() + 4)
        if nxt is None or nxt.group(1).lower() in _OF_KEPT:
            return word_start, m.end(), word[:-1]        # "2 million of them"
        return word_start, m.end() + 3, word[:-1]
    return word_start, m.end(), word[:-1]


_NEXT_WORD = re.compile(r"([A-Za-z]+)")
# After "2 million of", these words mean a part of a whole: "of them", "of the 5 million".
_OF_KEPT = frozenset("the them those these its their his her our your us you whom which what".split())


def _hours(m: re.Match):
    """French clock times: "15 h 30", "3h30" -> "15:30", "3:30"."""
    s, d = m.string, m.start()           # d: the hour's last digit
    k = d - 1 if d > 0 and s[d - 1].isdigit() else d
    if (k > 0 and (s[k - 1].isalnum() or s[k - 1] in ".,:")) or int(s[k:d + 1]) > 23:
        return None
    j = d + 1
    minutes = m.group(1) or m.group(2)
    return k, m.end(), f"{s[k:j]}:{minutes}"


def _numero(m: re.Match):
    i = m.start()
    if i == 0 or m.string[i - 1] not in "nN" or (i > 1 and m.string[i - 2].isalnum()):
        return None
    return i - 1, m.end(), "No. "


# A stray apostrophe left by French elision ("take over 'a strategic city", from "d'une") is
# removed when nothing in the paragraph could close it as a quotation. It runs here, early,
# because the words it frees may need other rules ("650 'millions").

_STRAY = {q: re.compile(rf"{q}(?<=\s{q})(?=([^\W\d_]+)\b)") for q in "'‘’"}   # after a space
_CLOSER = re.compile(r"(?<=[^\s])['’](?=[\s.,;:!?)\"”]|$)", re.M)


def _paragraph_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end < 0 else end


# French "d'" before a noun phrase is "of" after a noun ("la mort d'un enfant" -> "the death
# 'a child" -> "the death of a child") and nothing after a verb or particle ("s'emparer d'une
# ville" -> "take over 'a city" -> "take over a city"). A word right after a determiner is
# taken as a noun.
_DETERMINERS = frozenset("the a an this that these those its their his her our my your each every "
                         "no any some another".split())
_PARTICLES = frozenset("over than about nearly almost some out up off by to from with for of in on at into "
                       "onto around approximately roughly only just even not also".split())
_PREV_WORDS = re.compile(r"([A-Za-z]+)\s+([A-Za-z]+)?\s*([A-Za-z]+)\s+\Z")


def _stray(m: re.Match):
    text = m.string
    i = m.start()
    if i == 0 or not text[i - 1].isspace():
        return None
    j = i - 1
    while j >= 0 and text[j] in " \t\u00a0":
        j -= 1
    if j < 0 or not text[j].isalnum():
        return None     # at a line start, or after ":" or ",": where a quotation may open
    if m.group(1).lower() in data.word_set("apostrophe_words.txt"):
        return None
    end = _paragraph_end(text, m.end())
    for c in _CLOSER.finditer(text, m.end(), end):
        after = text[c.end():c.end() + 1]
        if text[c.start() - 1] not in "sS" or after not in (" ", "\u00a0", "\t"):
            return None   # a closing quote; but "rebels' positions" is a possessive
    return "of " if _after_noun(text, i) or _gerund_after_name(text, i, m.group(1)) else ""


# French elisions the MT left in front of an English word: "the reconstruction d'an
# enclave" -> "of an enclave", "said qu'no one" -> "that no one", "l'army" -> "the army". French set phrases that
# English keeps ("hors d'oeuvre", "objet d'art", "tour d'horizon") are left alone.
# Found at the apostrophe (a literal: fast to scan for), then looked back from.
_ELIDED = {q: re.compile(rf"{q}(?:(?<=[dDlL]{q})|(?<=[qQ]u{q}))(?=[a-z]+\b)") for q in "'’"}
_NEXT_LOWER = re.compile(r"[a-z]+")
_FRENCH_HEADS = frozenset("hors chef chefs maître maitre chargé chargée charge coup coups raison objet objets "
                          "tour table crème creme cordon pièce piece hôtel hotel maison château chateau côte "
                          "cote salle bande haute mot trompe prix légion legion "
                          "de à du des le la les et sur pour dans par en".split())
_FRENCH_TAILS = frozenset("oeuvre oeuvres art horizon accord esprit honneur amour arc etat".split())


_ELISION_RULES = {"of ": "typography.elision_of", "that ": "typography.elision_that",
                  "the ": "typography.elision_the", "The ": "typography.elision_the"}


def _french_elision(m: re.Match):
    s, j = m.string, m.start()           # j: the apostrophe
    i = j - 1 if s[j - 1] in "dDlL" else j - 2
    if i and (s[i - 1].isalnum() or s[i - 1] in "'’-"):
        return None                      # inside a word
    word = _NEXT_LOWER.match(s, m.end()).group()
    if word not in data.word_set("english_lowercase.txt") or word in _FRENCH_TAILS:
        return None
    before = re.findall(r"[^\W\d_]+", s[max(0, i - 30):i])
    if before and before[-1].lower() in _FRENCH_HEADS:
        return None
    if s[i] in "qQ":
        return i, m.end(), "that "
    if s[i] in "lL":
        return i, m.end(), "the " if s[i] == "l" else "The "
    return i, m.end(), "of " if _after_noun(s, i) or _gerund_after_name(s, i, word) else ""


def _gerund_after_name(text: str, i: int, word: str) -> bool:
    """'accuses Rwanda ’supporting' (French "accuse le Rwanda d'appuyer"): a gerund right
    after a name, itself after a lower-case word, takes "of"."""
    if len(word) < 5 or not word.endswith("ing"):
        return False
    words = re.findall(r"[A-Za-z]+", text[max(0, i - 60):i])[-2:]
    return len(words) == 2 and words[1][0].isupper() and words[0][0].islower()


def _after_noun(text: str, i: int) -> bool:
    words = re.findall(r"[A-Za-z]+", text[max(0, i - 60):i])[-3:]
    if not words or words[-1].lower() in _PARTICLES or words[-1].lower() in _DETERMINERS:
        return False
    return any(w.lower() in _DETERMINERS for w in words[:-1][-2:])


# A closing quote the MT lost, gluing two words: ``operationsHe wrote`` inside an open
# quotation becomes ``operations" He wrote``. It runs here, before the glossary, because
# it changes where words begin.

_GLUED = re.compile(r"\b([A-Za-z][a-z]+)([.!?,;]?)([A-Z][a-z]*)\b")


# Where two words may be glued: a capital right after a lower-case letter, or after one
# and a punctuation mark. Rare in prose; the regex module finds them fast.
_GLUE_POINT = regex.compile(r"[A-Z](?<=[a-z][.!?,;]?[A-Z])")


def restore_lost_quotes(text: str, starts: list[int] | None = None) -> tuple[list[Edit], list[int]]:
    """Edits for glued words after an unclosed quotation, line by line, and the starts
    of the lines they change in the new text. ``starts``: the lines to look at (default:
    every line with a glue point)."""
    if starts is None:
        starts = sorted({text.rfind("\n", 0, m.start()) + 1 for m in _GLUE_POINT.finditer(text)})
    edits: list[Edit] = []
    changed, shift = [], 0
    for start in starts:
        end = text.find("\n", start)
        line = text[start:] if end < 0 else text[start:end]
        if (('"' in line and line.count('"') % 2) or ("“" in line and line.count("“") > line.count("”"))):
            found = sub(_GLUED, _lost_quote, line, "typography.lost_closing_quote")
            if found:
                changed.append(start + shift)
                shift += sum(len(e.after) - len(e.before) for e in found)
                edits += [e.shifted(start) for e in found]
    return edits, changed


def _lost_quote(m: re.Match) -> str | None:
    text = m.string
    line_start = text.rfind("\n", 0, m.start()) + 1
    before = text[line_start:m.start()]
    opened = before.count('"') % 2 == 1 or before.count("“") > before.count("”")
    if not opened:
        return None
    if not m.group(2):
        # "operationsHe": both must be known words (brands like "iPhone" stay). With the
        # punctuation ("suffer.Khaled", "said,He") the glue alone is enough.
        lower = data.word_set("english_lowercase.txt")
        capitalized = data.word_set("english_capitalized.txt")
        first, second = m.group(1), m.group(3)
        if (first.lower() not in lower and first not in capitalized) or (
                second.lower() not in lower and second not in capitalized):
            return None
    close = "”" if "“" in before else '"'
    return f"{m.group(1)}{m.group(2)}{close} {m.group(3)}"


def fix_typography(text: str, **_) -> Explained:
    """Turn French typographic conventions into English ones.

    >>> fix_typography("Il a dit « non » ; 650 000 personnes, 3,5 millions d'euros, 70 %").text
    'Il a dit "non"; 650,000 personnes, 3.5 million euros, 70%'
    >>> fix_typography("At 10:30, 1,500 people said: yes; 3.5 million left?").edits
    []
    """
    t = Tracker(text)
    stray = [p for q, p in _STRAY.items() if q in text]
    if stray:
        t.apply([e if e.after == "" else Edit("typography.elision_of", e.start, e.end, e.before, e.after)
                 for e in sub(stray, _stray, t.text, "typography.elision_apostrophe")])
    elided = [p for q, p in _ELIDED.items() if q in t.text]
    if elided:
        t.apply([e if e.after == "" else Edit(_ELISION_RULES[e.after], e.start, e.end, e.before, e.after)
                 for e in sub(elided, _french_elision, t.text, "typography.elision_apostrophe")])
    if "«" in text or "»" in text:
        curly = "“" in text or "”" in text
        t.apply(sub(_GUILLEMET_OPEN, lambda m: _guillemet(curly, True), t.text, "typography.guillemets"))
        t.apply(sub(_GUILLEMET_CLOSE, _guillemet_close(curly), t.text, "typography.guillemets"))
    if "“" in t.text:
        t.apply(sub(_OPEN_AS_CLOSE, _open_as_close, t.text, "typography.quote_direction"))
    if "”" in t.text:
        t.apply(sub(_CLOSE_AS_OPEN, _close_as_open, t.text, "typography.quote_direction"))
    # Before the number rules: it changes where words end. After the quotes are settled.
    if '"' in t.text or "“" in t.text:
        lines = None
        for _ in range(3):            # a restored quote can free the next glued pair
            found, lines = restore_lost_quotes(t.text, lines)
            if not found:
                break
            t.apply(found)
    t.apply(sub(_HIGH_PUNCT, _space_punct, t.text, "typography.space_before_punctuation"))
    if '" ' in t.text or '"\u00a0' in t.text:
        t.apply(sub(_SPACED_QUOTES, _spaced_quotes, t.text, "typography.spaces_inside_quotes"))
    t.apply(sub(_GROUP_SEP, _digit_groups, t.text, "typography.digit_groups"))
    t.apply(sub(_COMMA_DIGIT, _decimal, t.text, "typography.decimal_comma"))
    t.apply(sub(_SCALE, _scale, t.text, "typography.scale_plural"))
    t.apply(sub(_MILLIARD, _scale, t.text, "typography.milliard"))
    t.apply(sub(_PERCENT, _percent, t.text, "typography.percent_space"))
    if "°" in t.text:
        t.apply(sub(_NUMERO, _numero, t.text, "typography.numero"))
    t.apply(sub(_HOURS, _hours, t.text, "typography.clock_time"))
    return t.result()
