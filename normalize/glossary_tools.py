"""`mtnorm glossary` tools: lint, test, suggest, show.

Every finding is one line ``FILE:LINE: error|warning: message``.
"""
from __future__ import annotations

import collections
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from . import data
from .glossary import (REGEX_TIMEOUT, Entry, Glossary, GlossaryError, glossary_files, load,
                       read_entries)
from .textutil import fold

# Inputs that make a badly written regex backtrack for a long time.
_PATHOLOGICAL = ("a" * 3000 + "!", " " * 3000 + "!", "aaaa " * 800 + "!", "A-" * 1500 + "!")


@dataclass
class Finding:
    where: str
    level: str      # "error" or "warning"
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.level}: {self.message}"


def _catastrophic(e: Entry) -> bool:
    for probe in _PATHOLOGICAL:
        try:
            e._regex.search(probe, timeout=REGEX_TIMEOUT / 5)
        except TimeoutError:       # the regex module raises the builtin
            return True
    return False


def lint(paths: list[Path]) -> list[Finding]:
    """Check glossary files as one layered set; never raises on malformed input."""
    findings: list[Finding] = []
    entries: list[Entry] = []
    seen: dict[str, Entry] = {}
    layer_of: dict[str, int] = {}
    for layer, path in enumerate(paths):
        if not path.exists():
            findings.append(Finding(f"{path}:0", "error", "no such file or directory"))
            continue
        files = glossary_files(path)
        if not files:
            findings.append(Finding(f"{path}:0", "error", "no .tsv files here"))
        for f in files:
            raw = f.read_bytes()
            text = raw.decode("utf-8", errors="replace")
            for lineno, line in enumerate(text.split("\n"), 1):
                if line.strip() and not unicodedata.is_normalized("NFC", line):
                    findings.append(Finding(f"{_name(f)}:{lineno}", "error",
                                            "text is not in Unicode NFC (composed) form; "
                                            "re-save it normalized"))
                if line != line.rstrip() and line.strip() and not line.startswith("#"):
                    if line.rstrip("\r") != line:
                        findings.append(Finding(f"{_name(f)}:{lineno}", "warning",
                                                "Windows line ending (CR LF)"))
            got, problems = read_entries(f)
            for p in problems:
                where, msg = _split_problem(p)
                findings.append(Finding(where, "error", msg))
            for e in got:
                k = e.key
                first = seen.get(k)
                if first is not None:
                    if layer_of[k] < layer and e.status in ("override", "disabled"):
                        pass
                    elif layer_of[k] < layer:
                        findings.append(Finding(e.where, "error",
                                                f"source {e.source!r} is already defined at {first.where}; "
                                                f"set status to 'override' or 'disabled'"))
                        continue
                    elif first.target != e.target:
                        findings.append(Finding(e.where, "error",
                                                f"conflicting target for {e.source!r}: {e.target!r} here, "
                                                f"{first.target!r} at {first.where}"))
                        continue
                    else:
                        findings.append(Finding(e.where, "error",
                                                f"duplicate source {e.source!r} (first at {first.where})"))
                        continue
                seen[k] = e
                layer_of[k] = layer
                entries.append(e)
    active = [e for e in seen.values() if e.status in ("approved", "override")]
    g = Glossary(active, [], "")
    findings += _entry_findings(g)
    return sorted(findings, key=_order)


def _split_problem(p: str) -> tuple[str, str]:
    m = re.match(r"^(.*?:\d+): (.*)$", p)
    return (m.group(1), m.group(2)) if m else (p, "")


def _name(f: Path) -> str:
    from .glossary import _display
    return _display(f)


def _order(f: Finding):
    file, _, line = f.where.rpartition(":")
    return (file, int(line) if line.isdigit() else 0, f.message)


