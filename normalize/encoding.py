"""Stage 1, encoding: line breaks, invisible characters, then ftfy on lines that need it.

Curly quotes are kept (``uncurl_quotes=False``): they are correct English.
"""
from __future__ import annotations

import difflib
import re

import regex
from operator import methodcaller

from .edits import Edit, Explained, Tracker, sub

_CRLF = re.compile(r"\r\n?|[\u2028\u2029\x85]")
# Zero-width and soft-hyphen characters: invisible, and they break word matching.
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad]+")
# Spaces from other scripts' typography that English text never needs.
_ODD_SPACE = re.compile("[\u1680\u180e\u205f\u3000]")
# A line needs ftfy only if it has something ftfy would fix: an HTML entity, a control
# character, a ligature, a full-width form, a combining mark (NFC), or two characters in a
# row from the Windows-1252/Latin-1 range, the shape every mojibake sequence has ("Ã©",
# "â€™"). Lines of plain ASCII, or with lone curly quotes and accented letters, skip it.
_ENTITY = re.compile(r"&(?:#[0-9]+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CP1252 = ("\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
           "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122")
_NEEDS_FTFY = re.compile(
    f"&(?:#[0-9]+|#x[0-9a-fA-F]+|[a-zA-Z]+);|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
    f"\ufb00-\ufb06\uff01-\uff5e\u0300-\u036f\ud800-\udfff]|[{_CP1252}]{{2,}}")


# The same test, as three scans of a whole chunk (re finds a literal or a plain class
# much faster than the alternation above).
_TRIGGERS = (_ENTITY,
             re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufb00-\ufb06\uff01-\uff5e\u0300-\u036f\ud800-\udfff]"))
# Two non-ASCII characters in a row (the regex module finds a plain range fast); a pair
# is a trigger if both are in the Windows-1252 range.
_NON_ASCII_PAIR = regex.compile("[\x80-\U0010ffff](?=[\x80-\U0010ffff])")
_CP1252_CHARS = frozenset(c for a, b in re.findall(r"(.)(?:-(.))?", _CP1252)
                          for c in map(chr, range(ord(a), ord(b or a) + 1)))   # the class, as a set


_START = methodcaller("start")


def lines_needing_ftfy(text: str) -> list[tuple[int, int]]:
    """(line number, start) of each line of ``text`` that :func:`needs_ftfy`, in order.

    >>> lines_needing_ftfy("fine\\ncafÃ©\\nok &amp; ok\\n")
    [(1, 5), (2, 11)]
    """
    starts = {text.rfind("\n", 0, m.start()) + 1 for p in _TRIGGERS for m in p.finditer(text)}
    cp = _CP1252_CHARS
    starts.update(text.rfind("\n", 0, i) + 1 for i in map(_START, _NON_ASCII_PAIR.finditer(text))
                  if text[i] in cp and text[i + 1] in cp)
    out, n, prev = [], 0, 0
    for s in sorted(starts):
        n += text.count("\n", prev, s)
        out.append((n, s))
        prev = s
    return out


def needs_ftfy(line: str) -> bool:
    """
    >>> needs_ftfy("It’s “fine” in Zürich"), needs_ftfy("cafÃ©"), needs_ftfy("Tom &amp; Jerry")
    (False, True, True)
    """
    if line.isascii():
        return ("&" in line and _ENTITY.search(line) is not None) or _CONTROL.search(line) is not None
    return _NEEDS_FTFY.search(line) is not None

_CONFIG = None


def _config():
    global _CONFIG
    if _CONFIG is None:
        import ftfy
        _CONFIG = ftfy.TextFixerConfig(uncurl_quotes=False, fix_line_breaks=False, explain=True)
    return _CONFIG


def _step_rule(step) -> str:
    action, parameter = step
    if action == "apply":
        return f"encoding.{parameter}"
    return "encoding.mojibake"


def _group_plan(plan):
    """Consecutive encode/decode/transcode steps form one mojibake repair."""
    groups: list[list] = []
    for step in plan:
        if step[0] != "apply" and groups and groups[-1][0][0] != "apply":
            groups[-1].append(step)
        else:
            groups.append([step])
    return groups


_TOKENS = re.compile(r"\s+|[^\s]+")
_SPACE = re.compile(r"\s")


