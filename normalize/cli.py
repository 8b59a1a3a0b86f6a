"""The ``mtnorm`` command. Subcommands import heavy packages (prefect, argostranslate) lazily."""
from __future__ import annotations

import argparse
import sys

EXIT_OK, EXIT_CHANGES, EXIT_USAGE, EXIT_BAD_INPUT = 0, 1, 2, 3

DESCRIPTION = """\
Turn scraped, machine-translated English news (mostly from French) into clean English.

Every change carries the rule or glossary entry that made it: see --explain and --diff.
"""

EPILOG = """\
examples:
  mtnorm normalize article.txt > clean.txt       normalize one file to stdout
  cat article.txt | mtnorm normalize             ... or stdin to stdout
  mtnorm normalize --explain article.txt         one line per edit: where, which rule, what
  mtnorm normalize --diff article.txt            unified diff of what would change
  mtnorm normalize -o out/ scraped/*.txt         many files into a directory
  mtnorm normalize --check scraped/*.txt         exit 1 if anything would change
  mtnorm normalize --glossary team/ article.txt  add a team glossary over the shipped one
  mtnorm glossary lint glossaries/               check glossary files
  mtnorm run --input scraped/ --output clean/    a folder, as a Prefect flow (see 'mtnorm run --help')
  mtnorm retranslate article.fr.txt              fresh translation from the French (needs a model)

exit codes: 0 ok, 1 --check found changes, 2 usage error, 3 bad input or glossary.
"""


class UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    from .pipeline import STAGES

    p = argparse.ArgumentParser(prog="mtnorm", description=DESCRIPTION, epilog=EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"mtnorm {_version()}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    n = sub.add_parser(
        "normalize", help="normalize text files (or stdin) and print the result",
        description="Normalize scraped MT English. Reads FILEs (or stdin with '-' or no FILE); "
                    "writes the normalized text to stdout, or into --output-dir for several files.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    n.add_argument("files", nargs="*", metavar="FILE", help="input files; '-' or none reads stdin")
    out = n.add_mutually_exclusive_group()
    out.add_argument("--diff", action="store_true", help="print a unified diff instead of the text")
    out.add_argument("--explain", action="store_true",
                     help="print one line per edit: FILE:LINE:COL rule 'before' -> 'after'")
    out.add_argument("--json", action="store_true",
                     help="print a JSON object per file: text and edits (JSON Lines for several files)")
    out.add_argument("--check", action="store_true",
                     help="print nothing; exit 1 if any file would change")
    n.add_argument("-o", "--output-dir", metavar="DIR",
                   help="write each normalized file to DIR/<name> (atomically; inputs are never modified)")
    n.add_argument("--only", action="append", default=[], metavar="STAGE",
                   help=f"run only these stages (repeat or comma-separate): {', '.join(STAGES)}")
    n.add_argument("--skip", action="append", default=[], metavar="STAGE",
                   help="skip these stages (repeat or comma-separate)")
    n.add_argument("--glossary", action="append", default=[], metavar="PATH",
                   help="add a glossary file or directory over the shipped ones (repeatable; "
                        "also $MTNORM_GLOSSARY, separated by ':')")
    n.add_argument("--no-shipped-glossary", action="store_true",
                   help="use only the --glossary layers, not the shipped glossaries/")
    n.add_argument("--retranslate-french", action="store_true",
                   help="translate paragraphs still in French in place (needs a fr->en model); "
                        "without it they are only flagged in --explain/--json")
    n.add_argument("--source", metavar="FR_FILE",
                   help="French original of a single input: re-translate it instead of repairing "
                        "the MT (needs a fr->en model: see 'mtnorm model --help')")
    n.set_defaults(func=_cmd_normalize)

    from . import cli_more
    cli_more.add_commands(sub)
    return p


def _version() -> str:
    from . import __version__
    return __version__


def _split(values: list[str]) -> list[str]:
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def _cmd_normalize(args) -> int:
    from pathlib import Path

    from . import glossary as g
    from .pipeline import Pipeline, select_stages
    from .report import normalize_files

    try:
        stages = select_stages(_split(args.only), _split(args.skip))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    files = args.files or ["-"]
    if args.files.count("-") > 1:
        raise UsageError("stdin ('-') can be read only once")
    text_mode = not (args.diff or args.explain or args.json or args.check)
    if text_mode and len(files) > 1 and not args.output_dir:
        raise UsageError("several inputs need --output-dir DIR (or use --diff/--explain/--json/--check)")
    if args.output_dir and not text_mode:
        raise UsageError("--output-dir writes normalized text; it does not combine with "
                         "--diff/--explain/--json/--check")
    if args.source and len(files) != 1:
        raise UsageError("--source takes the French original of exactly one input file")
    glossary = None
    if "glossary" in stages or args.source:
        layers = g.layer_paths([Path(p) for p in args.glossary], shipped=not args.no_shipped_glossary)
        glossary = g.load(layers)
    pipeline = Pipeline(glossary=glossary, stages=stages, translate_french=args.retranslate_french)
    mode = "diff" if args.diff else "explain" if args.explain else "json" if args.json \
        else "check" if args.check else "text"
    return normalize_files(pipeline, files, mode=mode, output_dir=args.output_dir,
                           source=args.source)


def main(argv: list[str] | None = None) -> int:
    from .files import InputError
    from .glossary import GlossaryError

    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return args.func(args)
    except UsageError as exc:
        parser.exit(EXIT_USAGE, f"mtnorm: error: {exc}\nTry 'mtnorm {args.command} --help'.\n")
    except GlossaryError as exc:
        for problem in exc.problems:
            print(f"mtnorm: error: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except InputError as exc:
        print(f"mtnorm: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("mtnorm: interrupted; no output was written", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
