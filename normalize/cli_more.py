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
    _glossary_option(test)
    test.add_argument("--corpus", metavar="DIR", help="directory of .txt articles (or one file)")
    test.add_argument("--strict", action="store_true", help="exit 1 if an entry never fires on the corpus")
    test.set_defaults(func=_cmd_test)

    sug = gsub.add_parser("suggest", help="mine a corpus for likely missing entries (TSV to paste)",
                          description="Find capitalised names in French transliteration patterns (ou, dj, "
                                      "tch, ch, final -e, diaeresis) and French-looking acronyms with no "
                                      "entry, ranked by frequency, as TSV rows with a context snippet.")
    sug.add_argument("corpus", metavar="CORPUS", help="directory of .txt articles (or one file)")
    _glossary_option(sug)
    sug.add_argument("--limit", type=int, default=50, help="at most this many rows (default 50)")
    sug.add_argument("--min-count", type=int, default=2, help="ignore rarer words (default 2)")
    sug.set_defaults(func=_cmd_suggest)

    show = gsub.add_parser("show", help="which entry (FILE:LINE) rewrites a word, and why")
    show.add_argument("term", metavar="TERM")
    _glossary_option(show)
    show.set_defaults(func=_cmd_show)

    rt = sub.add_parser("retranslate", help="translate a French source afresh and print normalized English",
                        description="Re-translate ARTICLE.fr.txt with the installed fr->en argos model "
                                    "(offline): French boilerplate is dropped first, glossary terms are "
                                    "forced to their English form, and the English is normalized.",
                        epilog="Needs a model: see 'mtnorm model --help'. Exit code 3 without one.",
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    rt.add_argument("source", metavar="ARTICLE.fr.txt")
    _glossary_option(rt)
    rt.set_defaults(func=_cmd_retranslate)

    model = sub.add_parser("model", help="install and list translation models (argos packages)",
                           description="Models live in $MTNORM_MODELS_DIR (default: <state dir>/models, "
                                       "state dir = $MTNORM_STATE_DIR or ~/.local/state/mtnorm). Nothing "
                                       "is downloaded: get translate-fr_en-*.argosmodel on a connected "
                                       "machine ('argospm install translate-fr_en' or the Argos package "
                                       "index), copy it here and install it.")
    msub = model.add_subparsers(dest="model_command", metavar="ACTION", required=True)
    mi = msub.add_parser("install", help="install an .argosmodel file")
    mi.add_argument("path", metavar="FILE.argosmodel")
    mi.set_defaults(func=_cmd_model_install)
    ml = msub.add_parser("list", help="list installed models")
    ml.set_defaults(func=_cmd_model_list)

    from . import cli_flow
    cli_flow.add_commands(sub)


def _glossary_option(parser) -> None:
    parser.add_argument("--glossary", action="append", default=[], metavar="PATH",
                        help="team glossary layers over the shipped ones (repeatable)")


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


def _cmd_retranslate(args) -> int:
    from .files import check_readable, read_text
    from .glossary import load
    from .pipeline import Pipeline
    from .retranslate import retranslate_text

    check_readable(Path(args.source))
    french = read_text(Path(args.source))
    pipeline = Pipeline(glossary=load(_layers(args.glossary)))
    sys.stdout.write(retranslate_text(french, pipeline).text)
    return 0


def _cmd_model_install(args) -> int:
    from .retranslate import install_model
    print(f"mtnorm: {install_model(args.path)}", file=sys.stderr)
    return 0


def _cmd_model_list(args) -> int:
    from .retranslate import list_models, models_dir
    rows = list_models()
    for r in rows:
        print(r)
    if not rows:
        from .retranslate import INSTALL_HINT
        print(f"mtnorm: no models in {models_dir()}; {INSTALL_HINT}", file=sys.stderr)
    return 0
