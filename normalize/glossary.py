"""Stage 4, glossary: team-edited TSV files compiled into one Aho-Corasick matcher.

Semantics (see glossaries/README.md):
- whole words, Unicode-aware; leftmost match, longest first; one pass, so a
  replacement is never matched again;
- spelling variants fold together: case, diacritics (Khameneï = Khamenei),
  hyphen or space (Al-Cham = Al Cham), straight or curly apostrophes;
- the target keeps its own case, but takes a capital at the start of a sentence
  and all capitals in an all-caps match;
- layers: the shipped files, then each ``--glossary`` path in order. A later
  layer replaces an earlier entry only with ``status=override`` (or removes it
  with ``status=disabled``); any other repeat of a source is an error.
"""
from __future__ import annotations

import functools
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .edits import Edit, Explained
from . import cache as _cache
from .matcher import REGEX_TIMEOUT
from .textutil import capitalize_first, fold, is_all_caps, is_sentence_start

COLUMNS = ("source", "target", "note", "source_ref", "case", "match", "context", "example", "status", "scope")
REQUIRED = ("source", "target")
CASES = ("auto", "exact", "any")
MATCHES = ("word", "regex")
STATUSES = ("approved", "proposed", "disabled", "override")
SCOPES = ("article", "paragraph")

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "glossaries"
ENV_VAR = "MTNORM_GLOSSARY"


class GlossaryError(ValueError):
    """Malformed glossary. ``problems`` holds one ``FILE:LINE: message`` string each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(problems[0] if len(problems) == 1 else
                         f"{problems[0]} (and {len(problems) - 1} more problems)")


# Two capitals in a row: an acronym or a name like "McDonald"'s inner capital... (see effective_case)
_TWO_CAPS = re.compile("[A-ZÀ-ÖØ-Þ]{2}")


@dataclass(eq=False)
class Entry:
    source: str
    target: str
    file: str
    line: int
    note: str = ""
    source_ref: str = ""
    case: str = "auto"
    match: str = "word"
    context: str = ""
    example: str = ""
    status: str = "approved"
    scope: str = "article"          # where the context must occur
    _context_re: object = field(default=None, repr=False)
    _regex: object = field(default=None, repr=False)
    key: str = field(init=False, repr=False)
    effective_case: str = field(init=False, repr=False)

    def __post_init__(self):
        # The matching key: folded (case, diacritics, hyphens, apostrophes) for word entries.
        self.key = fold(self.source) if self.match == "word" else "re:" + self.source
        # auto: acronyms (two capitals in a row) match only as written or in all capitals.
        if self.case != "auto":
            self.effective_case = self.case
        else:
            self.effective_case = "exact" if _TWO_CAPS.search(self.source) else "any"

    @property
    def rule(self) -> str:
        return f"glossary:{self.file}:{self.line}"

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    def row(self) -> tuple:
        return (self.source, self.target, self.file, self.line, self.note, self.source_ref, self.case,
                self.match, self.context, self.example, self.status, self.scope)

    @classmethod
    def from_row(cls, row: tuple) -> "Entry":
        e = cls(*row)
        _compile_entry(e)
        return e


# --------------------------------------------------------------------------- loading

def _display(path: Path) -> str:
    try:
        rel = path.resolve().relative_to(SHIPPED_DIR.parent)
        return str(rel)
    except ValueError:
        return str(path)


def glossary_files(path: Path) -> list[Path]:
    """A glossary path is a .tsv file or a directory of them (sorted by name)."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix == ".tsv" and p.is_file())
    return [path]


