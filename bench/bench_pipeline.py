"""Throughput of the default pipeline against ftfy alone and one regex pass; cold start of the CLI.

    .venv/bin/python bench/bench_pipeline.py [--mb 12]

All figures come from one run on the same corpus; ratios are what to compare across machines.
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import ROOT, best_of, corpus  # noqa: E402



def cold_start(cmd: list[str], repeat=7) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True, cwd=ROOT)
        times.append(time.perf_counter() - t0)
    return sorted(times)[len(times) // 2]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mb", type=float, default=12.0)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    import ftfy
    sys.path.insert(0, str(ROOT))
    from normalize import Pipeline

    text = corpus(args.mb)
    mb = len(text.encode("utf-8")) / 1e6
    pipeline = Pipeline()
    pipeline.normalize(text[:200_000])            # warm caches (glossary, word lists)
    word = re.compile(r"\w+")

    t_regex = best_of(lambda: sum(1 for _ in word.finditer(text)), args.repeat)
    t_ftfy = best_of(lambda: ftfy.fix_text(text), args.repeat)
    t_pipe = best_of(lambda: pipeline.normalize(text), args.repeat)

    print(f"corpus: {mb:.1f} MB ({len(text):,} characters), best of {args.repeat}")
    print(f"{'what':<34}{'MB/s':>9}{'vs ftfy':>10}")
    for name, t in (("one \\w+ regex pass", t_regex), ("ftfy.fix_text alone", t_ftfy),
                    ("mtnorm default pipeline", t_pipe)):
        print(f"{name:<34}{mb / t:>9.2f}{t_ftfy / t:>9.2f}x")
    goal = t_ftfy / t_pipe
    print(f"goal: pipeline >= 2x ftfy alone -> {goal:.2f}x {'OK' if goal >= 2 else 'MISSED'}")

    # French-paragraph detection: its share of the pipeline's time on this English corpus,
    # and what langdetect on every paragraph would cost.
    no_lang = Pipeline(detect_french=False)
    no_lang.normalize(text[:200_000])
    t_nolang = best_of(lambda: no_lang.normalize(text), args.repeat)
    share = max(0.0, (t_pipe - t_nolang) / t_pipe)
    print(f"French detection share of pipeline time: {share * 100:.1f}% (goal <= 10%)"
          f" [with {mb / t_pipe:.2f} MB/s, without {mb / t_nolang:.2f} MB/s]")
    from langdetect import DetectorFactory, detect
    DetectorFactory.seed = 0
    sample = [p for p in text[:300_000].split("\n") if len(p) > 40]
    t0 = time.perf_counter()
    for p in sample:
        detect(p)
    t_ld = time.perf_counter() - t0
    print(f"langdetect on every paragraph (for reference): {len(''.join(sample)) / 1e6 / t_ld:.2f} MB/s")

    py = sys.executable
    seed = str(ROOT / "seeds" / "000_f2a0a924dbf1b2a5.txt")
    t_py = cold_start([py, "-c", "pass"])
    t_cli = cold_start([py, "-m", "normalize", "normalize", seed])
    print(f"cold start, median of 7: python -c pass {t_py:.3f} s; mtnorm normalize seed {t_cli:.3f} s "
          f"({t_cli / t_py:.1f}x bare python) -> goal <= 0.25 s {'OK' if t_cli <= 0.25 else 'MISSED'}")


if __name__ == "__main__":
    main()
