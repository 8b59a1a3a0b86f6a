"""Run the pipeline over files and write text, diffs, explanations or JSON.

Output for each input is built in a spooled temporary file (memory up to a few
MB, then disk) and released only when the whole input succeeded, so a bad
input never leaves partial output behind.
"""
from __future__ import annotations

import bisect
import difflib
import json
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from .files import AtomicWriter, InputError, check_readable, iter_text_lines
from .pipeline import Pipeline, chunk_lines

SPOOL = 8 * 1024 * 1024
_HUNK = re.compile(r"^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@")


class Progress:
    """A one-line progress display on stderr, only when stderr is a terminal."""

    def __init__(self, total_files: int):
        self.on = sys.stderr.isatty()
        self.total = total_files
        self.done = 0
        self.last = 0.0

    def update(self, name: str, nbytes: int, force: bool = False) -> None:
        if not self.on:
            return
        now = time.monotonic()
        if force or now - self.last > 0.5:
            self.last = now
            files = f"{self.done}/{self.total} files, " if self.total > 1 else ""
            print(f"\rmtnorm: {files}{name}: {nbytes / 1e6:.1f} MB ", end="", file=sys.stderr)

    def finish(self) -> None:
        if self.on and self.last:
            print("\r\033[K", end="", file=sys.stderr)


def normalize_files(pipeline: Pipeline, files: list[str], *, mode: str = "text",
                    output_dir: str | None = None, source: str | None = None) -> int:
    """Normalize each file; return the exit code (0 ok, 1 changes under --check, 3 bad input)."""
    failed = False
    changed_any = False
    progress = Progress(len(files))
    for name in files:
        try:
            changed_any |= _normalize_one(pipeline, name, mode, output_dir, source, progress)
        except InputError as exc:
            progress.finish()
            print(f"mtnorm: error: {exc}", file=sys.stderr)
            failed = True
        progress.done += 1
    progress.finish()
    if failed:
        return 3
    return 1 if mode == "check" and changed_any else 0


def _open(name: str):
    if name == "-":
        return sys.stdin.buffer, "<stdin>"
    path = Path(name)
    check_readable(path)
    try:
        return open(path, "rb"), name
    except OSError as exc:
        raise InputError(f"{name}: cannot open: {exc.strerror}") from None


def _chunks(stream, label, progress):
    lines = iter_text_lines(stream, label)
    n = 0
    for chunk in chunk_lines(lines):
        n += len(chunk)
        progress.update(label, n)
        yield chunk


def _normalize_one(pipeline, name, mode, output_dir, source, progress) -> bool:
    stream, label = _open(name)
    if output_dir:
        if name == "-":
            raise InputError("<stdin>: --output-dir needs named input files")
        target = Path(output_dir) / Path(name).name
        if target.resolve() == Path(name).resolve():
            raise InputError(f"{name}: --output-dir would overwrite the input; choose another directory")
        sink = AtomicWriter(target)
    else:
        sink = tempfile.SpooledTemporaryFile(max_size=SPOOL, mode="w+", encoding="utf-8", newline="")
    writer = _WRITERS[mode](sink, label)
    try:
        if source:
            from .retranslate import retranslate_chunks
            chunks = retranslate_chunks(source, _chunks(stream, label, progress), pipeline)
        else:
            chunks = pipeline.run_chunks(_chunks(stream, label, progress))
        for r in chunks:
            writer.chunk(r)
        writer.close()
    except BaseException:
        if isinstance(sink, AtomicWriter):
            sink.abort()
        else:
            sink.close()
        raise
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    if isinstance(sink, AtomicWriter):
        sink.commit()
    else:
        sink.seek(0)
        shutil.copyfileobj(sink, sys.stdout)
        sys.stdout.flush()
        sink.close()
    return writer.changed


class _Writer:
    def __init__(self, sink, label: str):
        self.sink = sink
        self.label = label
        self.changed = False
        self.in_line = 1      # line number where the current chunk starts, in the input
        self.out_line = 1

    def chunk(self, r) -> None:
        self.changed |= bool(r.edits)
        self.flags = getattr(self, "flags", 0) + len(r.flags)
        self.write_chunk(r.input, r.output, r.edits, r.offset, r.flags)
        self.in_line += r.input.count("\n")
        self.out_line += r.output.count("\n")

    def write_chunk(self, inp, out, edits, offset, flags):
        raise NotImplementedError

    def close(self) -> None:
        pass


class _TextWriter(_Writer):
    def write_chunk(self, inp, out, edits, offset, flags):
        self.sink.write(out)


class _CheckWriter(_Writer):
    count = 0

    def write_chunk(self, inp, out, edits, offset, flags):
        self.count += len(edits)

    def close(self):
        if self.count:
            print(f"mtnorm: {self.label}: would make {self.count} edit(s)", file=sys.stderr)


def _positions(inp: str, offset: int, first_line: int):
    """Map a document offset inside this chunk to (line, column), 1-based."""
    newlines = [i for i, c in enumerate(inp) if c == "\n"]

    def where(pos: int) -> tuple[int, int]:
        rel = pos - offset
        k = bisect.bisect_left(newlines, rel)
        col = rel - (newlines[k - 1] + 1 if k else 0)
        return first_line + k, col + 1
    return where


def _show(s: str, limit: int = 70) -> str:
    r = json.dumps(s, ensure_ascii=False)
    return r if len(r) <= limit else r[:limit - 2] + "…\""


class _ExplainWriter(_Writer):
    def write_chunk(self, inp, out, edits, offset, flags):
        where = _positions(inp, offset, self.in_line)
        items = [(e.start, 0, e) for e in edits] + [(f.start, 1, f) for f in flags]
        for start, is_flag, x in sorted(items, key=lambda i: (i[0], i[1])):
            line, col = where(start)
            if is_flag:
                self.sink.write(f"{self.label}:{line}:{col}: {x.rule}: still French (p={x.probability}): "
                                f"{_show(x.text)} (--retranslate-french translates it)\n")
            else:
                self.sink.write(f"{self.label}:{line}:{col}: {x.rule}: {_show(x.before)} -> {_show(x.after)}\n")


class _DiffWriter(_Writer):
    header_done = False

    def write_chunk(self, inp, out, edits, offset, flags):
        if not edits:
            return
        a, b = inp.splitlines(keepends=True), out.splitlines(keepends=True)
        for line in difflib.unified_diff(a, b, n=3):
            if line.startswith(("---", "+++")):
                continue
            if not self.header_done:
                self.sink.write(f"--- {self.label}\n+++ {self.label} (normalized)\n")
                self.header_done = True
            m = _HUNK.match(line)
            if m:
                line = (f"@@ -{int(m.group(1)) + self.in_line - 1}{m.group(2) or ''} "
                        f"+{int(m.group(3)) + self.out_line - 1}{m.group(4) or ''} @@\n")
            elif not line.endswith("\n"):
                line += "\n\\ No newline at end of file\n"
            self.sink.write(line)


class _JsonWriter(_Writer):
    def __init__(self, sink, label):
        super().__init__(sink, label)
        self.edits = tempfile.SpooledTemporaryFile(max_size=SPOOL, mode="w+", encoding="utf-8")
        self.n_edits = 0
        self.flag_list: list[dict] = []
        sink.write('{"file": ' + json.dumps(label, ensure_ascii=False) + ', "text": "')

    def write_chunk(self, inp, out, edits, offset, flags):
        self.sink.write(json.dumps(out, ensure_ascii=False)[1:-1])
        where = _positions(inp, offset, self.in_line)
        for f in flags:
            d = f.as_dict()
            d["line"], d["column"] = where(f.start)
            self.flag_list.append(d)
        for e in edits:
            line, col = where(e.start)
            d = e.as_dict()
            d["line"], d["column"] = line, col
            self.edits.write(("," if self.n_edits else "") + json.dumps(d, ensure_ascii=False))
            self.n_edits += 1

    def close(self):
        self.sink.write(f'", "changed": {json.dumps(self.changed)}, "edits": [')
        self.edits.seek(0)
        shutil.copyfileobj(self.edits, self.sink)
        self.edits.close()
        self.sink.write('], "flags": ' + json.dumps(self.flag_list) + "}\n")


_WRITERS = {"text": _TextWriter, "check": _CheckWriter, "explain": _ExplainWriter,
            "diff": _DiffWriter, "json": _JsonWriter}


def collect_json_edits(chunks) -> tuple[list[str], list[dict], list[dict]]:
    """Output pieces, edits and flags (dicts with line and column) from ``Pipeline.run_chunks``."""
    pieces, edits, flags = [], [], []
    line = 1
    for r in chunks:
        pieces.append(r.output)
        where = _positions(r.input, r.offset, line)
        for items, out in ((r.edits, edits), (r.flags, flags)):
            for x in items:
                d = x.as_dict()
                d["line"], d["column"] = where(x.start)
                out.append(d)
        line += r.input.count("\n")
    return pieces, edits, flags