def read_entries(path: Path, raw: bytes | None = None) -> tuple[list[Entry], list[str]]:
    """Entries of one TSV file and the problems found (``FILE:LINE: message``)."""
    name = _display(path)
    problems: list[str] = []
    if raw is None:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            return [], [f"{name}:0: cannot read: {exc.strerror or exc}"]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        return [], [f"{name}:{line}: not UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8"]
    if text.startswith("\ufeff"):
        text = text[1:]
    entries: list[Entry] = []
    header = None
    for lineno, line in enumerate(text.split("\n"), 1):
        line = line.rstrip("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split("\t")
        if header is None:
            header = [f.strip().lower() for f in fields]
            missing = [c for c in REQUIRED if c not in header]
            unknown = [c for c in header if c not in COLUMNS]
            if missing:
                problems.append(f"{name}:{lineno}: header lacks column(s) {', '.join(missing)}; "
                                f"the first non-comment line must name the columns, e.g. 'source<TAB>target<TAB>note'")
                return [], problems
            if unknown:
                problems.append(f"{name}:{lineno}: unknown column(s) {', '.join(unknown)}; "
                                f"known columns: {', '.join(COLUMNS)}")
            positions = [header.index(c) if c in header else None for c in COLUMNS]
            continue
        if len(fields) > len(header):
            problems.append(f"{name}:{lineno}: {len(fields)} fields but the header has {len(header)} "
                            f"(a stray tab?)")
            continue
        v = [fields[i].strip() if i is not None and i < len(fields) else "" for i in positions]
        e = Entry(v[0], v[1], name, lineno, v[2], v[3], v[4].lower() or "auto", v[5].lower() or "word",
                  v[6], v[7], v[8].lower() or "approved", v[9].lower() or "article")
        bad = _check_entry(e)
        if bad:
            problems.append(f"{name}:{lineno}: {bad}")
            continue
        entries.append(e)
    if header is None:
        problems.append(f"{name}:1: no header row; the first non-comment line must be 'source<TAB>target...'")
    return entries, problems


def _check_entry(e: Entry) -> str | None:
    if not e.source:
        return "empty source"
    if not e.target and e.status != "disabled":
        return f"empty target for source {e.source!r}"
    if e.case not in CASES:
        return f"case must be one of {', '.join(CASES)}, not {e.case!r}"
    if e.match not in MATCHES:
        return f"match must be one of {', '.join(MATCHES)}, not {e.match!r}"
    if e.status not in STATUSES:
        return f"status must be one of {', '.join(STATUSES)}, not {e.status!r}"
    if e.scope not in SCOPES:
        return f"scope must be one of {', '.join(SCOPES)}, not {e.scope!r}"
    return _compile_entry(e)


def _compile_entry(e: Entry) -> str | None:
    """Compile an entry's regular expressions; a message if they are bad."""
    if e.match != "regex" and not e.context:
        return None
    import regex
    if e.match == "regex":
        try:
            flags = regex.V1 | (0 if e.case == "exact" else regex.IGNORECASE)
            e._regex = regex.compile(e.source, flags)
        except regex.error as exc:
            return f"bad regular expression {e.source!r}: {exc}"
        if e._regex.search("", timeout=REGEX_TIMEOUT) is not None:
            return f"regular expression {e.source!r} matches the empty string"
    if e.context:
        try:
            e._context_re = regex.compile(e.context, regex.IGNORECASE | regex.V1)
        except regex.error as exc:
            return f"bad context expression {e.context!r}: {exc}"
        words = context_words(e.context)
        if words:
            e._context_re = _ContextWords(words)
    return None


# A context that is only an alternation of words ("Sudan|Rapid Support|\bFSR\b", optional
# letters as in "deaths?") is checked as substrings of the folded text: much faster than
# a regex over a whole article, and never slower to fail. Anything else stays a regex.
_SIMPLE_CONTEXT = re.compile(r"(?:[\w '’\-|]|\\b|\(\?:|\)|(?<=\w)\?)+")


def context_words(context: str) -> tuple[str, ...] | None:
    """
    >>> context_words(r"\\b(?:dead|deaths?|killed)\\b"), context_words("Qa[iï]da|x")
    (('dead', 'death', 'killed'), None)
    """
    if not _SIMPLE_CONTEXT.fullmatch(context):
        return None
    flat = re.sub(r"\\b|\(\?:|\)", "", context)
    flat = re.sub(r"\w\?", "", flat)          # an optional letter: the rest must still occur
    words = tuple(fold(w) for w in flat.split("|"))
    return words if all(len(w.strip()) >= 2 for w in words) else None


class _ContextWords:
    """A context of plain words, checked on folded text."""

    __slots__ = ("words",)

    def __init__(self, words):
        self.words = words

    def found_in(self, folded: str) -> bool:
        return any(w in folded for w in self.words)

    def __reduce__(self):
        return (_ContextWords, (self.words,))


class _Subset:
    """Some of a sequence's items, by index, without building them."""

    def __init__(self, items, indices: list[int]):
        self._items = items
        self._indices = indices

    def __len__(self) -> int:
        return len(self._indices)

    def __getitem__(self, i: int):
        return self._items[self._indices[i]]

    def __iter__(self):
        return (self[i] for i in range(len(self._indices)))


class _LazyEntries:
    """Entries kept as tuples (quick to unpickle) and built into Entry objects on use."""

    def __init__(self, rows: list[tuple]):
        self._rows = rows
        self._built: dict[int, Entry] = {}

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, i: int) -> Entry:
        e = self._built.get(i)
        if e is None:
            e = self._built[i] = Entry.from_row(self._rows[i])
        return e

    def __iter__(self):
        return (self[i] for i in range(len(self._rows)))


