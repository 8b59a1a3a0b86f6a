"""Stage 3, scraped boilerplate: whole lines that are page furniture, not article text.

Line patterns live in ``data/boilerplate.tsv``; photo credits use ``data/photo_agencies.txt``.
A line is dropped only when all of it is boilerplate; a paywall label glued to
real text loses the label and keeps the text. Blank lines are tidied so a
dropped block leaves no gap.
"""
from __future__ import annotations

import os
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache, partial
from itertools import accumulate, repeat
from operator import add, methodcaller

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
    line_rules: dict[str, str]             # group name -> rule, for the line patterns
    by_first: dict                         # first char -> the line patterns that can match
    by_start: dict                         # first 3 chars (ASCII) -> the line patterns that can match
    guarded: list[tuple[tuple[str, ...], re.Pattern, str]]   # (needs, pattern, rule)
    prefix: re.Pattern
    prefix_rules: dict[str, str]
    header: re.Pattern
    credit: re.Pattern                     # searched in " " + line (see _credit_pattern)
    credit_ends: frozenset
    scans: "_Scans"


def _alternation(rows, kind, guarded=None, parts_out=None):
    """One alternation (its source) of the kind's patterns; with ``guarded`` (a list),
    patterns that have ``needs`` words go there instead, each compiled on its own."""
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
            parts_out.append((f"(?P<{name}>{pat})", _first_chars(pat), pat))
    return "|".join(parts), names


@lru_cache(maxsize=None)
def _parsed(pattern: str):
    """re's parse tree of a case-insensitive pattern (a private API), for the analyses below."""
    from re import _parser
    return _parser.parse(pattern, re.I)


def _first_chars(pattern: str) -> frozenset[str] | None:
    """Lower-case characters a match can start with, or None if any (or unknown).

    Read from the parsed pattern (re's parser), so a line is tried only against the
    patterns that can start with its first character.
    """
    try:
        from re import _constants as c
        parsed = _parsed(pattern)
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
    """A photo credit at the end of a line, to search in " " + line.

    Strong: "NAME NAME / AFP" in capitals; "(Name Name / AFP)", "(Photo by Name / AFP)",
    "Photo Name / AFP", "— Name / SIPA" (a name in any case, after a bracket, a dash or
    "Photo"); "REUTERS/Name Name"; "Photo: ...", "Credit: ...", "© ...". Weak: an agency
    alone (" AP"), a caption only when the same caption stands just before it.

    A credit starts the line or follows a whitespace: the pattern starts with a whitespace
    and is searched in " " + line, so re tries it only there (fast), and a match starts
    where the credit starts in the line. The agency names are a trie: quicker to try.
    """
    agency = _trie_regex(set(data.read_lines("photo_agencies.txt")), bytes_=False)
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
    return re.compile(rf"\s(?:(?P<strong>{strong})|(?P<weak>{agency}))$")


@lru_cache(maxsize=1)
def rules() -> Rules:
    """The compiled rules; the analysis behind the scans takes ~0.1 s, so they are cached on
    disk by a hash of the data files and this module (see cache.py)."""
    import hashlib
    import sys
    from pathlib import Path

    from . import cache
    h = hashlib.sha256(sys.version.encode())
    h.update(Path(__file__).read_bytes())
    for name in ("boilerplate.tsv", "photo_agencies.txt"):
        h.update(data.read_text(name).encode())
    digest = h.hexdigest()
    cached = cache.get(digest, "boilerplate")
    if cached is not None:
        return cached.rules
    built = _build_rules()
    cache.put(digest, _Cached(digest, built), "boilerplate")
    return built


@dataclass(frozen=True)
class _Cached:
    digest: str
    rules: Rules


def _build_rules() -> Rules:
    rows = data.read_table("boilerplate.tsv")
    guarded: list = []
    parts: list = []
    _, line_rules = _alternation(rows, "line", guarded, parts)   # lines go through the dispatches
    by_first = _Dispatch(parts)
    by_start = _StartDispatch(parts)
    prefix, prefix_rules = _alternation(rows, "prefix")
    header, _ = _alternation(rows, "header")
    prefix, header = re.compile(prefix, re.I), re.compile(header, re.I)
    ends = frozenset(a.split()[-1] for a in data.read_lines("photo_agencies.txt"))
    scans = _scans(rows, guarded, ends)
    return Rules(line_rules, by_first, by_start, guarded, prefix, prefix_rules, header,
                 _credit_pattern(), ends, scans)


