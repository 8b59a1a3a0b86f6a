"""Stage 3, scraped boilerplate: whole lines that are page furniture, not article text.

Line patterns live in ``data/boilerplate.tsv``; photo credits use ``data/photo_agencies.txt``.
A line is dropped only when all of it is boilerplate; a paywall label glued to
real text loses the label and keeps the text. Blank lines are tidied so a
dropped block leaves no gap.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from . import data
from .edits import Edit, Explained, apply_edits

# Lines longer than this are prose, whatever they start with; only patterns with "needs"
# words (cookie banners) are tried up to MAX_GUARDED_LINE.
MAX_BOILERPLATE_LINE = 400
MAX_GUARDED_LINE = 600
# A caption with a strong credit ("NAME / AFP") is dropped if no longer than this.
MAX_CAPTION = 300
# Link titles listed under a links heading are no longer than this.
MAX_LINK_TITLE = 200

# Sentences that no pattern may match (checked when the table is loaded).
_PROSE_PROBES = (
    "The regime carried out a major offensive in Idlib between April and August 2019.",
    "To see how far the front has moved, look at the map published on Monday.",
    "Readers can see also the earlier report.",
    "Updated figures released on Tuesday at 10:30 showed a sharp rise.",
    "Vast destruction",
    "The truce jeopardized",
)


class PatternError(ValueError):
    """A boilerplate pattern that is invalid or too broad."""


@dataclass(frozen=True)
class Rules:
    line: re.Pattern
    line_rules: dict[str, str]
    by_first: dict                         # first char -> the line patterns that can match
    guarded: list[tuple[tuple[str, ...], re.Pattern, str]]   # (needs, pattern, rule)
    need_words: tuple[str, ...]                                # every word some pattern needs
    prefix: re.Pattern
    prefix_rules: dict[str, str]
    header: re.Pattern
    credit: re.Pattern
    credit_ends: frozenset


def _alternation(rows, kind, guarded=None, parts_out=None):
    """One alternation of the kind's patterns; with ``guarded`` (a list), patterns that
    have ``needs`` words go there instead, each compiled on its own."""
    parts, names = [], {}
    for lineno, row in rows:
        if row["kind"] != kind:
            continue
        needs = tuple(w.strip().lower() for w in row.get("needs", "").split(",") if w.strip())
        pat = row["pattern"]
        try:
            compiled = re.compile(pat, re.I)
        except re.error as exc:
            raise PatternError(f"boilerplate.tsv:{lineno}: bad pattern: {exc}") from None
        if compiled.fullmatch(""):
            raise PatternError(f"boilerplate.tsv:{lineno}: pattern matches an empty line")
        for probe in _PROSE_PROBES:
            if (compiled.match(probe) if kind == "prefix" else compiled.fullmatch(probe)):
                raise PatternError(f"boilerplate.tsv:{lineno}: pattern matches ordinary prose: {probe!r}")
        if needs and guarded is not None:
            guarded.append((needs, compiled, f"boilerplate.{row['rule']}"))
            continue
        name = f"r{lineno}"
        names[name] = f"boilerplate.{row['rule']}"
        parts.append(f"(?P<{name}>{pat})")
        if parts_out is not None:
            parts_out.append((f"(?P<{name}>{pat})", _first_chars(pat)))
    return re.compile("|".join(parts), re.I), names


def _first_chars(pattern: str) -> frozenset[str] | None:
    """Lower-case characters a match can start with, or None if any (or unknown).

    Read from the parsed pattern (re's parser), so a line is tried only against the
    patterns that can start with its first character.
    """
    try:
        from re import _constants as c, _parser
        parsed = _parser.parse(pattern, re.I)
    except Exception:  # noqa: BLE001 - a private API: any change means "unknown"
        return None

    def in_set(items):
        out = set()
        for op, av in items:
            if op is c.LITERAL:
                out.add(chr(av))
            elif op is c.RANGE and av[1] - av[0] < 300:
                out.update(chr(x) for x in range(av[0], av[1] + 1))
            elif op is c.CATEGORY and av is c.CATEGORY_DIGIT:
                out.update("0123456789")
            elif op is c.CATEGORY and av is c.CATEGORY_SPACE:
                out.update(" \t\n\r\f\v")
            else:
                return None
        return out

    def first(seq):
        acc = set()
        for op, av in seq:
            if op is c.LITERAL:
                return acc | {chr(av)}, False
            if op is c.IN:
                chars = in_set(av)
                return (None, False) if chars is None else (acc | chars, False)
            if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
                continue
            if op is c.SUBPATTERN:
                f, nullable = first(av[-1])
            elif op is c.BRANCH:
                f, nullable = set(), False
                for alt in av[1]:
                    fa, na = first(alt)
                    if fa is None:
                        return None, False
                    f |= fa
                    nullable |= na
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
                f, nullable = first(av[2])
                nullable = nullable or av[0] == 0
            else:
                return None, False
            if f is None:
                return None, False
            acc |= f
            if not nullable:
                return acc, False
        return None, True     # can match empty text: any start

    chars, _ = first(parsed)
    return frozenset(ch.lower() for ch in chars) if chars else None


def _credit_pattern() -> re.Pattern:
    """A photo credit at the end of a line.

    Strong: "NAME NAME / AFP" in capitals; "(Name Name / AFP)", "(Photo by Name / AFP)",
    "Photo Name / AFP", "— Name / SIPA" (a name in any case, after a bracket, a dash or
    "Photo"); "REUTERS/Name Name"; "Photo: ...", "Credit: ...", "© ...". Weak: an agency
    alone (" AP"), a caption only when the same caption stands just before it.
    """
    agencies = sorted(data.read_lines("photo_agencies.txt"), key=len, reverse=True)
    agency = "(?:" + "|".join(re.escape(a) for a in agencies) + ")"
    caps = r"[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ'’.\-]*"
    caps_names = rf"{caps}(?:\s+{caps}){{0,5}}"
    word = r"[A-ZÀ-ÖØ-Þ][\w'’.\-]*"
    particle = r"(?:al|el|de|da|du|des|la|le|van|von|bin|ben|ibn|abu|ag|ould)"
    names = rf"{word}(?:\s+(?:{particle}\s+)?{word}){{0,5}}"
    label = r"(?i:photos?(?:\s+by)?|pictures?(?:\s+by)?|images?)\s*:?\s*"
    strong = (
        rf"[(\[]?{caps_names}\s*/\s*{agency}(?:\s*/\s*{agency})?[)\]]?"           # NAME / AFP
        rf"|[(\[]\s*(?:{label})?{names}\s*/\s*{agency}\s*[)\]]"                    # (Name / AFP)
        rf"|{label}{names}\s*/\s*{agency}"                                           # Photo Name / AFP
        rf"|[—–-]\s*{names}\s*/\s*{agency}"                                          # — Name / SIPA
        rf"|[(\[]?{agency}\s*/\s*{names}[)\]]?"                                      # REUTERS/Name Name
        rf"|(?i:(?:photos?|images?|pictures?|illustrations?)\s*(?:credits?)?|credits?(?: photo)?|crédits?(?: photo)?)"
        rf"\s*:\s*[^.!?]{{1,80}}"                                                     # Photo: ..., Credit: ...
        rf"|(?i:photo)\s+{agency}"                                                    # Photo AFP
        rf"|(?:PHOTOS?|ILLUSTRATION)\s+{caps_names}(?:,\s*{caps_names})?"              # PHOTO NAME, AGENCY
        rf"|©\s*[^.!?]{{1,60}}"
    )
    return re.compile(rf"(?:^|(?<=\s))(?:(?P<strong>{strong})|(?P<weak>{agency}))$")


@lru_cache(maxsize=1)
def rules() -> Rules:
    rows = data.read_table("boilerplate.tsv")
    guarded: list = []
    parts: list = []
    line, line_rules = _alternation(rows, "line", guarded, parts)
    by_first = _dispatch(parts)
    need_words = tuple(sorted({w for needs, _, _ in guarded for w in needs}))
    prefix, prefix_rules = _alternation(rows, "prefix")
    header, _ = _alternation(rows, "header")
    ends = frozenset(a.split()[-1] for a in data.read_lines("photo_agencies.txt"))
    return Rules(line, line_rules, by_first, guarded, need_words, prefix, prefix_rules, header,
                 _credit_pattern(), ends)


class _Dispatch(dict):
    """First character -> one alternation of the patterns that can start with it (plus
    those that can start with anything). Compiled on first use: a line rarely needs all."""

    def __init__(self, parts):
        super().__init__()
        self.parts = parts

    def __missing__(self, ch: str):
        chosen = [p for p, first in self.parts if first is None or ch in first]
        self[ch] = re.compile("|".join(chosen), re.I) if chosen else None
        return self[ch]


def _dispatch(parts) -> _Dispatch:
    return _Dispatch(parts)


def classify_line(line: str) -> str | None:
    """The boilerplate rule a whole line falls under, or None for article text.

    >>> classify_line("READ ALSO: Syria, the forgotten war")
    'boilerplate.cross_link'
    >>> classify_line("The regime resumed its offensive on Thursday.") is None
    True
    """
    s = line.strip()
    if not s or len(s) > MAX_GUARDED_LINE:
        return None
    r = rules()
    m = None
    if len(s) <= MAX_BOILERPLATE_LINE:
        pattern = r.by_first[s[0].lower()]
        m = pattern.fullmatch(s) if pattern is not None else None
    if m:
        return r.line_rules[m.lastgroup]
    low = s.lower()
    found = [w for w in r.need_words if w in low]
    if found:
        for needs, pattern, rule in r.guarded:
            if any(w in needs for w in found) and pattern.fullmatch(s):
                return rule
    return None


def _strip_prefix(line: str) -> tuple[int, str] | None:
    """(length, rule) of the boilerplate labels at the start of ``line``."""
    r = rules()
    end, rule = 0, None
    while (m := r.prefix.match(line, end)) and m.end() > end:
        nxt = line[m.end():m.end() + 1]
        if nxt and not (nxt.isspace() or nxt.isupper() or nxt in ".:|-"):
            break      # a label glued to a quote or a lower-case word is not a clean label
        end, rule = m.end(), rule or r.prefix_rules[m.lastgroup]
    return (end, rule) if rule else None


_NOT_ALNUM = re.compile(r"[\W_]+")


def _same(a: str, b: str) -> bool:
    """The same line but for case, spacing, punctuation and quote marks."""
    if a == b:
        return bool(a.strip())
    if abs(len(a) - len(b)) > 8 + len(a) // 8:
        return False
    if _NOT_ALNUM.sub("", a[:40]).lower()[:12] != _NOT_ALNUM.sub("", b[:40]).lower()[:12]:
        return False
    key = _NOT_ALNUM.sub("", a).lower()
    return bool(key) and key == _NOT_ALNUM.sub("", b).lower()


def _is_link_title(line: str) -> bool:
    """A headline-like line: short, and not ending like a sentence."""
    return len(line) <= MAX_LINK_TITLE and not line.endswith((".", "!", "?", "…", ":", ";", ",", '"', "”", "’", "'"))


_CREDIT_WORDS = ("credit", "crédit", "photo", "image", "picture", "illustration")


def _may_end_with_credit(line: str, ends: frozenset) -> bool:
    """Cheap test before the credit pattern: the last word is an agency, or a credit label is present."""
    last = line.rstrip(")]").rsplit(None, 1)[-1] if line.strip(")] ") else ""
    if last in ends or "/" in line[-80:] or "©" in line or line.endswith(")") or "PHOTO" in line[-90:]:
        return True
    return ":" in line and any(w in line.lower() for w in _CREDIT_WORDS)


def _caption(line: str) -> tuple[str, bool] | None:
    """(caption text, strong credit?) if the line ends with a photo credit."""
    r = rules()
    if not _may_end_with_credit(line, r.credit_ends):
        return None
    m = r.credit.search(line)
    if not m:
        return None
    return line[:m.start()].rstrip(), m.group("strong") is not None


def strip_boilerplate(text: str, *, final: bool = True, **_) -> Explained:
    """Drop boilerplate lines, captions and credits; tidy the blank lines they leave.

    >>> strip_boilerplate("Title\\n\\nRead also: more news\\n\\nBody.\\n").text
    'Title\\n\\nBody.\\n'
    """
    lines = text.split("\n")
    starts = []
    pos = 0
    for ln in lines:
        starts.append(pos)
        pos += len(ln) + 1
    blank = [not ln.strip() for ln in lines]
    drop: dict[int, str] = {}
    inline: list[Edit] = []

    kept: dict[int, str] = {}   # each line's text once a glued label is gone
    alive: list[int] = []       # lines kept so far: duplicates are judged against the last one
    in_links = False  # after a links heading ("Related Articles"), short title lines are links
    for i, ln in enumerate(lines):
        if blank[i]:
            continue
        s = ln.strip()
        rule = classify_line(s)
        if rule is None and in_links and _is_link_title(s):
            rule = "boilerplate.cross_link"
        in_links = (rule is not None and rules().header.fullmatch(s) is not None) or (
            in_links and rule == "boilerplate.cross_link")
        if rule is None:
            pre = _strip_prefix(s)
            if pre:
                rest = s[pre[0]:].strip()
                if not rest or classify_line(rest):
                    rule = pre[1]
                else:
                    lead = len(ln) - len(ln.lstrip())
                    inline.append(Edit(pre[1], starts[i] + lead, starts[i] + lead + pre[0],
                                       s[:pre[0]], ""))
                    s = rest                       # what the line will say
        kept[i] = s
        prev = alive[-1] if alive else -1
        if rule is None:
            cap = _caption(s)
            if cap is not None:
                caption, strong = cap
                if prev >= 0 and caption and _same(kept[prev], caption):
                    drop[prev] = "boilerplate.caption"
                    alive.pop()
                    rule = "boilerplate.caption"
                elif not caption or (strong and len(caption) <= MAX_CAPTION):
                    rule = "boilerplate.caption"
        if rule is None and prev >= 0 and _same(s, kept[prev]):
            rule = "boilerplate.duplicate_line"
        if rule is not None:
            drop[i] = rule
        else:
            alive.append(i)
    edits = _drop_lines(text, lines, starts, blank, drop, final) if drop else []
    edits = sorted(edits + [e for e in inline if not any(d.start <= e.start < d.end for d in edits)],
                   key=lambda e: (e.start, e.end))
    return Explained(apply_edits(text, edits), edits)


def _drop_lines(text, lines, starts, blank, drop, final) -> list[Edit]:
    """Edits removing dropped lines and the blank lines they would leave behind."""
    n = len(lines) - (1 if lines[-1] == "" else 0)   # a final "" is not a line
    remove = set(drop)
    i = 0
    kept_before = None   # index of the last kept content line
    runs_since_kept = 0
    while i < n:
        if not blank[i]:
            if i not in drop:
                kept_before, runs_since_kept = i, 0
            i += 1
            continue
        j = i
        while j < n and blank[j]:
            j += 1
        kept_after = any(not blank[k] and k not in drop for k in range(j, n))
        if kept_before is None:
            keep = i == 0
        elif not kept_after:
            dropped_after = any(k in drop for k in range(kept_before, n))
            keep = runs_since_kept == 0 and not (final and dropped_after)
        else:
            keep = runs_since_kept == 0
        if not keep:
            remove.update(range(i, j))
        runs_since_kept += 1
        i = j

    edits: list[Edit] = []
    for i in sorted(remove):
        start, end = starts[i], starts[i] + len(lines[i]) + (1 if i < len(lines) - 1 else 0)
        rule = drop.get(i)
        if edits and edits[-1].end == start and (rule is None or edits[-1].rule in (rule, None)):
            last = edits[-1]
            edits[-1] = Edit(last.rule or rule, last.start, end, text[last.start:end], "")
        else:
            edits.append(Edit(rule, start, end, text[start:end], ""))
    fallback = next(iter(drop.values()))
    return [e if e.rule else Edit(fallback, e.start, e.end, e.before, e.after) for e in edits]
