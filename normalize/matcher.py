"""One-pass, leftmost-longest, whole-word matching of many glossary entries.

Word entries go into Aho-Corasick automata built over a folded copy of the text
(same length as the text, so offsets carry over): one automaton lower-cased for
entries that match in any case, one case-kept for acronyms and ``case=exact``.
Regular-expression entries run separately, each under a time limit.
"""
from __future__ import annotations

import ahocorasick

from .textutil import fold, fold_keep_case, is_word_char

try:  # regex's own timeout error
    from regex import TimeoutError as _RegexTimeout  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    _RegexTimeout = TimeoutError


class Matcher:
    def __init__(self, entries):
        self.entries = list(entries)
        self.any_case = ahocorasick.Automaton()
        self.exact = ahocorasick.Automaton()
        self.regexes = []
        for idx, e in enumerate(self.entries):
            if e.match == "regex":
                self.regexes.append(e)
                continue
            if e.effective_case == "exact":
                for key in {fold_keep_case(e.source), fold_keep_case(e.source.upper())}:
                    self.exact.add_word(key, (len(key), idx))
            else:
                key = fold(e.source)
                self.any_case.add_word(key, (len(key), idx))
        for a in (self.any_case, self.exact):
            if len(a):
                a.make_automaton()

    def find(self, text: str) -> list[tuple[int, int, object, str | None]]:
        """Non-overlapping matches ``(start, end, entry, target_or_None)``, in order."""
        cands = []
        n = len(text)
        for automaton, folded in ((self.any_case, None), (self.exact, None)):
            if not len(automaton):
                continue
            folded = fold_keep_case(text) if automaton is self.exact else fold(text)
            for end_idx, (length, idx) in automaton.iter(folded):
                start = end_idx - length + 1
                end = end_idx + 1
                e = self.entries[idx]
                src = e.source
                if is_word_char(src[0]) and start > 0 and is_word_char(text[start - 1]):
                    continue
                if is_word_char(src[-1]) and end < n and is_word_char(text[end]):
                    continue
                cands.append((start, end, e, None))
        for e in self.regexes:
            try:
                for m in e._regex.finditer(text, timeout=0.5):
                    if m.end() > m.start():
                        cands.append((m.start(), m.end(), e, m.expand(e.target)))
            except _RegexTimeout:
                from .glossary import GlossaryError
                raise GlossaryError([f"{e.where}: regular expression took too long (over 0.5 s); "
                                     f"simplify it (avoid nested repeats like (a+)+)"]) from None
        if not cands:
            return []
        cands.sort(key=lambda c: (c[0], c[0] - c[1]))
        out = []
        last = -1
        para_cache: dict[tuple[int, int], bool] = {}
        for c in cands:
            if c[0] < last:
                continue
            e = c[2]
            if e._context_re is not None and not _context_ok(text, c[0], c[1], e, para_cache):
                continue
            out.append(c)
            last = c[1]
        return out


def _table(exact: bool):
    from .textutil import FOLD, FOLD_KEEP_CASE
    return FOLD_KEEP_CASE if exact else FOLD


def _context_ok(text, start, end, e, cache) -> bool:
    p_start = text.rfind("\n\n", 0, start)
    p_start = 0 if p_start < 0 else p_start
    key = (id(e), p_start)
    if key not in cache:
        p_end = text.find("\n\n", end)
        p_end = len(text) if p_end < 0 else p_end
        para = text[p_start:p_end]
        # The entry's own source does not count as context.
        cache[key] = e._context_re.search(para, timeout=0.5) is not None
    return cache[key]