class _Dispatch(dict):
    """First character -> one alternation of the patterns that can start with it (plus
    those that can start with anything). Compiled on first use: a line rarely needs all."""

    def __init__(self, parts):
        super().__init__()
        self.parts = parts

    def __missing__(self, ch: str):
        chosen = [p for p, first, _ in self.parts if first is None or ch in first]
        self[ch] = re.compile("|".join(chosen), re.I) if chosen else None
        return self[ch]


def _may_start(key: str, prefixes: frozenset) -> bool:
    """Whether ``key`` (a line's first 3 characters, or fewer) starts with one of the prefixes."""
    return key[:3] in prefixes or key[:2] in prefixes or key[:1] in prefixes or "" in prefixes


class _StartDispatch(dict):
    """The first 3 characters of a line (lower-case, from an ASCII line start) -> one
    alternation of the patterns of ``by_first`` that can start so (see _ascii_prefixes):
    fewer patterns to try than by the first character alone."""
    KEY = 3

    def __init__(self, parts):
        super().__init__()
        self.parts = [(p, first, frozenset(_ascii_prefixes(raw, self.KEY))) for p, first, raw in parts]
        self.compiled: dict[tuple, re.Pattern | None] = {}    # the chosen patterns -> alternation

    def __missing__(self, key: str):
        chosen = tuple(p for p, first, starts in self.parts
                       if (first is None or key[0] in first) and _may_start(key, starts))
        if chosen not in self.compiled:
            self.compiled[chosen] = re.compile("|".join(chosen), re.I) if chosen else None
        if len(self) > 50_000:          # bound the memory a strange text can take
            self.clear()
        self[key] = self.compiled[chosen]
        return self[key]


def classify_line(line: str) -> str | None:
    """The boilerplate rule a whole line falls under, or None for article text.

    >>> classify_line("READ ALSO: Syria, the forgotten war")
    'boilerplate.cross_link'
    >>> classify_line("The regime resumed its offensive on Thursday.") is None
    True
    """
    s = line.strip()
    if not s:
        return None
    return _line_rule(s) or _guarded_rule(s)


def _line_rule(s: str) -> str | None:
    """The rule of the unguarded line pattern that ``s`` (stripped, not empty) matches."""
    if len(s) > MAX_BOILERPLATE_LINE:
        return None
    r = rules()
    start = s[:_StartDispatch.KEY]
    pattern = r.by_start[start.lower()] if start.isascii() else r.by_first[s[0].lower()]
    m = pattern.fullmatch(s) if pattern is not None else None
    return r.line_rules[m.lastgroup] if m else None


def _guarded_rule(s: str, i: int = 0, candidates=None) -> str | None:
    """The rule of the first guarded pattern (one of its words in the line) that ``s`` matches.
    ``candidates``: for each guarded pattern, the lines it may match (line ``i`` is ``s``)."""
    if len(s) > MAX_GUARDED_LINE:
        return None
    r = rules()
    start = s[:_StartDispatch.KEY]
    key = start.lower() if start.isascii() else ""      # "": may start anyhow
    low = None
    for (needs, pattern, rule), starts, lines in zip(r.guarded, r.scans.guarded_starts,
                                                     candidates or repeat((i,))):
        if i in lines and (not key or _may_start(key, starts)):
            low = low or s.lower()
            for w in needs:
                if w in low:
                    if pattern.fullmatch(s):
                        return rule
                    break
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
    a0, b0 = a[:1], b[:1]
    if a0.isalnum() and b0.isalnum() and a0.lower()[0] != b0.lower()[0]:
        return False            # the first letters differ (a cheap test before the next one)
    if _NOT_ALNUM.sub("", a[:40]).lower()[:12] != _NOT_ALNUM.sub("", b[:40]).lower()[:12]:
        return False
    key = _NOT_ALNUM.sub("", a).lower()
    return bool(key) and key == _NOT_ALNUM.sub("", b).lower()