def _entry_findings(g: Glossary) -> list[Finding]:
    out: list[Finding] = []
    english = data.word_set("english_lowercase.txt")
    m = g.matcher()
    for e in g.entries:
        if not e.note:
            out.append(Finding(e.where, "warning", "no note: say why (French form, convention followed)"))
        if e.match == "regex":
            if _catastrophic(e):
                out.append(Finding(e.where, "error", "regular expression backtracks catastrophically "
                                                     "(nested repeats such as (a+)+); rewrite it"))
            continue
        if fold(e.target) != fold(e.source):
            for start, end, other, _ in m.find(e.target):
                if other is e:
                    continue
                kind = "cycle" if fold(other.target) in (fold(e.source),) else "chain"
                out.append(Finding(e.where, "error",
                                   f"{kind}: target {e.target!r} contains {other.source!r}, the source of "
                                   f"{other.where}, so a second run would change it again; "
                                   f"write the final form as the target"))
                break
        if e.effective_case == "any" and not e.context and " " not in e.source and e.source.lower() in english:
            out.append(Finding(e.where, "warning",
                               f"source {e.source!r} is an English word; add a context or use case=exact"))
        if e.example:
            if fold(e.source) not in fold(e.example):
                out.append(Finding(e.where, "warning", "the example does not contain the source"))
            else:
                winners = [c for c in m.find(e.example) if c[2] is not e
                           and fold(e.source) in fold(e.example[c[0]:c[1]])]
                if winners and not any(c[2] is e for c in m.find(e.example)):
                    w = winners[0][2]
                    out.append(Finding(e.where, "warning",
                                       f"shadowed by the longer entry {w.where} ({w.source!r}) in its own "
                                       f"example"))
        elif e.status == "approved":
            out.append(Finding(e.where, "warning", "no example: 'mtnorm glossary test' cannot check it"))
    return out


# ------------------------------------------------------------------------------ test

def check_examples(glossary: Glossary, pipeline) -> list[Finding]:
    """Run each entry's example through the pipeline; the target must appear."""
    out = []
    for e in glossary.entries:
        if not e.example or e.status not in ("approved", "override"):
            continue
        result = pipeline.normalize(e.example).text
        expected = _expected_target(e)
        if expected is None:
            out.append(Finding(e.where, "error", f"the source does not match its own example {e.example!r}"))
        elif fold(expected) not in fold(result):
            out.append(Finding(e.where, "error",
                               f"example gives {result!r}, without the target {expected!r}"))
    return out


def _expected_target(e: Entry) -> str | None:
    if e.match != "regex":
        return e.target
    m = e._regex.search(e.example, timeout=REGEX_TIMEOUT)
    return m.expand(e.target) if m else None


def firing_counts(glossary: Glossary, pipeline, corpus: list[Path]) -> collections.Counter:
    """How many edits each entry made on a corpus of text files."""
    counts: collections.Counter = collections.Counter()
    from .files import read_text
    for f in corpus:
        for edit in pipeline.normalize(read_text(f)).edits:
            for part in edit.rule.split("+"):
                if part.startswith("glossary:"):
                    counts[part[len("glossary:"):]] += 1
    return counts


def corpus_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*.txt") if p.is_file() and not p.name.endswith(".fr.txt"))
    return [path]


# ------------------------------------------------------------------------------ suggest

# Capitalised words in French transliteration: ou, dj, tch, ch, a final -e after a consonant,
# a diaeresis; and the Arabic article glued by a hyphen.
_NAME = re.compile(r"\b(?:(?:Al|El|Abou|Abd)[- ])?[A-ZÀ-Ý][a-zà-ÿ]+\b")
_FRENCHISH = re.compile(r"ou|dj|tch|ch[aeiou]|[ïëüé]|[aiou][nmr]e\b|^Abou")
_ACRONYM = re.compile(r"\b[A-Z]{2,6}\b")
# English acronyms that look French but are not (no entry needed).
_ENGLISH_ACRONYMS = frozenset(
    "AFP AP UN EU US UK USA NATO SOHR UNHCR ICRC IMF WHO OPEC OECD IAEA ISIS ISIL HTS SDF FSA PKK YPG "
    "BBC CNN AI CEO GDP NGO TV MP MPS PM II III IV VI VII VIII IX XI XII OK".split())


