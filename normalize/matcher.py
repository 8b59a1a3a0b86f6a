"""One-pass, leftmost-longest, whole-word matching of many glossary entries.

Word entries go into an Aho-Corasick automaton run over the *word form* of a folded
copy of the text (same length as the text, so offsets carry over): every character
but an ASCII letter or digit made a space. Keys are padded with a space where they
begin or end with a letter or digit, so "ei" is not found in "their". Hits are then
checked against the folded text (and, for acronyms and ``case=exact``, against the
text as written). The same pass finds the words regular-expression entries require
(each such entry then runs, under a time limit, only on the lines holding one of its
words) and the phrases of word contexts (rare, so cheaper there than searched for one
by one). One pass costs far more than the hits it yields, hence a single automaton.
"""
from __future__ import annotations

import re
from collections import defaultdict
from operator import itemgetter

import ahocorasick

from .textutil import fold, fold_keep_case, fold_utf8

REGEX_TIMEOUT = 0.5   # seconds, per regular-expression entry and text

# UTF-8 bytes -> word form: ASCII letters and digits kept, other ASCII and lead bytes a space.
_WORD_BYTES = bytes(b if b < 0x80 and chr(b).isalnum() else 0x20 for b in range(256))
_CONTINUATION = bytes(range(0x80, 0xc0))


def _word_form(s: str | bytes) -> str:
    """``s`` (or its UTF-8) with every character but an ASCII letter or digit made a space.

    >>> _word_form("l'onu, “ca” x2")
    'l onu   ca  x2'
    """
    data = s if isinstance(s, bytes) else s.encode("utf-8", "surrogatepass")
    return data.translate(_WORD_BYTES, _CONTINUATION).decode("ascii")


def _word_forms(keys: list[str]) -> list[str]:
    """:func:`_word_form` of each key, in one call (it keeps lengths)."""
    joined = _word_form("\n".join(keys))
    forms, pos = [], 0
    for k in keys:
        forms.append(joined[pos:pos + len(k)])
        pos += len(k) + 1
    return forms


def _pattern(key: str, form: str, whole_word: bool) -> str:
    """What the automaton looks for, given a key and its word form: the form, padded with a
    space on each side that begins or ends with a letter or digit if ``whole_word``.
    Otherwise (a substring) from its first space on, if a word follows: patterns that
    begin with a space cost the automaton little, all the others make it slower on every
    letter of the text.

    >>> _pattern("al-qaida", "al qaida", True), _pattern("u.s.", "u s ", True)
    (' al qaida ', ' u s ')
    >>> _pattern("west bank", "west bank", False)
    ' bank'
    """
    if whole_word:
        return (" " if key[0].isalnum() else "") + form + (" " if key[-1].isalnum() else "")
    space = form.find(" ")
    return form[space:] if space > 0 and form[space:].strip() else form