def _is_link_title(line: str) -> bool:
    """A headline-like line: short, and not ending like a sentence."""
    return len(line) <= MAX_LINK_TITLE and not line.endswith((".", "!", "?", "…", ":", ";", ",", '"', "”", "’", "'"))


_CREDIT_WORDS = ("credit", "crédit", "photo", "image", "picture", "illustration")


_CREDIT_WORD = re.compile("|".join(_CREDIT_WORDS))


def _may_end_with_credit(line: str, ends: frozenset) -> bool:
    """Cheap test before the credit pattern: the last word is an agency, or a credit label is present."""
    if line.endswith(")") or "©" in line or "/" in line[-80:] or "PHOTO" in line[-90:]:
        return True
    if ":" in line and _CREDIT_WORD.search(line.lower()):
        return True
    return (line[-1:] in rules().scans.end_chars and bool(line.strip(")] "))
            and line.rstrip(")]").rsplit(None, 1)[-1] in ends)


def _caption(line: str) -> tuple[str, bool] | None:
    """(caption text, strong credit?) if the line ends with a photo credit."""
    r = rules()
    if not _may_end_with_credit(line, r.credit_ends):
        return None
    m = r.credit.search(" " + line)     # offsets as in line (see _credit_pattern)
    if not m:
        return None
    return line[:m.start()].rstrip(), m.group("strong") is not None


# ---- Whole-chunk scans ---------------------------------------------------------------------
# Most lines are prose. Rather than trying every test on every line, a few C-level scans over
# the chunk (as bytes, ASCII-lower-cased: see _suspects) pick the lines that *may* pass a test;
# only those lines get it. Each scan finds a superset of the lines its test accepts, so the
# result is the same as testing every line.

_SCAN_CHARS = 7          # leading characters of a line the line-start scan looks at (more: a bigger regex, slower to compile at start-up)
_MAX_PREFIXES = 100
# Non-ASCII characters that re.I matches to an ASCII letter (and so may pass for one), the
# first and last also in "word in line.lower()". A text with one is scanned no further.
_ASCII_TWINS = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}
_ASCII_SPACE = "".join(chr(x) for x in range(128) if chr(x).isspace() and chr(x) != "\n")


@dataclass(frozen=True)
class _Scans:
    line_start: re.Pattern          # "\n" + a line start that some line/prefix pattern may match
    # Each guarded pattern: the scans (any) finding the lines it may match; None: line_start.
    guarded: tuple[tuple[re.Pattern | None, ...] | None, ...]
    guarded_starts: tuple[frozenset, ...]   # each guarded pattern: how it may start (3 chars)
    end_chars: frozenset            # last characters of a line whose last word may be an agency


# ASCII characters (lower case, but "\n") of the categories a class may hold.
_CATEGORY_CHARS = {
    name: frozenset(ch.lower() for ch in map(chr, range(128)) if ch != "\n" and re.match(probe, ch))
    for name, probe in (("CATEGORY_DIGIT", r"\d"), ("CATEGORY_SPACE", r"\s"), ("CATEGORY_WORD", r"\w"))}


def _ascii_chars(item, c, strict: bool = False) -> set[str] | None:
    """Lower-case ASCII characters one parsed item matches under re.I (None: unknown).
    ``strict``: None as well if the item may match a character not ASCII (but a twin)."""
    op, av = item
    if op is c.LITERAL:
        ch = chr(av)
        if strict and not ch.isascii():
            return None
        return {ch.lower()} if ch.isascii() else {_ASCII_TWINS[ch]} if ch in _ASCII_TWINS else set()
    if op is not c.IN:
        return None
    out: set[str] = set()
    for op2, av2 in av:
        if op2 is c.LITERAL:
            chars = _ascii_chars((op2, av2), c, strict)
            if chars is None:
                return None
            out |= chars
        elif op2 is c.RANGE:
            lo, hi = av2
            if strict and hi > 127:
                return None
            out.update(chr(x).lower() for x in range(lo, min(hi, 127) + 1))
            out.update(a for t, a in _ASCII_TWINS.items() if lo <= ord(t) <= hi)
        elif op2 is c.CATEGORY and getattr(av2, "name", None) in _CATEGORY_CHARS and not strict:
            out |= _CATEGORY_CHARS[av2.name]
        else:
            return None
    return out