class Glossary:
    """Validated entries of all layers, and the matcher compiled from the active ones."""

    def __init__(self, entries: list[Entry], files: list[str], digest: str):
        self.entries = entries
        self.files = files
        self.digest = digest
        self._active = None
        self._matcher = None

    @property
    def active(self):
        """Entries that apply (approved or override), in file order."""
        if self._active is None:
            self._active = [e for e in self.entries if e.status in ("approved", "override")]
        return self._active

    def matcher(self):
        if self._matcher is None:
            from .matcher import Matcher
            self._matcher = Matcher(self.active)
        return self._matcher

    def __getstate__(self):
        m = self.matcher()
        position = {id(e): i for i, e in enumerate(self.entries)}
        return {"rows": [e.row() for e in self.entries], "active": [position[id(e)] for e in m.entries],
                "files": self.files, "digest": self.digest, "matcher": m.__getstate__()}

    def __setstate__(self, state):
        from .matcher import Matcher
        self.entries = _LazyEntries(state["rows"])
        active = _Subset(self.entries, state["active"])
        self._active = active
        self.files = state["files"]
        self.digest = state["digest"]
        self._matcher = Matcher.__new__(Matcher)
        self._matcher.__setstate__(state["matcher"], active)


def layer_paths(extra: list[Path] | None = None, *, shipped: bool = True,
                use_env: bool = True) -> list[Path]:
    """Glossary layers in order: shipped, $MTNORM_GLOSSARY (os.pathsep-separated), extra."""
    paths = [SHIPPED_DIR] if shipped else []
    if use_env and os.environ.get(ENV_VAR):
        paths += [Path(p) for p in os.environ[ENV_VAR].split(os.pathsep) if p]
    return paths + list(extra or [])


def load(paths: list[Path], *, check_chains: bool = True, cache: bool = True) -> Glossary:
    """Read and validate layers; raise GlossaryError listing every problem.

    A validated glossary is cached (with its compiled matcher) under the cache
    directory, keyed by the content of every file, so an unchanged glossary
    loads without being parsed or compiled again.
    """
    problems: list[str] = []
    layers: list[list[tuple[Path, bytes]]] = []
    h = hashlib.sha256(f"mtnorm-glossary-v1 {_version()}".encode())
    for path in paths:
        if not path.exists():
            problems.append(f"{path}:0: no such glossary file or directory")
            layers.append([])
            continue
        layer = []
        for f in glossary_files(path):
            try:
                raw = f.read_bytes()
            except OSError as exc:
                problems.append(f"{_display(f)}:0: cannot read: {exc.strerror or exc}")
                continue
            h.update(_display(f).encode() + b"\0" + raw + b"\0")
            layer.append((f, raw))
        layers.append(layer)
    digest = h.hexdigest()
    if cache and not problems:
        cached = _cache.get(digest)
        if cached is not None:
            return cached
    by_key: dict[str, Entry] = {}
    layer_of: dict[str, int] = {}
    files: list[str] = []
    for layer_no, layer in enumerate(layers):
        for f, raw in layer:
            files.append(_display(f))
            entries, probs = read_entries(f, raw)
            problems += probs
            for e in entries:
                k = e.key
                first = by_key.get(k)
                if first is None:
                    if e.status == "override":
                        problems.append(f"{e.where}: status 'override' but no earlier layer has "
                                        f"source {e.source!r}")
                        continue
                    by_key[k] = e
                    layer_of[k] = layer_no
                elif layer_of[k] < layer_no and e.status in ("override", "disabled"):
                    by_key[k] = e
                    layer_of[k] = layer_no
                elif layer_of[k] < layer_no:
                    problems.append(f"{e.where}: source {e.source!r} is already defined at {first.where}; "
                                    f"set status to 'override' to replace it or 'disabled' to remove it")
                else:
                    problems.append(f"{e.where}: duplicate source {e.source!r} (first at {first.where})")
    g = Glossary(list(by_key.values()), files, digest)
    if check_chains and not problems:
        problems += chain_problems(g)
    if problems:
        raise GlossaryError(problems)
    if cache:
        _cache.put(digest, g)
    return g