class Matcher:
    def __init__(self, entries):
        self.entries = entries
        self._built: dict[int, object] = {}
        n = len(entries)
        self.exact: dict[int, str] = {}                          # entry index -> case-kept key
        self.regexes: list[tuple[int, frozenset[int] | None]] = []   # entry index, required word indices
        word_index: dict[str, int] = {}
        whole = []                                               # word entries
        for idx, e in enumerate(entries):
            if e.match == "regex":
                words = _required_words(e.source)
                if words is not None:
                    words = frozenset(word_index.setdefault(w, len(word_index)) for w in words)
                self.regexes.append((idx, words))
                continue
            whole.append(idx)
            if e.effective_case == "exact":
                self.exact[idx] = fold_keep_case(e.source)
        context = set()
        for e in entries:
            for w in getattr(e._context_re, "words", ()):
                if " " in w:
                    word_index.setdefault(w, len(word_index))
                    context.add(w)
        self.context_words = sorted(context)   # looked for by the automaton: absent if not hit
        self.words = list(word_index)          # words regexes require, context phrases
        # A hit at index j of " " + word form ends the key at j - tail in the text.
        self.tail = [1 if e.match == "word" and e.key[-1].isalnum() else 0 for e in entries]
        self.tail += [0] * len(self.words)
        # Keys of ASCII letters, digits and nothing else: a hit needs no check against the text.
        self.plain_key = [e.match == "word" and e.key.isascii() and e.key.isalnum() for e in entries]
        # Automaton values: an entry's index, n + a word's index, or for a pattern several
        # of those share, n + len(words) + its index in self.shared.
        items = whole + list(range(n, n + len(self.words)))
        keys = [entries[i].key for i in whole] + self.words
        values: dict[str, int] = {}
        self.shared: list[tuple[int, ...]] = []
        limit = n + len(self.words)
        for item, key, form in zip(items, keys, _word_forms(keys)):
            pattern = _pattern(key, form, item < n)
            value = values.setdefault(pattern, item)
            if value < limit and value != item:
                values[pattern] = limit + len(self.shared)
                self.shared.append((value, item))
            elif value >= limit:
                self.shared[value - limit] += (item,)
        self.automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        for pattern, value in values.items():
            self.automaton.add_word(pattern, value)
        if len(self.automaton):
            self.automaton.make_automaton()

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k not in ("entries", "_built")}

    def __setstate__(self, state, entries=None):
        self.__dict__.update(state)
        self.entries = entries
        self._built = {}

    def _entry(self, idx: int):
        """``self.entries[idx]``, kept at hand in ``self._built`` (the entries of a cached
        glossary are built on first use, behind a slower lookup)."""
        e = self._built.get(idx)
        if e is None:
            e = self._built[idx] = self.entries[idx]
        return e

    def find(self, text: str) -> list[tuple[int, int, object, str | None]]:
        """Non-overlapping matches ``(start, end, entry, target_or_None)``, in order."""
        folded_utf8 = fold_utf8(text)
        folded = folded_utf8.decode("utf-8", "surrogatepass")
        word_starts: dict[int, list[int]] = defaultdict(list)    # only the words found
        cands = self._word_matches(text, folded, folded_utf8, word_starts) if len(self.automaton) else []
        found_words = dict.fromkeys(self.context_words, ())
        found_words.update((self.words[i], starts) for i, starts in word_starts.items())
        for idx, words in self.regexes:
            spans = _lines_with(folded, words, word_starts)
            if not spans:
                continue               # (and its regex is not even compiled)
            e = self._entry(idx)
            try:
                for start, end in spans:
                    for m in e._regex.finditer(text, start, end, timeout=REGEX_TIMEOUT):
                        if m.end() > m.start():
                            cands.append((m.start(), m.end(), e, m.expand(e.target)))
            except TimeoutError:   # the regex module raises the builtin
                from .glossary import GlossaryError
                raise GlossaryError([f"{e.where}: regular expression took too long (over {REGEX_TIMEOUT} s); "
                                     f"simplify it (avoid nested repeats like (a+)+)"]) from None
        if not cands:
            return []
        cands.sort(key=itemgetter(1), reverse=True)    # longest first among equal starts:
        cands.sort(key=itemgetter(0))                  # (both sorts stable)
        out = []
        last = -1
        para_cache: dict[tuple[int, int], bool] = {}
        for c in cands:
            if c[0] < last:
                continue
            e = c[2]
            if e._context_re is not None and not _context_ok(text, folded, c[0], c[1], e, para_cache,
                                                             found_words):
                continue
            out.append(c)
            last = c[1]
        return out

    def _word_matches(self, text: str, folded: str, folded_utf8: bytes,
                      word_starts: dict[int, list[int]]) -> list[tuple]:
        """Whole-word matches of the word entries; where required words start, by word."""
        cands = []
        n, words, exacts, built = len(self.entries), self.words, self.exact, self._built
        shared, tail, plain_key = self.shared, self.tail, self.plain_key
        limit = n + len(words)
        size = len(folded)
        for j, value in self.automaton.iter(" " + _word_form(folded_utf8) + " "):
            for idx in (value,) if value < limit else shared[value - limit]:
                end = j - tail[idx]
                if idx >= n:           # a word regexes require, or a context phrase
                    w = words[idx - n]
                    if end >= len(w) and folded.startswith(w, end - len(w)):
                        word_starts[idx - n].append(end - len(w))
                    continue
                e = built.get(idx) or self._entry(idx)
                start = end - len(e.key)
                if not plain_key[idx] and (start < 0 or folded[start:end] != e.key):
                    continue           # the word form matched, the folded text does not
                # whole words: no letter or digit may continue the match on either side
                if start and folded[start - 1].isalnum() and folded[start].isalnum():
                    continue
                if end < size and folded[end].isalnum() and folded[end - 1].isalnum():
                    continue
                exact = exacts.get(idx)
                if exact is not None:
                    span = fold_keep_case(text[start:end])
                    if span != exact and span != exact.upper():
                        continue
                cands.append((start, end, e, None))
        return cands


def _lines_with(folded: str, words: frozenset[int] | None, word_starts: dict[int, list[int]]):
    """The lines of the text where one of ``words`` starts (the whole text if None)."""
    if not words:
        return [(0, len(folded))]
    if len(words) > len(word_starts):        # many required words (pairs), few found
        starts = sorted(p for w, ps in word_starts.items() if w in words for p in ps)
    else:
        starts = sorted(p for w in words for p in word_starts.get(w, ()))
    spans: list[tuple[int, int]] = []
    for p in starts:
        if spans and p < spans[-1][1]:
            continue                   # in the line just found
        s = folded.rfind("\n", 0, p) + 1
        e = folded.find("\n", p)
        spans.append((s, len(folded) if e < 0 else e))
    return spans


