"""Edits: what a stage changed, where, and which rule did it.

An :class:`Edit` replaces ``text[start:end]`` (``before``) with ``after``.
A stage returns an :class:`Explained`: the new text and the edits, in the
coordinates of the stage's input. :class:`Tracker` chains passes and keeps
every edit in the coordinates of the *original* text, so that
``apply_edits(original, tracker.edits) == tracker.text``.
"""
from __future__ import annotations

from bisect import bisect_left
from itertools import accumulate
from typing import Callable, Iterable, NamedTuple


class Edit(NamedTuple):
    """``text[start:end]`` (``before``) becomes ``after``, by ``rule``. A named tuple: the
    pipeline makes hundreds of thousands of them, and tuples are the cheapest to make."""
    rule: str
    start: int
    end: int
    before: str
    after: str

    def shifted(self, offset: int) -> "Edit":
        return Edit(self.rule, self.start + offset, self.end + offset, self.before, self.after)

    def as_dict(self) -> dict:
        return {"rule": self.rule, "start": self.start, "end": self.end,
                "before": self.before, "after": self.after}


class Explained(NamedTuple):
    text: str
    edits: list[Edit]


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply sorted, non-overlapping edits to ``text``.

    >>> apply_edits("a b c", [Edit("x", 2, 3, "b", "B")])
    'a B c'
    """
    parts = []
    pos = 0
    for e in edits:
        if e.start < pos:
            raise ValueError(f"overlapping edit {e!r}")
        parts.append(text[pos:e.start])
        parts.append(e.after)
        pos = e.end
    parts.append(text[pos:])
    return "".join(parts)


def compose(old: list[Edit], new: list[Edit], original: str) -> list[Edit]:
    """Edits on ``original`` equivalent to applying ``old`` then ``new``.

    ``old`` turns ``original`` into an intermediate text T; ``new`` is in T's
    coordinates. Where a new edit touches text an old edit produced, they
    merge into one edit whose rule names both (``a+b``).

    >>> o = "x «y» z"
    >>> e1 = [Edit("a", 2, 3, "«", '"'), Edit("a", 4, 5, "»", '"')]
    >>> e2 = [Edit("b", 3, 4, "y", "Y")]
    >>> apply_edits(o, compose(e1, e2, o)) == apply_edits(apply_edits(o, e1), e2)
    True
    """
    if not old:
        return list(new)
    if not new:
        return list(old)
    # Old and new edits that touch nothing are merged as two sorted lists; where the old
    # edits lie in the intermediate text is computed in bulk, and each new edit finds its
    # place by bisection. Edits that touch go to _compose_overlapping, a few at a time.
    shifts = list(accumulate([len(o.after) - o.end + o.start for o in old], initial=0))
    t_ends = [o.end + d for o, d in zip(old, shifts[1:])]
    out: list[Edit] = []
    i, n_old, k, n_new = 0, len(old), 0, len(new)
    while k < n_new:
        e = new[k]
        j = bisect_left(t_ends, e.start, i)
        touch = False
        while j < n_old and t_ends[j] == e.start:   # ends where e starts: touches only if both are empty
            if e.start == e.end and old[j].start + shifts[j] == e.start:
                touch = True
                break
            j += 1
        if not touch and j < n_old:           # ends after e starts: touches if it starts before e ends
            s = old[j].start + shifts[j]
            touch = s < e.end and not (s == t_ends[j] and e.start == e.end)
        if touch:
            # The edits around e that touch each other, then back to the fast path.
            end = max(e.end, t_ends[j])
            j2, k2 = j, k
            while True:
                if j2 < n_old and old[j2].start + shifts[j2] <= end:
                    end = max(end, t_ends[j2])
                    j2 += 1
                elif k2 < n_new and new[k2].start <= end:
                    end = max(end, new[k2].end)
                    k2 += 1
                else:
                    break
            out.extend(_compose_overlapping(old[i:j2], new[k:k2], original, shifts[i]))
            i, k = j2, k2
            continue
        if j > i:
            out.extend(old[i:j])
            i = j
        d = shifts[i]
        out.append(Edit(e.rule, e.start - d, e.end - d, e.before, e.after))
        k += 1
    out.extend(old[i:])
    return out


def _compose_overlapping(old: list[Edit], new: list[Edit], original: str, shift: int = 0) -> list[Edit]:
    """compose() where edits overlap: overlapping old and new edits merge into one.

    ``shift``: intermediate-text position minus original position before the first edit.
    """
    # (t_start, t_end, 0 for old / 1 for new, index): a plain tuple sort keeps old before
    # new and each list's own order where spans are equal.
    items = []
    delta = shift
    for k, o in enumerate(old):
        ts = o.start + delta
        items.append((ts, ts + len(o.after), 0, k))
        delta += len(o.after) - (o.end - o.start)
    items.extend((n.start, n.end, 1, k) for k, n in enumerate(new))
    items.sort()

    out: list[Edit] = []
    k, n_items = 0, len(items)
    while k < n_items:
        gs, ge, is_new, idx = items[k]
        k += 1
        group = None
        while k < n_items:
            s2, e2 = items[k][0], items[k][1]
            # Spans touch if they share text, or one is empty and lies strictly inside the
            # other, or both are empty at the same point.
            if not ((s2 == e2 and gs == ge and s2 == gs) or (
                    not (s2 == e2 and gs == ge) and s2 < ge and gs < e2)):
                break
            if group is None:
                group = [(gs, ge, is_new, idx)]
            group.append(items[k])
            ge = max(ge, e2)
            k += 1
        if group is None:                       # one edit alone: the usual case
            if is_new:
                e = new[idx]
                out.append(Edit(e.rule, e.start - shift, e.end - shift, e.before, e.after))
            else:
                o = old[idx]
                out.append(o)
                shift += len(o.after) - (o.end - o.start)
            continue
        olds = [(ts, te, old[i]) for ts, te, nw, i in group if not nw]
        news = [new[i] for _, _, nw, i in group if nw]
        g_delta = sum(len(o.after) - (o.end - o.start) for _, _, o in olds)
        if not news:
            out.extend(o for _, _, o in olds)
        elif not olds and len(news) == 1:
            e = news[0]
            out.append(Edit(e.rule, e.start - shift, e.end - shift, e.before, e.after))
        else:
            o_start = gs - shift
            o_end = ge - shift - g_delta
            # Rebuild T[gs:ge] from the original and the old edits in the group.
            pieces, pos_t, pos_o = [], gs, o_start
            for ts, te, o in olds:
                pieces.append(original[pos_o:pos_o + ts - pos_t])
                pieces.append(o.after)
                pos_t, pos_o = te, o.end
            pieces.append(original[pos_o:pos_o + ge - pos_t])
            after = apply_edits("".join(pieces), [e.shifted(-gs) for e in news])
            rules: list[str] = []
            for _, _, nw, i in group:
                for part in (new[i] if nw else old[i]).rule.split("+"):
                    if part not in rules:
                        rules.append(part)
            out.append(Edit("+".join(rules), o_start, o_end, original[o_start:o_end], after))
        shift += g_delta
    return out


class Tracker:
    """Run passes over a text and keep their edits in original coordinates."""

    __slots__ = ("original", "text", "edits")

    def __init__(self, text: str):
        self.original = text
        self.text = text
        self.edits: list[Edit] = []

    def apply(self, edits: list[Edit]) -> None:
        """Apply edits given in the coordinates of the current text."""
        if edits:
            self.text = apply_edits(self.text, edits)
            self.edits = compose(self.edits, edits, self.original)

    def add(self, result: Explained) -> None:
        """Take a stage's result (edits relative to the current text)."""
        if result.edits:
            self.edits = compose(self.edits, result.edits, self.original)
            self.text = result.text

    def result(self) -> Explained:
        return Explained(self.text, self.edits)


