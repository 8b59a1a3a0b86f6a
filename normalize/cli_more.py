"""Subcommands beyond `normalize`: glossary tools, batch flows, re-translation and models.

Each command imports what it needs when it runs, so `mtnorm normalize` stays light.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

GLOSSARY_EPILOG = """\
examples:
  mtnorm glossary lint                         lint the shipped glossaries/
  mtnorm glossary lint --over-shipped team/    lint a team layer as normalize loads it
  mtnorm glossary test --glossary team/        every example gives its target
  mtnorm glossary test --corpus scraped/       ... and list entries that never fire there
  mtnorm glossary suggest scraped/ > new.tsv   likely missing entries, ready to review
  mtnorm glossary show "Al-Cham"               which entry rewrites a word, and why

Findings read FILE:LINE: error|warning: message. lint and test exit 1 on errors
(with --strict, on warnings too); a glossary too broken to load exits 3.
"""


def add_commands(sub) -> None:
    """Register the other subcommands on the `mtnorm` parser."""
    g = sub.add_parser("glossary", help="lint, test, extend and query glossaries",
                       description="Tools for the team-edited glossary files (see glossaries/README.md).",
                       epilog=GLOSSARY_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    gsub = g.add_subparsers(dest="glossary_command", metavar="ACTION", required=True)

    lint = gsub.add_parser("lint", help="check glossary files: FILE:LINE: messages",
                           description="Check glossary files for malformed rows, duplicates, conflicting "
                                       "targets, chains and cycles, shadowed entries, text not in NFC, bad or "
                                       "catastrophic regular expressions and unknown columns.")
    lint.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: glossaries/)")
    lint.add_argument("--over-shipped", action="store_true",
                      help="lint PATHs as layers over the shipped glossaries, as 'normalize' loads them")
    lint.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    lint.set_defaults(func=_cmd_lint)

    test = gsub.add_parser("test", help="run every entry's example; report entries that never fire",
                           description="Normalize each entry's example and check the target appears. With "
                                       "--corpus, also list the entries that made no edit on that corpus.")
    test.add_argument("--glossary", action="append", default=[], metavar="PATH",
                      help="team layers over the shipped glossaries (repeatable)")
    test.add_argument("--corpus", metavar="DIR", help="directory of .txt articles (or one file)")
    test.add_argument("--strict", action="store_true", help="exit 1 if an entry never fires on the corpus")
    test.set_defaults(func=_cmd_test)

    sug = gsub.add_parser("suggest", help="mine a corpus for likely missing entries (TSV to paste)",
                          description="Find capitalised names in French transliteration patterns (ou, dj, "
                                      "tch, ch, final -e, diaeresis) and French-looking acronyms with no "
                                      "entry, ranked by frequency, as TSV rows with a context snippet.")
    sug.add_argument("corpus", metavar="CORPUS", help="directory of .txt articles (or one file)")
    sug.add_argument("--glossary", action="append", default=[], metavar="PATH")
    sug.add_argument("--limit", type=int, default=50, help="at most this many rows (default 50)")
    sug.add_argument("--min-count", type=int, default=2, help="ignore rarer words (default 2)")
    sug.set_defaults(func=_cmd_suggest)

    show = gsub.add_parser("show", help="which entry (FILE:LINE) rewrites a word, and why")
    show.add_argument("term", metavar="TERM")
    show.add_argument("--glossary", action="append", default=[], metavar="PATH")
    show.set_defaults(func=_cmd_show)

    from . import cli_flow
    cli_flow.add_commands(sub)


def _layers(extra: list[str]) -> list[Path]:
    from .glossary import layer_paths
    return layer_paths([Path(p) for p in extra])


def _cmd_lint(args) -> int:
    from .glossary import SHIPPED_DIR
    from .glossary_tools import lint

    paths = [Path(p) for p in args.paths] or [SHIPPED_DIR]
    if args.over_shipped:
        paths = [SHIPPED_DIR] + [p for p in paths if p.resolve() != SHIPPED_DIR]
    findings = lint(paths)
    for f in findings:
        print(f)
    errors = sum(f.level == "error" for f in findings)
    warnings = len(findings) - errors
    print(f"mtnorm: {errors} error(s), {warnings} warning(s) in {', '.join(map(str, paths))}",
          file=sys.stderr)
    return 1 if errors or (args.strict and warnings) else 0


def _cmd_test(args) -> int:
    from .glossary import load
    from .glossary_tools import check_examples, corpus_files, firing_counts
    from .pipeline import Pipeline

    g = load(_layers(args.glossary))
    pipeline = Pipeline(glossary=g)
    failures = check_examples(g, pipeline)
    for f in failures:
        print(f)
    tested = sum(1 for e in g.active if e.example)
    print(f"mtnorm: {tested - len(failures)}/{tested} examples give their target", file=sys.stderr)
    silent = []
    if args.corpus:
        files = corpus_files(Path(args.corpus))
        if not files:
            from .files import InputError
            raise InputError(f"{args.corpus}: no .txt files")
        counts = firing_counts(g, pipeline, files)
        silent = [e for e in g.active if e.where not in counts]
        for e in silent:
            print(f"{e.where}: warning: never fires on {args.corpus} ({len(files)} files): {e.source!r}")
        print(f"mtnorm: {len(g.active) - len(silent)}/{len(g.active)} entries fired on the corpus",
              file=sys.stderr)
    return 1 if failures or (args.strict and silent) else 0


def _cmd_suggest(args) -> int:
    from .glossary import load
    from .glossary_tools import corpus_files, suggest

    g = load(_layers(args.glossary))
    files = corpus_files(Path(args.corpus))
    if not files:
        from .files import InputError
        raise InputError(f"{args.corpus}: no .txt files")
    rows = suggest(files, g, limit=args.limit, min_count=args.min_count)
    print("# Suggested by 'mtnorm glossary suggest': check each spelling against AP/Reuters before "
          "pasting; '?' marks a target to fill in.")
    print("source\ttarget\tnote\tsource_ref\tcase\tcontext\texample")
    for n, word, target, kind, context in rows:
        case = "exact" if kind == "acronym" else ""
        note = f"proposed: {kind} seen {n} times in {args.corpus}; French transliteration pattern"
        print(f"{word}\t{target}\t{note}\t\t{case}\t\t{context}")
    print(f"mtnorm: {len(rows)} suggestion(s) from {len(files)} file(s)", file=sys.stderr)
    return 0


def _cmd_show(args) -> int:
    from .glossary import load
    from .glossary_tools import show

    lines = show(args.term, load(_layers(args.glossary)))
    print("\n".join(lines))
    return 0 if not lines[0].startswith("no entry") else 1