def diff_edits(before: str, after: str, rule: str) -> list[Edit]:
    """Small edits turning ``before`` into ``after``: a word-level diff, trimmed to characters.

    >>> diff_edits("cafÃ© au lait, trÃ¨s bon", "café au lait, très bon", "r")
    [Edit(rule='r', start=3, end=5, before='Ã©', after='é'), Edit(rule='r', start=17, end=19, before='Ã¨', after='è')]
    """
    if before == after:
        return []
    # The usual case first: one change inside one word (no space in either side), which
    # the word-level diff below would find as this one span.
    n = min(len(before), len(after))
    p = 0
    while p < n and before[p] == after[p]:
        p += 1
    q = 0
    while q < n - p and before[-1 - q] == after[-1 - q]:
        q += 1
    old_mid, new_mid = before[p:len(before) - q], after[p:len(after) - q]
    # (An inserted or deleted word between spaces would change the words' count: not here.)
    in_a_word = (old_mid and new_mid) or (p and not before[p - 1].isspace()) or (
        q and not before[len(before) - q].isspace())
    if in_a_word and not (_SPACE.search(old_mid) or _SPACE.search(new_mid)
                          or any(c in old_mid for c in '"«»“”')):
        return [Edit(rule, p, len(before) - q, old_mid, new_mid)]
    a, b = _TOKENS.findall(before), _TOKENS.findall(after)
    starts = [0]
    for tok in a:
        starts.append(starts[-1] + len(tok))
    if len(a) == len(b):   # the usual case: words repaired in place, token for token
        ops = [(i, i + 1, i, i + 1) for i, (x, y) in enumerate(zip(a, b)) if x != y]
    else:
        sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
        ops = [(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in sm.get_opcodes() if tag != "equal"]
    edits = []
    for i1, i2, j1, j2 in ops:
        old, new = "".join(a[i1:i2]), "".join(b[j1:j2])
        p = 0
        while p < min(len(old), len(new)) and old[p] == new[p]:
            p += 1
        q = 0
        while q < min(len(old), len(new)) - p and old[-1 - q] == new[-1 - q]:
            q += 1
        middle = old[p:len(old) - q]
        if len(old) + len(new) > 400 or not any(c in middle for c in '"«»“” \u00a0'):
            spans = [(p, len(old) - q, p, len(new) - q)]
        else:   # quotes inside the changed part: "Ã©«Ã©" -> "é«é" is two edits, « untouched
            sm = difflib.SequenceMatcher(None, old, new, autojunk=False)
            spans = [(x1, x2, y1, y2) for tag, x1, x2, y1, y2 in sm.get_opcodes() if tag != "equal"]
        for x1, x2, y1, y2 in spans:
            edits.append(Edit(rule, starts[i1] + x1, starts[i1] + x2, old[x1:x2], new[y1:y2]))
    return edits


# Quotation marks and no-break spaces that cannot be part of a mojibake sequence (they
# do not follow a UTF-8 lead byte read as Windows-1252) are shown to ftfy as '"' and ' ',
# so its decisions do not change when the typography stage converts or removes them.
_QUOTE_OR_SPACE = re.compile("[«»“”„\u00a0\u202f\u2009]")
_ASCII_LOOKALIKE = str.maketrans("«»“”„\u00a0\u202f\u2009", '"""""   ')


def _cp1252(c: str) -> int:
    try:
        return c.encode("cp1252")[0]
    except UnicodeEncodeError:
        return -1


def _can_continue_sequence(line: str, i: int) -> bool:
    """Could line[i] be a continuation byte of a UTF-8 sequence misread as Windows-1252?

    It must follow a lead byte (and continuation bytes), and the bytes after it must be
    enough continuation bytes to complete the sequence.
    """
    if not 0x80 <= _cp1252(line[i]) <= 0xBF:
        return False
    for back in (1, 2, 3):
        j = i - back
        if j < 0:
            return False
        b = _cp1252(line[j])
        if 0x80 <= b <= 0xBF:
            continue                       # another continuation byte: look further back
        size = 2 if 0xC2 <= b <= 0xDF else 3 if 0xE0 <= b <= 0xEF else 4 if 0xF0 <= b <= 0xF4 else 0
        if size <= back:
            return False
        after = line[i + 1:j + size]
        return len(after) == j + size - i - 1 and all(0x80 <= _cp1252(c) <= 0xBF for c in after)
    return False


def _ftfy_probe(line: str) -> str:
    chars = list(line)
    for m in _QUOTE_OR_SPACE.finditer(line):
        if not _can_continue_sequence(line, m.start()):
            chars[m.start()] = m.group().translate(_ASCII_LOOKALIKE)
    return "".join(chars)


# Scripts that repairing Latin-script news never yields.
_FAR_SCRIPTS = re.compile("[\u3000-\u9fff\uac00-\ud7af\ue000-\uf8ff]")


def _ftfy_line(line: str) -> list[Edit]:
    import ftfy
    probe = _ftfy_probe(line)
    if probe != line:
        if not _NEEDS_FTFY.search(probe):
            return []          # only guillemets and spaces looked suspect ("«\u00a0")
        edits = _ftfy_line(probe)
        if all(line[e.start:e.end] == e.before for e in edits):
            return edits
    fixed, plan = ftfy.fix_and_explain(line, config=_config())
    if fixed == line or (_FAR_SCRIPTS.search(fixed) and not _FAR_SCRIPTS.search(line)):
        # Unchanged, or "repaired" into CJK: Latin text misread as mojibake ("é”“"). The
        # typography stage will make every guillemet a '"': decide as if it had.
        plain = line.translate(_ASCII_LOOKALIKE)
        if plain != line:
            edits = _ftfy_line(plain)
            if all(line[e.start:e.end] == e.before for e in edits):
                return edits
        return []
    groups = _group_plan(plan)
    if len(groups) == 1:
        return diff_edits(line, fixed, _step_rule(groups[0][0]))
    t = Tracker(line)
    for group in groups:
        step_out = ftfy.apply_plan(t.text, group)
        t.apply(diff_edits(t.text, step_out, _step_rule(group[0])))
    return t.edits


# ftfy leaves some two-character mojibake of accented letters alone ("ErdoÄŸan" for
# "Erdoğan"): inside a word, a UTF-8 lead byte read as Windows-1252, then a continuation
# byte, that decode together to a Latin letter.
_CONTINUATION = ("\u00a0-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039"
                 "\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a"
                 "\u0153\u017e\u0178\x81\x8d\x8f\x90\x9d")
_MOJIBAKE_LETTER = regex.compile(   # the regex module scans for it five times faster than re
    f"[\u00c2-\u00df][{_CONTINUATION}]")


def _mojibake_letter(m: re.Match) -> str | None:
    s, i, j = m.string, m.start(), m.end()
    if not ((i > 0 and s[i - 1].isalpha()) or (j < len(s) and s[j].isalpha())):
        return None
    try:
        raw = bytes(ord(c) if ord(c) < 0x100 else c.encode("cp1252")[0] for c in m.group())
        letter = raw.decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None
    return letter if 0xC0 <= ord(letter) <= 0x17F and letter.isalpha() else None


def _any_in(chars: str, text: str) -> bool:
    return any(c in text for c in chars)


def fix_encoding(text: str, **_) -> Explained:
    """Repair mojibake, HTML entities, control characters and odd spaces.

    >>> fix_encoding("RenÃ© said &quot;no&quot;.\\r\\n").text
    'René said "no".\\n'
    >>> fix_encoding("Plain ASCII stays as it is.").edits
    []
    """
    t = Tracker(text)
    if not text.isascii() or "\r" in text:
        if _any_in("\r\u2028\u2029\x85", text):
            t.apply(sub(_CRLF, "\n", t.text, "encoding.line_breaks"))
        if _any_in("\u200b\u2060\ufeff\u00ad", t.text):
            t.apply(sub(_INVISIBLE, "", t.text, "encoding.invisible_chars"))
        if _any_in("\u1680\u180e\u205f\u3000", t.text):
            t.apply(sub(_ODD_SPACE, " ", t.text, "encoding.odd_spaces"))
    # A repair can expose another ("Ã©" -> "é" may start a new sequence): lines that
    # changed are looked at again, so that a second run of the stage finds nothing to do.
    if t.text.isascii() and "&" not in t.text and not _CONTROL.search(t.text):
        return t.result()
    todo = lines_needing_ftfy(t.text)          # (line number, start) of the lines to look at
    for round_ in range(3):
        first = round_ == 0
        edits, changed = [], []
        text = t.text
        for n, pos in todo:
            end = text.find("\n", pos)
            line = text[pos:] if end < 0 else text[pos:end]
            if not first and not needs_ftfy(line):     # the first time, todo lines need it
                continue
            before = len(edits)
            for start, end in _windows(line):
                edits.extend(e.shifted(pos + start) for e in _ftfy_line(line[start:end]))
            if len(edits) > before:
                changed.append((n, pos))
        if not edits:
            break
        t.apply(edits)
        # Recheck the lines that changed (all of them if a line break came or went).
        if any("\n" in e.after or "\n" in e.before for e in edits):
            todo = lines_needing_ftfy(t.text)
        else:
            todo = _moved(changed, edits)
    if not t.text.isascii():
        t.apply(sub(_MOJIBAKE_LETTER, _mojibake_letter, t.text, "encoding.mojibake_letter"))
    return t.result()


def _moved(lines: list[tuple[int, int]], edits: list[Edit]) -> list[tuple[int, int]]:
    """Line starts after ``edits`` (sorted, none across a line break) are applied."""
    out, shift, k = [], 0, 0
    for n, pos in lines:
        while k < len(edits) and edits[k].end <= pos:
            shift += len(edits[k].after) - (edits[k].end - edits[k].start)
            k += 1
        out.append((n, pos + shift))
    return out


def _windows(line: str) -> list[tuple[int, int]]:
    """Spans of ``line`` to give ftfy: each suspicious sequence with a word of context either
    side. ftfy's cost grows with the text it reads, and its repairs are local."""
    spans: list[tuple[int, int]] = []
    for m in _NEEDS_FTFY.finditer(line):
        start = line.rfind(" ", 0, max(0, line.rfind(" ", 0, m.start())))
        start = 0 if start < 0 else start
        end = line.find(" ", line.find(" ", m.end()) + 1)
        end = len(line) if end < 0 or line.find(" ", m.end()) < 0 else end
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans
