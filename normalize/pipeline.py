"""The ordered registry of stages, and the pipeline that runs them.

1. encoding     - mojibake, HTML entities, control characters (ftfy), line breaks
2. typography   - French guillemets, spacing, quote direction and number formats
3. boilerplate  - paywall, cross-links, comment forms, captions and credits
4. glossary     - team-edited transliterations, acronyms and calques
5. quotes       - stray elision apostrophes, capitals in quoted fragments, "al-"

Text is processed in chunks of whole paragraphs, so memory stays bounded on
any input size; each edit is reported in the coordinates of the input.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable, Iterator, NamedTuple

from .boilerplate import strip_boilerplate
from .edits import Edit, Explained, Tracker
from .encoding import fix_encoding
from .glossary import Glossary, apply_glossary, load, layer_paths
from .language import Flag, french_paragraphs
from .quotes import fix_quotes
from .typography import fix_typography

Stage = Callable[..., Explained]

STAGES: dict[str, Stage] = {
    "encoding": fix_encoding,
    "typography": fix_typography,
    "boilerplate": strip_boilerplate,
    "glossary": apply_glossary,
    "quotes": fix_quotes,
}

CHUNK_CHARS = 64 * 1024          # aim for chunks of about this size, cut at paragraph breaks
MAX_CHUNK_CHARS = 4 * 1024 * 1024  # cut at a line break past this, paragraph or not


def select_stages(only: Iterable[str] | None = None, skip: Iterable[str] | None = None) -> list[str]:
    """Stage names to run, in registry order. Unknown names raise ValueError."""
    only, skip = list(only or []), list(skip or [])
    for name in only + skip:
        if name not in STAGES:
            raise ValueError(f"unknown stage {name!r}; stages are: {', '.join(STAGES)}")
    return [s for s in STAGES if (not only or s in only) and s not in skip]


@lru_cache(maxsize=1)
def default_glossary() -> Glossary:
    """The shipped glossaries plus $MTNORM_GLOSSARY, loaded once per process."""
    return load(layer_paths())


class ChunkResult(NamedTuple):
    input: str
    output: str
    edits: list[Edit]     # in document offsets
    offset: int           # where the chunk starts in the document
    flags: list[Flag]     # paragraphs still in French (document offsets), not changed unless translated


@dataclass
class Pipeline:
    """The stages to run, the glossary, and what to do with French left in the text.

    ``translate_french`` re-translates flagged paragraphs in place (needs a fr->en model);
    ``translator`` is created on first use.
    """
    glossary: Glossary | None = None
    stages: list[str] | None = None
    detect_french: bool = True
    translate_french: bool = False
    translator: object = None

    def __post_init__(self):
        if self.stages is None:
            self.stages = list(STAGES)
        if self.glossary is None and "glossary" in self.stages:
            self.glossary = default_glossary()

    def run(self, text: str, *, final: bool = True, before: list[Edit] | None = None) -> Explained:
        """Normalize one chunk of text (or a whole short text); ``before``: edits applied first."""
        t = Tracker(text)
        if before:
            t.apply(before)
        for name in self.stages:
            t.add(STAGES[name](t.text, glossary=self.glossary, final=final))
        return t.result()

    def run_chunks(self, chunks: Iterable[str]) -> Iterator[ChunkResult]:
        """Normalize chunk by chunk; edits and flags come in document offsets."""
        offset = 0
        for chunk, final in _with_final(chunks):
            flags = french_paragraphs(chunk) if self.detect_french else []
            before = self._translate(flags) if flags and self.translate_french else None
            out = self.run(chunk, final=final, before=before)
            edits = out.edits if not offset else [
                Edit(rule, start + offset, end + offset, before, after)
                for rule, start, end, before, after in out.edits]
            yield ChunkResult(chunk, out.text, edits, offset,
                              [f.shifted(offset) for f in flags])
            offset += len(chunk)

    def _translate(self, flags: list[Flag]) -> list[Edit]:
        if self.translator is None:
            from .retranslate import Translator
            self.translator = Translator(glossary=self.glossary)
        english = self.translator.translate_paragraphs([f.text for f in flags])
        return [Edit("retranslate.french_paragraph", f.start, f.end, f.text, en)
                for f, en in zip(flags, english)]

    def normalize(self, text: str) -> Explained:
        """Normalize a whole text, chunk by chunk."""
        outs, edits = [], []
        for r in self.run_chunks(split_chunks(text)):
            outs.append(r.output)
            edits.extend(r.edits)
        return Explained("".join(outs), edits)


def _with_final(items: Iterable[str]) -> Iterator[tuple[str, bool]]:
    it = iter(items)
    try:
        prev = next(it)
    except StopIteration:
        return
    for item in it:
        yield prev, False
        prev = item
    yield prev, True


def chunk_lines(lines: Iterable[str], size: int = CHUNK_CHARS,
                max_size: int = MAX_CHUNK_CHARS) -> Iterator[str]:
    """Group lines (with their newlines) into chunks that end at a paragraph break.

    >>> list(chunk_lines(["a\\n", "\\n", "b\\n"], size=1))
    ['a\\n\\n', 'b\\n']
    """
    buf: list[str] = []
    n = 0
    after_blank = False
    for line in lines:
        blank = not line.strip()
        if buf and ((n >= size and after_blank and not blank) or n >= max_size):
            yield "".join(buf)
            buf, n = [], 0
        buf.append(line)
        n += len(line)
        after_blank = blank
    if buf:
        yield "".join(buf)


_OTHER_BREAKS = "\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"   # line breaks for str.splitlines


def split_chunks(text: str, size: int = CHUNK_CHARS) -> Iterator[str]:
    """:func:`chunk_lines` for a text in memory (the same chunks, found with str.find).

    >>> list(split_chunks("a\\n\\nb\\nc\\n\\nd\\n", size=3))
    ['a\\n\\n', 'b\\nc\\n\\n', 'd\\n']
    """
    if len(text) <= size:
        yield text
        return
    if any(c in text for c in _OTHER_BREAKS):
        yield from chunk_lines(text.splitlines(keepends=True), size=size)
        return
    pos, n = 0, len(text)
    while pos < n:
        cut = _next_cut(text, pos, size, MAX_CHUNK_CHARS)
        yield text[pos:cut]
        pos = cut


def _next_cut(text: str, pos: int, size: int, max_size: int) -> int:
    """Where chunk_lines ends the chunk that starts at ``pos``: the first line at least
    ``size`` characters on that is not blank and follows a blank line, or the first line
    ``max_size`` characters on."""
    line = text.find("\n", pos + size - 1) + 1       # first line start >= pos + size
    if line == 0:
        return len(text)
    prev = text.rfind("\n", 0, line - 1) + 1
    while line < len(text):
        end = text.find("\n", line)
        end = len(text) if end < 0 else end
        if line - pos >= max_size or (not text[prev:line].strip() and text[line:end].strip()):
            return line
        prev, line = line, end + 1
    return len(text)


def normalize_text(text: str, *, glossary: Glossary | None = None,
                   only: Iterable[str] | None = None, skip: Iterable[str] | None = None) -> Explained:
    """Normalize ``text`` with the shipped glossary (or ``glossary``); returns text and edits.

    >>> normalize_text("Fighting near Maarat Al-Nouman, says the OSDH.").text
    'Fighting near Maarat al-Numan, says the SOHR.'
    """
    return Pipeline(glossary=glossary, stages=select_stages(only, skip)).normalize(text)
