"""Reading inputs safely (streamed, strict UTF-8) and writing outputs atomically."""
from __future__ import annotations

import codecs
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Iterator

READ_LIMIT = 1 << 20   # read at most this many bytes at a time, even inside a long line


class InputError(ValueError):
    """An input that cannot be normalized; the message names the file and says what to do."""


def _encoding_hint(raw: bytes) -> str:
    try:
        raw.decode("cp1252")
        return "it looks like Windows-1252/Latin-1: convert it with 'iconv -f cp1252 -t utf-8'"
    except UnicodeDecodeError:
        return "convert it to UTF-8 first"


def iter_text_lines(stream: BinaryIO, name: str) -> Iterator[str]:
    """Decode a byte stream line by line as strict UTF-8.

    Raises InputError for binary data (NUL bytes), invalid UTF-8 and empty
    input, naming the line. Lines longer than READ_LIMIT come in pieces.
    """
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    lineno = 1
    seen_text = False
    first = True
    while True:
        raw = stream.readline(READ_LIMIT)
        if not raw:
            break
        if first and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8):]
        first = False
        nul = raw.find(b"\x00")
        if nul >= 0:
            raise InputError(f"{name}:{lineno}: binary data (NUL byte); mtnorm reads UTF-8 text files")
        try:
            text = decoder.decode(raw)
        except UnicodeDecodeError as exc:
            raise InputError(f"{name}:{lineno}: not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column "
                             f"{exc.start + 1}); {_encoding_hint(raw)}") from None
        if not seen_text and text.strip():
            seen_text = True
        if text:
            yield text
        if raw.endswith(b"\n"):
            lineno += 1
    try:
        tail = decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise InputError(f"{name}:{lineno}: file ends inside a UTF-8 character (truncated?)") from None
    if tail:
        yield tail
    if not seen_text:
        raise InputError(f"{name}: empty input (no text to normalize)")


def read_text(path: Path) -> str:
    """A whole file, with the same checks as the streamed reader."""
    with open(path, "rb") as f:
        return "".join(iter_text_lines(f, str(path)))


def check_readable(path: Path) -> None:
    if str(path) == "-":
        return
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory; pass the files in it (e.g. {path}/*.txt)")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path}: permission denied")


class AtomicWriter:
    """Write to a temporary file beside ``path``; rename over it on commit, delete on abort."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        self.tmp = Path(tmp)
        self.file = os.fdopen(fd, "w", encoding="utf-8", newline="")

    def write(self, s: str) -> None:
        self.file.write(s)

    def commit(self) -> None:
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        self.file.close()
        self.tmp.unlink(missing_ok=True)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *_):
        if exc_type is None:
            self.commit()
        else:
            self.abort()
        return False
