"""Build a benchmark corpus of at least N MB from the seed and the test corpus articles."""
from __future__ import annotations

import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def articles() -> list[str]:
    paths = sorted((ROOT / "seeds").glob("*.txt")) + sorted((ROOT / "tests" / "corpus").glob("*/*.txt"))
    return [p.read_text(encoding="utf-8") for p in paths]


def corpus(mb: float = 12.0) -> str:
    """Articles repeated until the text reaches ``mb`` megabytes (of UTF-8)."""
    arts = articles()
    parts, size, i = [], 0, 0
    while size < mb * 1e6:
        a = arts[i % len(arts)].rstrip("\n") + "\n\n"
        parts.append(a)
        size += len(a.encode("utf-8"))
        i += 1
    return "".join(parts)


def best_of(fn, repeat: int = 3) -> float:
    """The shortest wall time of ``repeat`` calls (the least disturbed by the machine)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)
