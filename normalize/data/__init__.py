"""Word lists and rule tables shipped with the package (read as package data)."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources


def read_text(name: str) -> str:
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


def read_lines(name: str) -> list[str]:
    """Non-empty, non-comment lines of a plain word list."""
    return [ln.strip() for ln in read_text(name).splitlines()
            if ln.strip() and not ln.lstrip().startswith("#")]


def read_table(name: str) -> list[tuple[int, dict[str, str]]]:
    """Rows of a TSV table with a header, as (line number, {column: value})."""
    rows = []
    header = None
    for lineno, line in enumerate(read_text(name).split("\n"), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if header is None:
            header = fields
            continue
        rows.append((lineno, dict(zip(header, fields))))
    return rows


@lru_cache(maxsize=None)
def word_set(name: str) -> frozenset[str]:
    """A word list as a set (one word a line; '#' comment lines)."""
    return frozenset(w for w in read_text(name).split("\n") if w and w[0] != "#")
