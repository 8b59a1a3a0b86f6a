"""Small text helpers shared by stages: folding for matching, sentence starts, case tests."""
from __future__ import annotations

import re
import unicodedata

_DASHES = "-\u2010\u2011"
_APOSTROPHES = "'’‘ʼ`´"


def _fold_tables() -> tuple[dict[int, str], dict[int, str]]:
    """Length-preserving tables: diacritics off, hyphen -> space, apostrophes -> '.

    The first also lowercases. Each character maps to exactly one character, so
    offsets in the folded text are offsets in the original.
    """
    keep_case: dict[int, str] = {}
    lower: dict[int, str] = {}
    for cp in range(0x20, 0x2100):
        c = chr(cp)
        f = c
        if c in _DASHES:
            f = " "
        elif c in _APOSTROPHES:
            f = "'"
        elif unicodedata.category(c) == "Zs":
            f = " "
        else:
            d = unicodedata.normalize("NFD", c)
            if len(d) > 1 and unicodedata.category(d[0]).startswith("L") and all(
                    unicodedata.combining(x) for x in d[1:]):
                f = d[0]
        lo = f.lower()
        lo = lo if len(lo) == 1 else f
        if f != c:
            keep_case[cp] = f
        if lo != c:
            lower[cp] = lo
    return keep_case, lower


FOLD_KEEP_CASE, FOLD = _fold_tables()


def _char_class(codepoints) -> str:
    """A regex character class for a set of code points, as compact ranges."""
    cps = sorted(codepoints)
    parts, i = [], 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        a, b = re.escape(chr(cps[i])), re.escape(chr(cps[j]))
        parts.append(a if i == j else f"{a}-{b}")
        i = j + 1
    return "[" + "".join(parts) + "]+"


# Runs of the non-ASCII characters folding changes (so "“" and "—" are not visited).
_FOLDABLE = re.compile(_char_class(cp for cp in FOLD if cp > 0x7f))
_FOLDABLE_KEEP_CASE = re.compile(_char_class(cp for cp in FOLD_KEEP_CASE if cp > 0x7f))


def fold(text: str) -> str:
    """Matching form: lower case, no diacritics, hyphens as spaces, one apostrophe.

    Same length as ``text``, so offsets carry over.

    >>> fold("Al-Qaïda’s KHAMENEÏ")
    "al qaida's khamenei"
    """
    low = text.lower()
    if len(low) != len(text):          # a few letters lower-case to two characters
        return text.translate(FOLD)
    low = low.replace("-", " ").replace("`", "'")
    if low.isascii():
        return low
    low = low.replace("’", "'")
    return _FOLDABLE.sub(lambda m: m.group().translate(FOLD), low)


def fold_keep_case(text: str) -> str:
    """Like :func:`fold`, but keeps case."""
    out = text.replace("-", " ").replace("`", "'")
    if out.isascii():
        return out
    out = out.replace("’", "'")
    return _FOLDABLE_KEEP_CASE.sub(lambda m: m.group().translate(FOLD_KEEP_CASE), out)


_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st gen col lt sgt capt maj prof sen rep gov jan feb mar apr jun jul aug sep sept "
    "oct nov dec no vs etc u.s u.n e.g i.e".split())
_LEAD = re.compile(r"[\s\"“”‘'(\[«—–-]*\Z")


def is_sentence_start(text: str, pos: int) -> bool:
    """True if ``pos`` begins a sentence (line start, or after . ! ? and spacing/quotes).

    >>> is_sentence_start("He left. Al-Assad", 9), is_sentence_start("Mr. Al-Assad", 4)
    (True, False)
    """
    window = text[max(0, pos - 40):pos]
    m = _LEAD.search(window)
    before = window[:m.start()] if m else window
    gap = window[len(before):]
    if not before:
        return pos - len(gap) <= 0 or "\n" in gap or max(0, pos - 40) == 0
    if "\n" in gap:
        return True
    if before[-1] in "!?…":
        return True
    if before[-1] == ".":
        word = re.search(r"([\w.]+)\.\Z", before)
        return not (word and word.group(1).lower() in _ABBREVIATIONS)
    return False


def is_all_caps(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def capitalize_first(s: str) -> str:
    for i, c in enumerate(s):
        if c.isalpha():
            return s[:i] + c.upper() + s[i + 1:]
    return s
