"""Small text helpers shared by stages: folding for matching, sentence starts, case tests."""
from __future__ import annotations

import functools
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


# Folding goes through UTF-8 bytes: bytes.translate() is a fast C loop over the mostly-ASCII
# text, while str.lower() and regexes visit each character through Unicode tables. Only the
# few non-ASCII characters are folded one by one.
_UTF8 = ("utf-8", "surrogatepass")      # texts may hold lone surrogates
_ASCII = bytes(range(0x80))
_CONTINUATION = bytes(range(0x80, 0xc0))


def _byte_table(lower: bool) -> bytes:
    """ASCII hyphen -> space, backquote -> apostrophe, capitals -> small if ``lower``;
    UTF-8 lead bytes -> 0xff (never in UTF-8): with continuation bytes deleted, a text's
    bytes become one byte per character, 0xff for each non-ASCII one."""
    table = bytearray(range(0xc0)) + b"\xff" * 0x40
    table[ord("-")], table[ord("`")] = ord(" "), ord("'")
    if lower:
        table[ord("A"):ord("Z") + 1] = table[ord("a"):ord("z") + 1]
    return bytes(table)


_MARK_LOWER, _MARK_KEEP_CASE = _byte_table(True), _byte_table(False)


@functools.cache
def _fold_char(c: str) -> bytes:
    """What :func:`fold` makes of one non-ASCII character (lower-cased on its own), in UTF-8."""
    lo = c.lower()
    return (FOLD.get(ord(lo), lo) if ord(lo) > 0x7f else lo).encode(*_UTF8)


@functools.cache
def _fold_char_keep_case(c: str) -> bytes:
    """What :func:`fold_keep_case` makes of one non-ASCII character, in UTF-8."""
    return FOLD_KEEP_CASE.get(ord(c), c).encode(*_UTF8)


def _non_ascii(data: bytes) -> str:
    """The non-ASCII characters of UTF-8 ``data``, in order."""
    return data.translate(None, _ASCII).decode(*_UTF8)


def _fold_bytes(data: bytes, chars: str, table: bytes, fold_char) -> bytes:
    """UTF-8 ``data`` with its ASCII mapped by ``table`` (see :func:`_byte_table`) and
    its non-ASCII ``chars`` replaced by ``fold_char(c)`` (UTF-8)."""
    parts = data.translate(table, _CONTINUATION).split(b"\xff")
    out = [b""] * (2 * len(parts) - 1)
    out[::2] = parts
    out[1::2] = map(fold_char, chars)
    return b"".join(out)


def _lowers_alone(chars: str) -> bool:
    """True if ``str.lower()`` lower-cases each of ``chars`` on its own, to one character."""
    return "Σ" not in chars and all(len(c.lower()) == 1 for c in set(chars))


def fold(text: str) -> str:
    """Matching form: lower case, no diacritics, hyphens as spaces, one apostrophe.

    Same length as ``text``, so offsets carry over.

    >>> fold("Al-Qaïda’s KHAMENEÏ")
    "al qaida's khamenei"
    """
    if text.isascii():
        return text.lower().replace("-", " ").replace("`", "'")
    return fold_utf8(text).decode(*_UTF8)


def fold_utf8(text: str) -> bytes:
    """:func:`fold` in UTF-8 (lone surrogates passed through)."""
    if "İ" in text:                    # the one letter that lower-cases to two characters;
        text = text.replace("İ", "I")  # it folds to "i", as "I" does
    data = text.encode(*_UTF8)
    if text.isascii():
        return data.translate(_MARK_LOWER)
    chars = _non_ascii(data)
    if not _lowers_alone(chars):
        low = text.lower()             # final sigma depends on the next character
        if len(low) != len(text):      # a few letters lower-case to two characters
            return text.translate(FOLD).encode(*_UTF8)
        data = low.encode(*_UTF8)
        chars = _non_ascii(data)
    return _fold_bytes(data, chars, _MARK_LOWER, _fold_char)


def fold_keep_case(text: str) -> str:
    """Like :func:`fold`, but keeps case."""
    if text.isascii():
        return text.replace("-", " ").replace("`", "'")
    data = text.encode(*_UTF8)
    return _fold_bytes(data, _non_ascii(data), _MARK_KEEP_CASE, _fold_char_keep_case).decode(*_UTF8)


_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st gen col lt sgt capt maj prof sen rep gov jan feb mar apr jun jul aug sep sept "
    "oct nov dec no vs etc u.s u.n e.g i.e".split())
_LEAD = re.compile(r"[\s\"“”‘'(\[«—–-]*\Z")


def is_sentence_start(text: str, pos: int) -> bool:
    """True if ``pos`` begins a sentence (line start, or after . ! ? and spacing/quotes).

    >>> is_sentence_start("He left. Al-Assad", 9), is_sentence_start("Mr. Al-Assad", 4)
    (True, False)
    """
    if pos >= 2 and text[pos - 1] == " " and text[pos - 2].isalnum():
        return False                   # the common case, mid-sentence: no regex needed
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
    """At least two letters, all capitals.

    >>> is_all_caps("OSDH"), is_all_caps("Al-Qaïda"), is_all_caps("A"), is_all_caps("ÉTAT")
    (True, False, False, True)
    """
    if s.isascii():                    # ASCII letters are cased: isupper() says "no small letter"
        return s.isupper() and sum(map(str.isalpha, s)) >= 2
    letters = [c for c in s if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def capitalize_first(s: str) -> str:
    for i, c in enumerate(s):
        if c.isalpha():
            return s[:i] + c.upper() + s[i + 1:]
    return s
