"""Stage 1, encoding: line breaks, invisible characters, then ftfy on lines that need it.

Curly quotes are kept (``uncurl_quotes=False``): they are correct English.
"""
from __future__ import annotations

import difflib
import re

from .edits import Edit, Explained, Tracker, sub

_CRLF = re.compile(r"\r\n?|[\u2028\u2029\x85]")
# Zero-width and soft-hyphen characters: invisible, and they break word matching.
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad]+")
# Spaces from other scripts' typography that English text never needs.
_ODD_SPACE = re.compile("[\u1680\u180e\u205f\u3000]")
# A line needs ftfy if it has non-ASCII text, an HTML entity or a control character.
_NEEDS_FTFY = re.compile(r"[^\x09\x0a\x20-\x7e]|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")

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


def diff_edits(before: str, after: str, rule: str) -> list[Edit]:
    """Character-level edits turning ``before`` into ``after``.

    >>> diff_edits("cafÃ©", "café", "r")
    [Edit(rule='r', start=3, end=5, before='Ã©', after='é')]
    """
    if len(before) > 20000:
        return [Edit(rule, 0, len(before), before, after)]
    sm = difflib.SequenceMatcher(None, before, after, autojunk=False)
    return [Edit(rule, i1, i2, before[i1:i2], after[j1:j2])
            for tag, i1, i2, j1, j2 in sm.get_opcodes() if tag != "equal"]


# A guillemet after ASCII text (or at a line start) cannot be part of a mojibake
# sequence: ftfy sees it as '"', the character the typography stage turns it into,
# so that its decisions do not change once the guillemets are gone.
_FREE_GUILLEMET = re.compile(r"(?:^|(?<=[\x00-\x7f]))[«»]")


def _ftfy_line(line: str) -> list[Edit]:
    import ftfy
    probe = _FREE_GUILLEMET.sub('"', line)
    if probe != line:
        edits = _ftfy_line(probe)
        if all(line[e.start:e.end] == e.before for e in edits):
            return edits
    fixed, plan = ftfy.fix_and_explain(line, config=_config())
    if fixed == line:
        return []
    t = Tracker(line)
    for group in _group_plan(plan):
        step_out = ftfy.apply_plan(t.text, group)
        t.apply(diff_edits(t.text, step_out, _step_rule(group[0])))
    return t.edits


def fix_encoding(text: str, **_) -> Explained:
    """Repair mojibake, HTML entities, control characters and odd spaces.

    >>> fix_encoding("RenÃ© said &quot;no&quot;.\\r\\n").text
    'René said "no".\\n'
    >>> fix_encoding("Plain ASCII stays as it is.").edits
    []
    """
    t = Tracker(text)
    t.apply(sub(_CRLF, "\n", t.text, "encoding.line_breaks"))
    t.apply(sub(_INVISIBLE, "", t.text, "encoding.invisible_chars"))
    t.apply(sub(_ODD_SPACE, " ", t.text, "encoding.odd_spaces"))
    if _NEEDS_FTFY.search(t.text):
        edits = []
        pos = 0
        for line in t.text.split("\n"):
            if _NEEDS_FTFY.search(line):
                edits.extend(e.shifted(pos) for e in _ftfy_line(line))
            pos += len(line) + 1
        t.apply(edits)
    return t.result()