_PLAIN_ALTERNATION = re.compile(r"\((?:\?:)?([A-Za-z ]+(?:\|[A-Za-z ]+)+)\)(?![?*{])")


def _required_words(pattern: str) -> list[str] | None:
    """Words one of which every match contains, folded: the longest plain literal, else the
    alternatives of the first mandatory group of plain words. None if unknown.

    >>> _required_words(r"\\bthe (ally|allies) (Russian|Iranian)\\b")
    [' ally russian', ' ally iranian', ' allies russian', ' allies iranian']
    """
    literal = _required_literal(pattern)
    if literal:
        return [literal]
    depth_zero = re.sub(r"\\.", "", pattern)
    if "|" in re.sub(r"\([^()]*\)", "", depth_zero):
        return None                    # alternation at the top level
    m = _PLAIN_ALTERNATION.search(pattern)
    if m and _depth(pattern, m.start()) == 0:
        alts = [fold(a.strip()) for a in m.group(1).split("|")]
        # Two groups in a row, "(army|president) (Iranian|Turkish)": every match holds one
        # of the pairs, which are much rarer than the words alone.
        m2 = _PLAIN_ALTERNATION.match(pattern, m.end() + 1) if pattern[m.end():m.end() + 1] == " " else None
        if m2:
            second = [fold(a.strip()) for a in m2.group(1).split("|")]
            if len(alts) * len(second) <= 20_000:
                # After a space in the pattern, the pair is looked for with that space: a
                # pattern of its own in the automaton, not one shared by all the pairs.
                lead = " " if pattern[m.start() - 1:m.start()] == " " else ""
                return [f"{lead}{a} {b}" for a in alts for b in second]
        if all(len(a) >= 3 for a in alts):
            return alts
    return None


def _depth(pattern: str, pos: int) -> int:
    """How many groups are open at ``pos`` (escapes and classes skipped)."""
    depth, i, in_class = 0, 0, False
    while i < pos:
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        i += 1
    return depth


def _required_literal(pattern: str) -> str | None:
    """A run of plain letters every match of a regex entry contains (folded), or None.

    Texts without it are skipped. Only top-level letters count: groups, classes, escapes
    and anything followed by ``?``, ``*`` or ``{`` break the run; top-level ``|`` gives None.

    >>> _required_literal(r"\\brocket falls?\\b(?!x)"), _required_literal(r"a|b")
    ('rocket fall', None)
    """
    chars: list[str] = []      # letters and spaces at depth 0, "\0" for anything else
    depth, i = 0, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            chars.append("\0")
            i += 2
            continue
        if c == "[" and depth == 0:
            j = pattern.find("]", i + 2)
            chars.append("\0")
            i = (j + 1) if j > 0 else len(pattern)
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            chars.append("\0")
        elif depth == 0:
            if c == "|":
                return None
            if c in "?*{":
                if chars:
                    chars[-1] = "\0"
                chars.append("\0")
            elif c.isalpha() or c == " ":
                chars.append(c)
            else:
                chars.append("\0")
        i += 1
    runs = "".join(chars).split("\0")[::-1]     # on a tie, the last: the end of a phrase says more
    best = max(runs, key=lambda r: len(r.strip()), default="").strip()
    return fold(best) if len(best) >= 4 else None


def _context_ok(text, folded, start, end, e, cache, found_words) -> bool:
    """The entry's context occurs in the article (the text given), or in the same
    paragraph with ``scope=paragraph``. The entry's own match does not count.
    ``found_words``: where the automaton found each of its words."""
    if e.scope == "paragraph":
        p_start = text.rfind("\n\n", 0, start)
        p_start = 0 if p_start < 0 else p_start
        p_end = text.find("\n\n", end)
        p_end = len(text) if p_end < 0 else p_end
    else:
        p_start, p_end = 0, len(text)
    key = (id(e), p_start)
    if key not in cache:
        ctx = e._context_re
        if hasattr(ctx, "found_in"):
            region = folded[p_start:p_end] if p_start or p_end < len(folded) else folded
            cache[key] = any(_has_word(region, w, p_start, p_end, cache, found_words) for w in ctx.words)
        else:
            cache[key] = ctx.search(text, p_start, p_end, timeout=REGEX_TIMEOUT) is not None
    return cache[key]


def _has_word(region: str, word: str, p_start: int, p_end: int, cache, found_words) -> bool:
    """``word in region`` (``folded[p_start:p_end]``), remembered: entries share context
    words ("syria", "israel"). Words the automaton looked for are not searched again."""
    key = (word, p_start, p_end)
    found = cache.get(key)
    if found is None:
        starts = found_words.get(word)
        if starts is None:
            found = word in region
        else:
            found = any(p_start <= s and s + len(word) <= p_end for s in starts)
        cache[key] = found
    return found