def sub(pattern, repl: str | Callable, text: str, rule: str) -> list[Edit]:
    """Edits for every match of a compiled ``pattern`` in ``text``.

    ``repl`` is a template (``\\1``) or a function of the match returning the
    replacement, ``None`` to leave that match alone, or ``(start, end, after)`` to
    edit a span around the match (patterns that start with a rare literal are fast;
    the function then looks at the context itself). ``pattern`` may be a list of
    patterns: their matches are taken in order of position, as one pattern's would be
    (re scans for a literal first character ten times faster than for a class).

    >>> import re
    >>> sub(re.compile(r"(\\d+) %"), r"\\1%", "70 % of", "t.pct")
    [Edit(rule='t.pct', start=0, end=4, before='70 %', after='70%')]
    """
    if isinstance(pattern, list):
        matches = sorted((m for p in pattern for m in p.finditer(text)), key=_match_start)
    else:
        matches = pattern.finditer(text)
    edits: list[Edit] = []
    last = 0
    if isinstance(repl, str):
        template, repl = repl, (lambda m: m.expand(template))
    for m in matches:
        after = repl(m)
        if after is None:
            continue
        if isinstance(after, tuple):
            start, end, after = after
            if start < last:
                continue
        else:
            start, end = m.start(), m.end()
            if start < last:
                continue
        before = text[start:end]
        if after != before:
            edits.append(Edit(rule, start, end, before, after))
            last = end
    return edits


def _match_start(m) -> int:
    return m.start()