def _ascii_prefixes(pattern: str, k: int = _SCAN_CHARS, strict: bool = False, skip: int = 0) -> set[str]:
    """Lower-case strings (at most k long), one of which starts every line that the
    pattern matches (from its start) and whose first k characters are ASCII.
    A "" in the set means any line. ``strict``: whatever the characters (but twins) of
    the line. ``skip``: of the pattern's top-level items, the first ones."""
    try:
        from re import _constants as c
        parsed = _parsed(pattern)[skip:]
    except Exception:  # noqa: BLE001 - a private API: any change means "unknown"
        return {""}

    def walk(seq, open_):
        """Extend the open prefixes through ``seq``: (still open, closed) prefixes."""
        closed: set[str] = set()
        for item in seq:
            op, av = item
            if not open_:
                break
            if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
                continue                        # zero-width: ignoring it only widens the set
            if op is c.SUBPATTERN:
                open_, more = walk(av[-1], open_)
                closed |= more
            elif op is c.BRANCH:
                alts = [walk(alt, open_) for alt in av[1]]
                open_ = set().union(*(o for o, _ in alts))
                closed = closed.union(*(cl for _, cl in alts))
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
                lo, hi, sub = av
                for _ in range(min(lo, k)):
                    open_, more = walk(sub, open_)
                    closed |= more
                if hi > lo:                     # one more round, or none ...
                    again, more = walk(sub, open_)
                    closed |= more
                    if hi > lo + 1:             # ... or more: stop there
                        closed |= again
                        again = set()
                    open_ = open_ | again
            else:
                chars = _ascii_chars(item, c, strict)
                if chars is None:
                    return set(), closed | open_
                open_ = {p + ch for p in open_ for ch in chars}
            full = {p for p in open_ if len(p) >= k}
            closed |= full
            open_ -= full
            if len(open_) > _MAX_PREFIXES:
                return set(), closed | open_
        return open_, closed

    open_, closed = walk(parsed, {""})
    return open_ | closed


