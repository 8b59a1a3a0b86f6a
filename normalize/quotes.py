"""Stage 5, quotes and capitals.

- ``quotes.fragment_capital``: a quoted fragment that continues the sentence
  loses the capital the MT gave it (``against "Terrorists are``). A quote that
  starts a sentence, follows ``,``/``:``/a verb of saying, or starts with a
  proper noun, an acronym or "I" keeps it. A quoted single word is lowered only
  in a text that shows the defect on a longer fragment.
- ``quotes.al_article``: the Arabic article is written "al-" inside a name
  ("Bashar al-Assad"), except in names that keep "Al-" (``data/al_keep.txt``).
"""
from __future__ import annotations

import re

import regex

from . import data
from .edits import Edit, Explained, Tracker, sub


def _lower_words() -> frozenset[str]:
    return data.word_set("english_lowercase.txt")


# ---------------------------------------------------------------- capitals in quoted fragments

# One pattern per quote mark: re scans for a literal much faster than for a class.
_QUOTE_CAP = (re.compile(r'"(?=[A-Z])'), re.compile(r"“(?=[A-Z])"))
_FIRST_WORD = re.compile(r"[A-Z][a-z]*(?:['’][a-z]+)?\b")
_TAIL = re.compile(r"[^\"”\n]*")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
# Words after which a quotation continues a verb phrase, never starts a title:
# 'said it would "Restore order"', and after a form of "have", a past participle:
# 'accused of having "Sold Karabakh"' (but 'Netflix has "The Crown"').
_MODALS = frozenset("will would could should must can may might shall cannot".split())
_HAVE = frozenset("having has have had".split())
_PARTICIPLES = frozenset(
    "sold made taken given done gone seen lost won paid built left kept said told sent brought bought "
    "thought fought held led met put run set shot spent stood struck taught written broken chosen "
    "driven fallen forgotten hidden risen spoken stolen sworn thrown become begun found heard known "
    "meant read shown sought understood withdrawn overthrown undone".split())


def _continues_verb(prev: str, word: str) -> bool:
    prev, word = prev.lower(), word.lower()
    return prev in _MODALS or (prev in _HAVE and (word.endswith("ed") or word in _PARTICIPLES))
# Small words a title leaves in lower case ("Pride and Prejudice").
_TITLE_SMALL = frozenset("a an and as at but by for from in into of on or the to vs with".split())


def _word_before(text: str, i: int) -> str | None:
    """The word (letters, digits, "_", ")", "%") that spaces separate from ``text[i]``,
    looking back at most 40 characters; None if something else comes first."""
    lo = max(0, i - 40)
    k = i
    while k > lo and text[k - 1] in " \u00a0":
        k -= 1
    j = k
    while j > lo and (text[j - 1].isalnum() or text[j - 1] in "_)%"):
        j -= 1
    return text[j:k] if j < k < i else None


def _fragment_candidates(text: str):
    """(position of the capital, strong?) for each quoted fragment to lower."""
    lower = _lower_words()
    verbs = data.word_set("speech_verbs.txt")
    found = [q.start() for p in _QUOTE_CAP for q in p.finditer(text)]
    for i in sorted(found):
        if i < 2 or text[i - 1] not in " \u00a0":
            continue
        prev = _word_before(text, i)
        fw = _FIRST_WORD.match(text, i + 1)
        if prev is None or fw is None:
            continue                            # sentence start, or after , : ; ( etc.
        w = fw.group()
        if w == "I" or w.startswith(("I'", "I’")) or prev.lower() in verbs:
            continue
        if w.lower() not in lower and w.lower().replace("’", "'") not in lower:
            continue
        tail = _TAIL.match(text, fw.end()).group()
        rest = [x for x in _WORD.findall(tail)[:8] if x.lower() not in _TITLE_SMALL]
        if not rest:
            yield fw.start(), False             # one quoted word: weak evidence
        elif all(x[0].isupper() for x in rest) and not _continues_verb(prev, w):
            continue                            # a title or name: "Operation Olive Branch"
        else:
            yield fw.start(), True            # a sentence fragment: "Additional Patriot systems without"


def lower_fragment_capitals(text: str) -> list[Edit]:
    cands = list(_fragment_candidates(text))
    if not any(strong for _, strong in cands):
        return []
    return [Edit("quotes.fragment_capital", p, p + 1, text[p], text[p].lower()) for p, _ in cands]


# ---------------------------------------------------------------- al- inside names

_AL = regex.compile(r"(?<=\b(?P<prev>\p{Lu}\p{Ll}+) )(?P<art>Al|El)-(?P<name>\p{Lu}[\w’'-]*)")


def _al(m: re.Match) -> str | None:
    prev = m.group("prev")
    keep = data.word_set("al_keep.txt")
    name = f"{m.group('art')}-{m.group('name')}"
    if name in keep or name.split("’")[0].split("'")[0] in keep or f"Al-{m.group('name')}" in keep:
        return None
    if prev.lower() in _lower_words():
        return None          # "In Al-Raqqa", "The Al-Nusra Front": no name before it
    return m.group("art").lower() + "-" + m.group("name")


def fix_quotes(text: str, **_) -> Explained:
    """Repair quote defects and capitals left by French MT.

    >>> fix_quotes('He took the city, then against "Terrorists are here".').text
    'He took the city, then against "terrorists are here".'
    >>> fix_quotes('He said, "We will stay." Bashar Al-Assad agreed.').text
    'He said, "We will stay." Bashar al-Assad agreed.'
    """
    t = Tracker(text)
    if '"' in t.text or "“" in t.text:
        t.apply(lower_fragment_capitals(t.text))
    if "Al-" in t.text or "El-" in t.text:
        t.apply(sub(_AL, _al, t.text, "quotes.al_article"))
    return t.result()