def transliterate(word: str) -> str:
    """A first guess at the English form of a French transliteration.

    >>> transliterate("Rahmane"), transliterate("Mossoul"), transliterate("Djihad"), transliterate("Al-Cham")
    ('Rahman', 'Mossul', 'Jihad', 'al-Sham')
    """
    out = word
    out = re.sub(r"^Abou\b", "Abu", out)
    out = re.sub(r"\b(Al|El)-", lambda m: m.group(1).lower() + "-", out)
    out = re.sub(r"(?<=[a-z])ou(?=[a-z])", "u", out).replace("Ou", "U")
    out = out.replace("Dj", "J").replace("dj", "j").replace("Tch", "Ch").replace("tch", "ch")
    out = re.sub(r"Ch(?=[aeiou])", "Sh", out)
    out = re.sub(r"(?<=[bcdfghjklmnpqrstvwxz])e\b", "", out)
    out = unicodedata.normalize("NFD", out)
    return unicodedata.normalize("NFC", "".join(c for c in out if not unicodedata.combining(c)))


def suggest(corpus: list[Path], glossary: Glossary, *, limit: int = 50, min_count: int = 2):
    """Rows (count, source, suggested target, kind, context) for likely missing entries."""
    from .files import read_text
    english = data.word_set("english_lowercase.txt")
    proper = data.word_set("english_capitalized.txt")
    m = glossary.matcher()
    counts: collections.Counter = collections.Counter()
    contexts: dict[str, str] = {}
    kinds: dict[str, str] = {}
    for f in corpus:
        text = read_text(f)
        covered = [(s, e) for s, e, _, _ in m.find(text)]
        for rx, kind in ((_NAME, "name"), (_ACRONYM, "acronym")):
            for hit in rx.finditer(text):
                w = hit.group()
                if any(s <= hit.start() < e for s, e in covered):
                    continue
                if kind == "acronym":
                    if w in _ENGLISH_ACRONYMS or w.lower() in english or w.capitalize() in proper:
                        continue
                else:
                    last = w.split()[-1].split("-")[-1]
                    if (last.lower() in english or last in proper or not _FRENCHISH.search(w)
                            or transliterate(w) == w):
                        continue
                counts[w] += 1
                kinds[w] = kind
                if w not in contexts:
                    a, b = max(0, hit.start() - 40), min(len(text), hit.end() + 40)
                    contexts[w] = " ".join(text[a:b].split())
    rows = []
    for w, n in counts.most_common():
        if n < min_count or len(rows) >= limit:
            continue
        target = transliterate(w) if kinds[w] == "name" else "?"
        rows.append((n, w, target, kinds[w], contexts[w]))
    return rows


# ------------------------------------------------------------------------------ show

def show(term: str, glossary: Glossary) -> list[str]:
    """Lines explaining which entry (if any) rewrites ``term``, alone and in a sentence."""
    out = []
    hits = glossary.matcher().find(term)
    for start, end, e, target in hits:
        from .glossary import adapt_case
        new = adapt_case(term[start:end], e, term, start, target)
        out.append(f"{e.where}: {term[start:end]!r} -> {new!r}")
        out.append(f"  source {e.source!r}, target {e.target!r}, case={e.case} "
                   f"({e.effective_case}), match={e.match}, status={e.status}")
        if e.context:
            out.append(f"  only in a paragraph matching: {e.context}")
        if e.note:
            out.append(f"  why: {e.note}")
        if e.source_ref:
            out.append(f"  reference: {e.source_ref}")
    if not hits:
        same = [e for e in glossary.entries if fold(e.source) == fold(term)]
        if same:
            for e in same:
                out.append(f"{e.where}: entry for {e.source!r} exists but does not apply here "
                           f"(status={e.status}, case={e.effective_case}, context={e.context or '-'})")
        else:
            out.append(f"no entry rewrites {term!r}")
    return out


def load_for_tools(paths: list[Path]) -> Glossary:
    """Load layers for test/show/suggest; a malformed glossary raises GlossaryError."""
    return load(paths)


__all__ = ["Finding", "GlossaryError", "corpus_files", "firing_counts", "lint", "load_for_tools",
           "show", "suggest", "check_examples", "transliterate"]