def _trie_regex(words: set[str], bytes_: bool = True):
    """A regex matching any of the words, as a trie (cheap to try). Bytes (of ASCII words):
    it matches where a word starts; str: it matches whole words."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node) -> str:
        if "" in node and bytes_:
            return ""                           # a shorter prefix is enough
        alts = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        alts += [""] * ("" in node)             # a word ends here: or nothing more
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    return emit(trie).encode() if bytes_ else emit(trie)


def _scans(rows, guarded, ends) -> _Scans:
    prefixes: set[str] = set()
    for _, row in rows:
        if row["kind"] == "prefix" or (row["kind"] == "line" and not row.get("needs", "").strip()):
            prefixes |= _ascii_prefixes(row["pattern"])
    guarded_scans = []
    for needs, pattern, _ in guarded:
        ps = _ascii_prefixes(pattern.pattern)
        if min(map(len, ps), default=2) >= 2 and len({p[:2] for p in ps}) <= 100:
            prefixes |= ps
            guarded_scans.append(None)
        else:   # a pattern that can start almost anyhow: look for a string it needs, or its words
            needed = _needed(pattern.pattern)
            guarded_scans.append((re.compile(_trie_regex(needed)),) if needed
                                 else tuple(_word_scan(w) for w in needs))
    k = _SCAN_CHARS - 1
    space = re.escape(_ASCII_SPACE.encode())
    # After the leading spaces: a prefix, or a character that is not ASCII within k + 1.
    line_start = re.compile(b"\\n[" + space + b"]*(?:" + _trie_regex(prefixes)
                            + b"|[^\\n\\x80-\\xff?]{0,%d}+[\\x80-\\xff?])" % k)
    guarded_starts = tuple(frozenset(_ascii_prefixes(pattern.pattern, _StartDispatch.KEY))
                           for _, pattern, _ in guarded)
    return _Scans(line_start, tuple(guarded_scans), guarded_starts,
                  frozenset(e[-1] for e in ends) | frozenset(")]"))


def _needed(pattern: str) -> set[str] | None:
    """Lower-case strings, one of which is in any line the pattern matches (but for lines with
    twins), all starting alike (quick to look for); None if there are none such."""
    best: set[str] | None = None
    try:
        items = len(_parsed(pattern))
    except Exception:  # noqa: BLE001 - a private API: any change means "unknown"
        return None
    for skip in range(1, items):
        strings = _ascii_prefixes(pattern, strict=True, skip=skip)
        head = os.path.commonprefix(sorted(strings))
        if len(head) >= 4 and (best is None or len(head) > len(os.path.commonprefix(sorted(best)))):
            best = strings
    return best


def _word_scan(word: str) -> re.Pattern | None:
    """A pattern finding ``word`` (lower case) wherever ``word in line.lower()``: in the
    lower-cased bytes if ASCII, in the text itself if caseless; None: look everywhere."""
    if word.isascii():
        return re.compile(re.escape(word.encode()))
    return re.compile(re.escape(word)) if word.upper() == word.lower() else None


_START = methodcaller("start")


def _suspects(text: str, starts: list[int], scans: _Scans) -> tuple[set[int], list[set[int]]]:
    """Indices of the lines that may match a pattern from their start, and, for each guarded
    pattern, of the lines it may match. ``starts``: the lines' offsets."""
    # One byte a character (so offsets are the text's): ASCII lower-cased, the rest as
    # Latin-1 or "?" (taken as "not ASCII").
    view = text
    for twin, ascii_ in _ASCII_TWINS.items():   # "ı" matches "i" in a case-blind pattern:
        if twin in view:                       # show it to the scans as "i" (same length)
            view = view.replace(twin, ascii_)
    low = view.encode("latin-1", "replace").lower()
    # (map, partial and methodcaller keep the many matches out of Python code)
    found_at = scans.line_start.finditer(b"\n" + low)
    at_start = set(map(partial(bisect_left, starts), map(_START, found_at)))
    line_of = partial(bisect_right, starts[1:])         # the index of the line at an offset
    all_scans = {scan for scans_ in scans.guarded if scans_ for scan in scans_}
    everywhere = set(range(len(starts))) if None in all_scans else None
    found: dict[re.Pattern, set[int]] = {}
    for scan in all_scans:
        if scan is not None:
            if isinstance(scan.pattern, str):
                found[scan] = set(map(line_of, map(_START, scan.finditer(text))))
            else:
                found[scan] = set(map(line_of, map(_START, scan.finditer(low))))
    guarded = [at_start if scans_ is None else set().union(*(found.get(s, everywhere) for s in scans_))
               for scans_ in scans.guarded]
    return at_start, guarded


def _line_starts(lines) -> list[int]:
    """Offset of each line (and one past the end) in the text the lines were split from."""
    return list(accumulate(map(add, map(len, lines), repeat(1)), initial=0))