def chain_problems(g: Glossary) -> list[str]:
    """A target that another entry would rewrite breaks idempotence (chains, cycles).

    All targets are matched in one pass, separated by blank lines.
    """
    words = [e for e in g.active if e.match == "word"]
    sep = "\n\n"
    starts, pos = [], 0
    for e in words:
        starts.append(pos)
        pos += len(e.target) + len(sep)
    joined = sep.join(e.target for e in words)
    problems, reported = [], set()
    import bisect
    for start, end, other, _ in g.matcher().find(joined):
        i = bisect.bisect_right(starts, start) - 1
        e = words[i]
        if i in reported or end > starts[i] + len(e.target):
            continue
        if other is e:
            if fold(e.target) == fold(e.source):
                continue  # a keep entry, or a case-only fix ("Al-Qaeda" -> "al-Qaeda")
            problems.append(f"{e.where}: target {e.target!r} contains its own source, "
                            f"so every run would rewrite it again")
        else:
            problems.append(f"{e.where}: chain: target {e.target!r} contains {other.source!r}, "
                            f"the source of {other.where}; write the final form as the target")
        reported.add(i)
    return problems


def _version() -> str:
    """mtnorm's version and a hash of the code a cached glossary depends on."""
    from . import __version__
    code = hashlib.sha256()
    for name in ("glossary.py", "matcher.py", "textutil.py"):
        code.update((Path(__file__).parent / name).read_bytes())
    return f"{__version__}+{code.hexdigest()[:12]}"



# --------------------------------------------------------------------------- applying

def adapt_case(matched: str, entry: Entry, text: str, start: int, target: str | None = None) -> str:
    """The target, cased for where it lands.

    >>> e = Entry("Al-Cham", "al-Sham", "t", 1)
    >>> adapt_case("Al-Cham", e, "x Al-Cham", 2), adapt_case("Al-Cham", e, "Al-Cham", 0)
    ('al-Sham', 'Al-Sham')
    >>> adapt_case("AL-CHAM", e, "AL-CHAM", 0)
    'AL-SHAM'
    """
    tgt = entry.target if target is None else target
    source_caps, source_first = _source_case(entry.source)
    if not source_caps and len(matched) > 1 and is_all_caps(matched):
        return tgt.upper()
    first = matched[0] if matched[:1].isalpha() else next((c for c in matched if c.isalpha()), "")
    if not first.isupper():
        return tgt
    capitalized = _capitalized(tgt)
    if capitalized == tgt:             # "SOHR": nothing to decide
        return tgt
    # A regex source says nothing about case: the matched text does.
    if entry.match == "regex" or source_first.islower() or is_sentence_start(text, start):
        return capitalized
    return tgt


@functools.cache
def _source_case(source: str) -> tuple[bool, str]:
    """Whether a source is in capitals, and its first letter ("" if none)."""
    return is_all_caps(source), next((c for c in source if c.isalpha()), "")


_capitalized = functools.lru_cache(maxsize=4096)(capitalize_first)


def apply_glossary(text: str, *, glossary: Glossary | None = None, **_) -> Explained:
    """Replace glossary sources with targets, in one pass.

    >>> g = load([SHIPPED_DIR])
    >>> apply_glossary("The OSDH said Hayat Tahrir Al-Cham advanced.", glossary=g).text
    'The SOHR said Hayat Tahrir al-Sham advanced.'
    """
    if glossary is None:
        return Explained(text, [])
    edits, parts, pos = [], [], 0
    for start, end, entry, target in glossary.matcher().find(text):
        matched = text[start:end]
        after = adapt_case(matched, entry, text, start, target)
        if after != matched:
            edits.append(Edit(entry.rule, start, end, matched, after))
            parts += (text[pos:start], after)      # as edits.apply_edits does
            pos = end
    if not edits:
        return Explained(text, [])
    parts.append(text[pos:])
    return Explained("".join(parts), edits)
