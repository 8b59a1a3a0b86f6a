"""Glossary matching at scale: 1k, 10k and 100k entries, against flashtext and a re.sub loop.

    .venv/bin/python bench/bench_glossary.py [--mb 12]

Entries: the shipped glossary plus generated name-like entries (which rarely occur in
the text, as in a real large glossary). Throughput is the glossary stage alone over the
corpus; compile is parse + validate + build from the TSV, with no cache; cached is a load
from the compiled-glossary cache. All figures come from one run; compare ratios.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import ROOT, best_of, corpus  # noqa: E402

sys.path.insert(0, str(ROOT))


def generated_entries(n: int, exclude: set[str], seed: int = 7) -> list[tuple[str, str]]:
    from normalize.textutil import fold
    rng = random.Random(seed)
    syll = ["ba", "da", "ka", "ma", "na", "ra", "sa", "ta", "za", "bou", "dou", "kou", "mou", "chi",
            "dja", "rah", "mane", "ine", "oun", "el", "al", "ham", "sid", "far", "tou", "ya", "wa"]
    seen, out = set(exclude), []
    while len(out) < n:
        words = []
        for _ in range(rng.choice((1, 2, 2, 3))):
            w = "".join(rng.choice(syll) for _ in range(rng.randint(2, 4)))
            words.append(w.capitalize())
        src = " ".join(words)
        if fold(src) in seen:
            continue
        seen.add(fold(src))
        out.append((src, " ".join(w.replace("ou", "u").replace("ch", "sh") + "x" for w in words)))
    return out


def write_glossary(path: Path, entries) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write("source\ttarget\tnote\n")
        for s, t in entries:
            f.write(f"{s}\t{t}\tgenerated\n")



def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mb", type=float, default=12.0)
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()

    os.environ["MTNORM_CACHE_DIR"] = tempfile.mkdtemp(prefix="mtnorm-bench-cache-")
    from flashtext import KeywordProcessor

    from normalize.glossary import SHIPPED_DIR, apply_glossary, load

    text = corpus(args.mb)
    mb = len(text.encode("utf-8")) / 1e6
    paragraphs = text.split("\n")
    shipped = load([SHIPPED_DIR], cache=False)
    word_entries = [(e.source, e.target) for e in shipped.active
                    if e.match == "word" and not e.file.endswith("calques.tsv") and not e.context]
    sizes = [int(x) for x in args.sizes.split(",")]
    print(f"corpus {mb:.1f} MB; shipped glossary {len(shipped.active)} entries; best of {args.repeat}")
    print(f"{'entries':>8} {'method':<24}{'MB/s':>9}{'vs 1k':>8}{'compile s':>11}{'cached s':>10}")
    base = {}
    tmp = Path(tempfile.mkdtemp())
    for n in sizes:
        entries = word_entries + generated_entries(max(0, n - len(word_entries)), {e.key for e in shipped.entries})
        gdir = tmp / f"g{n}"
        gdir.mkdir()
        write_glossary(gdir / "big.tsv", entries)
        (gdir / "calques.tsv").write_bytes((SHIPPED_DIR / "calques.tsv").read_bytes())
        t0 = time.perf_counter()
        g = load([gdir], cache=False)
        g.matcher()
        compile_s = time.perf_counter() - t0
        load([gdir])                                  # fills the cache
        cached_s = best_of(lambda: load([gdir]), 3)
        t = best_of(lambda: apply_glossary(text, glossary=g), args.repeat)
        rate = mb / t
        base.setdefault("mtnorm", rate)
        print(f"{n:>8} {'mtnorm (Aho-Corasick)':<24}{rate:>9.2f}{rate / base['mtnorm']:>7.2f}x"
              f"{compile_s:>11.2f}{cached_s:>10.3f}")

        kp = KeywordProcessor(case_sensitive=False)
        t0 = time.perf_counter()
        for s, tg in entries:
            kp.add_keyword(s, tg)
        build = time.perf_counter() - t0
        t = best_of(lambda: [kp.replace_keywords(p) for p in paragraphs], 1)
        rate = mb / t
        base.setdefault("flashtext", rate)
        print(f"{n:>8} {'flashtext':<24}{rate:>9.2f}{rate / base['flashtext']:>7.2f}x{build:>11.2f}{'-':>10}")

        # A loop of re.sub, one per entry: measured on a slice, reported per MB.
        pats = [(re.compile(r"\b" + re.escape(s) + r"\b", re.I), tg) for s, tg in entries]
        slice_chars = max(2000, int(200_000 * 1000 / n))
        part = text[:slice_chars]

        def naive():
            out = part
            for p, tg in pats:
                out = p.sub(tg, out)
        t = best_of(naive, 1)
        rate = len(part.encode("utf-8")) / 1e6 / t
        base.setdefault("naive", rate)
        print(f"{n:>8} {'re.sub loop':<24}{rate:>9.3f}{rate / base['naive']:>7.2f}x{'-':>11}{'-':>10}"
              f"   (on {slice_chars // 1000} kB)")
    if len(sizes) > 1:
        big, small = sizes[-1], sizes[0]
        print(f"goal: {big} entries at >= 0.8x the throughput of {small}; compile <= 1 s or cached <= 0.2 s")


if __name__ == "__main__":
    main()