def strip_boilerplate(text: str, *, final: bool = True, **_) -> Explained:
    """Drop boilerplate lines, captions and credits; tidy the blank lines they leave.

    >>> strip_boilerplate("Title\\n\\nRead also: more news\\n\\nBody.\\n").text
    'Title\\n\\nBody.\\n'
    """
    r = rules()
    lines = text.split("\n")
    starts = _line_starts(lines)
    # The lines that may match a line pattern (or a label) from their start; those that each
    # guarded pattern may match; the lines worth more than a duplicate and caption test.
    at_start, guarded = _suspects(text, starts, r.scans)
    any_guarded = set().union(*guarded)
    suspects = at_start | any_guarded
    end_chars, credit_word = r.scans.end_chars, _CREDIT_WORD.search
    header = r.header.fullmatch
    drop: dict[int, str] = {}
    inline: list[tuple[int, int, str, str]] = []   # (line, lead, label, rule) of glued labels
    alive: list[tuple[int, str]] = []  # (index, text) of the lines kept so far: duplicates are
    prev = None                        # judged against the last one, prev
    in_links = False  # after a links heading ("Related Articles"), short title lines are links
    for i, ln in enumerate(lines):
        s = ln.strip()
        if not s:
            continue
        rule = None
        if i in suspects or in_links:     # else: not boilerplate, nor a link, nor a label
            if i in at_start:
                rule = _line_rule(s)
            if rule is None and i in any_guarded:
                rule = _guarded_rule(s, i, guarded)
            if rule is None and in_links and _is_link_title(s):
                rule = "boilerplate.cross_link"
            if rule is not None or in_links:
                in_links = (rule is not None and header(s) is not None) or (
                    in_links and rule == "boilerplate.cross_link")
            if rule is None and i in at_start:
                pre = _strip_prefix(s)
                if pre:
                    rest = s[pre[0]:].strip()
                    if not rest or classify_line(rest):
                        rule = pre[1]
                    else:
                        inline.append((i, len(ln) - len(ln.lstrip()), s[:pre[0]], pre[1]))
                        s = rest                       # what the line will say
        if rule is None and (s[-1] in end_chars or "/" in s or "©" in s or "PHOTO" in s or (
                ":" in s and credit_word(s.lower()))):       # see _may_end_with_credit
            cap = _caption(s)
            if cap is not None:
                caption, strong = cap
                if prev and caption and _same(prev[1], caption):
                    drop[prev[0]] = "boilerplate.caption"
                    alive.pop()
                    prev = alive[-1] if alive else None
                    rule = "boilerplate.caption"
                elif not caption or (strong and len(caption) <= MAX_CAPTION):
                    rule = "boilerplate.caption"
        if rule is None and prev:
            p = prev[1]
            if s == p or (abs(len(s) - len(p)) <= 8 + len(s) // 8 and _same(s, p)):
                rule = "boilerplate.duplicate_line"
        if rule is not None:
            drop[i] = rule
        else:
            alive.append(prev := (i, s))
    if not drop and not inline:
        return Explained(text, [])
    edits = _drop_lines(text, lines, starts, drop, final) if drop else []   # sorted
    labels = []    # the glued labels, but in dropped lines
    for i, lead, label, rule in inline:
        start = starts[i] + lead
        if not any(d.start <= start < d.end for d in edits):
            labels.append(Edit(rule, start, start + len(label), label, ""))
    if labels:
        edits = sorted(edits + labels, key=lambda e: (e.start, e.end))
    return Explained(apply_edits(text, edits), edits)


def _drop_lines(text, lines, starts, drop, final) -> list[Edit]:
    """Edits removing dropped lines and the blank lines they would leave behind.

    After a kept line, the first run of blank lines stays and later runs (up to the next kept
    line) go; with ``final``, so does the run after the last kept line if lines were dropped
    after it. Only runs next to dropped lines can go, so only those are looked at.
    """
    n = len(lines) - (1 if lines[-1] == "" else 0)   # a final "" is not a line

    def blank_run(i):
        j = i
        while j < n and not lines[j].strip():
            j += 1
        return range(i, j)

    last_kept = n - 1    # the last kept content line (-1: none)
    while last_kept >= 0 and (last_kept in drop or not lines[last_kept].strip()):
        last_kept -= 1
    remove = set(drop)
    for d in drop:
        if d + 1 < n and d + 1 not in drop and not lines[d + 1].strip():
            k = d - 1    # back over the dropped lines just before d
            while k in drop:
                k -= 1
            # A second run since the last kept line, or none kept yet, or the end: it goes.
            if k < 0 or not lines[k].strip() or (final and k == last_kept):
                remove.update(blank_run(d + 1))
    if final and 0 <= last_kept < n - 1 and not lines[last_kept + 1].strip() and max(drop) > last_kept:
        remove.update(blank_run(last_kept + 1))

    spans = []    # (rule, start, end): consecutive lines merge if their rules agree
    rule0, start0, end0 = None, -1, -1
    for i in sorted(remove):
        start, rule = starts[i], drop.get(i)
        if start == end0 and (rule is None or rule0 in (rule, None)):
            rule0 = rule0 or rule
        else:
            spans.append((rule0, start0, end0))
            rule0, start0 = rule, start
        end0 = starts[i + 1]
    spans.append((rule0, start0, min(end0, len(text))))     # the last line has no "\n"
    fallback = next(iter(drop.values()))
    return [Edit(rule or fallback, start, end, text[start:end], "") for rule, start, end in spans[1:]]
