"""Batch work on a folder of articles, as plain Python: the Prefect flow (flows/) wraps it.

- ``discover``: the articles under a folder (``*.txt``; ``X.fr.txt`` is X's French source).
- ``process_batch``: normalize some articles, each isolated: one bad article is recorded
  with its reason and the others go on. Outputs are ``X.txt`` and ``X.edits.json`` in the
  output folder, written atomically; inputs are never modified.
- ``Manifest``: what was done, keyed by the article's content, its French source, the
  glossary and the mtnorm version, so a rerun skips unchanged articles and retries failed ones.
"""
from __future__ import annotations

import collections
import hashlib
import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .files import AtomicWriter, InputError, iter_text_lines
from .glossary import GlossaryError, load as load_glossary, layer_paths
from .pipeline import Pipeline, chunk_lines

MANIFEST = ".mtnorm-manifest.json"


@dataclass
class ArticleResult:
    article: str                      # path relative to the input folder
    status: str                       # "ok", "skipped" or "failed"
    reason: str = ""
    edits: int = 0
    rules: dict[str, int] = field(default_factory=dict)
    key: str = ""
    french_paragraphs: int = 0


def discover(input_dir: str | Path) -> list[str]:
    """Articles under ``input_dir``, as sorted relative paths (French sources excluded)."""
    root = Path(input_dir)
    if not root.is_dir():
        raise InputError(f"{root}: not a directory")
    out = []
    for p in root.rglob("*.txt"):
        rel = p.relative_to(root)
        if p.name.endswith(".fr.txt") or any(part.startswith(".") for part in rel.parts):
            continue
        if p.is_file():
            out.append(rel.as_posix())
    return sorted(out)


def french_source(input_dir: str | Path, article: str) -> Path:
    return Path(input_dir) / (article[: -len(".txt")] + ".fr.txt")


def article_key(raw: bytes, source: bytes | None, glossary_digest: str, retranslate: bool) -> str:
    from . import __version__
    h = hashlib.sha256()
    for part in (raw, source or b"", glossary_digest.encode(), __version__.encode(),
                 b"retranslate" if retranslate else b"repair"):
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


class Manifest:
    """``{article: {"key": ..., "edits": n}}`` for the articles done successfully."""

    def __init__(self, output_dir: str | Path):
        self.path = Path(output_dir) / MANIFEST
        try:
            self.done: dict[str, dict] = json.loads(self.path.read_text(encoding="utf-8"))["articles"]
        except (OSError, ValueError, KeyError, TypeError):
            self.done = {}

    def keys(self) -> dict[str, str]:
        return {a: d.get("key", "") for a, d in self.done.items()}

    def record(self, results: list[ArticleResult]) -> None:
        for r in results:
            if r.status == "ok":
                self.done[r.article] = {"key": r.key, "edits": r.edits}
            elif r.status == "failed":
                self.done.pop(r.article, None)

    def save(self) -> None:
        with AtomicWriter(self.path) as w:
            w.write(json.dumps({"version": 1, "articles": self.done}, indent=1, sort_keys=True) + "\n")


@lru_cache(maxsize=4)
def _pipeline(glossary_paths: tuple[str, ...]) -> Pipeline:
    """One pipeline per process and glossary set (workers reuse it across batches)."""
    return Pipeline(glossary=load_glossary(layer_paths([Path(p) for p in glossary_paths])))


def glossary_digest(glossary_paths: tuple[str, ...] = ()) -> str:
    """Validate the glossary layers (raising GlossaryError) and return their content hash."""
    return _pipeline(tuple(glossary_paths)).glossary.digest


def _outputs(output_dir: Path, article: str) -> tuple[Path, Path]:
    text = output_dir / article
    return text, text.with_name(text.name[: -len(".txt")] + ".edits.json")


def process_batch(articles: list[str], input_dir: str, output_dir: str, *,
                  glossary_paths: tuple[str, ...] = (), retranslate: bool = False,
                  force: bool = False, done: dict[str, str] | None = None,
                  timeout: float | None = None) -> list[ArticleResult]:
    """Normalize each article; never raises for one article's problem.

    With ``timeout`` (seconds), articles not started when it runs out are recorded as
    failed ("batch timed out"), to be retried by the next run.
    """
    import time
    pipeline = _pipeline(tuple(glossary_paths))
    done = done or {}
    results = []
    deadline = time.monotonic() + timeout if timeout else None
    for article in articles:
        if deadline is not None and time.monotonic() > deadline:
            results.append(ArticleResult(article, "failed", f"batch timed out after {timeout:.0f} s"))
            continue
        try:
            results.append(_one(pipeline, article, Path(input_dir), Path(output_dir),
                                retranslate, force, done.get(article)))
        except (InputError, GlossaryError) as exc:
            results.append(ArticleResult(article, "failed", str(exc)))
        except Exception as exc:  # a stage error must not stop the batch
            results.append(ArticleResult(article, "failed", f"{type(exc).__name__}: {exc}"))
    return results


def _one(pipeline: Pipeline, article: str, input_dir: Path, output_dir: Path,
         retranslate: bool, force: bool, previous_key: str | None) -> ArticleResult:
    src = input_dir / article
    try:
        raw = src.read_bytes()
    except OSError as exc:
        raise InputError(f"{article}: cannot read: {exc.strerror}") from None
    fr_path = french_source(input_dir, article)
    source = fr_path.read_bytes() if retranslate and fr_path.is_file() else None
    key = article_key(raw, source, pipeline.glossary.digest, retranslate)
    text_out, edits_out = _outputs(output_dir, article)
    if not force and previous_key == key and text_out.is_file() and edits_out.is_file():
        return ArticleResult(article, "skipped", key=key)

    from .report import collect_json_edits
    import io
    lines = iter_text_lines(io.BytesIO(raw), article)
    if source is not None:
        from .retranslate import retranslate_chunks
        chunks = retranslate_chunks(str(fr_path), chunk_lines(lines), pipeline)
    else:
        chunks = pipeline.run_chunks(chunk_lines(lines))
    pieces, edits, flags = collect_json_edits(chunks)
    rules = collections.Counter(part for e in edits for part in e["rule"].split("+"))
    with AtomicWriter(text_out) as w:
        w.write("".join(pieces))
    with AtomicWriter(edits_out) as w:
        w.write(json.dumps({"file": article, "changed": bool(edits), "edits": edits, "flags": flags},
                           ensure_ascii=False, indent=1) + "\n")
    french = len(flags)
    return ArticleResult(article, "ok", edits=len(edits), rules=dict(rules), key=key,
                         french_paragraphs=french)


def run_plain(input_dir: str, output_dir: str, *, glossary_paths: tuple[str, ...] = (),
              retranslate: bool = False, force: bool = False, batch_size: int = 100) -> list[ArticleResult]:
    """The same work as the flow, as a plain loop (for scripts and the benchmark baseline)."""
    articles = discover(input_dir)
    manifest = Manifest(output_dir)
    results: list[ArticleResult] = []
    for i in range(0, len(articles), batch_size):
        batch = process_batch(articles[i:i + batch_size], input_dir, output_dir,
                              glossary_paths=glossary_paths, retranslate=retranslate, force=force,
                              done=manifest.keys())
        manifest.record(batch)
        results += batch
    manifest.save()
    return results


def batches(items: list[str], size: int) -> list[list[str]]:
    size = max(1, size)
    return [items[i:i + size] for i in range(0, len(items), size)]


# ------------------------------------------------------------------------------ reports

def summary(results: list[ArticleResult]) -> dict:
    counts = collections.Counter(r.status for r in results)
    rules: collections.Counter = collections.Counter()
    for r in results:
        rules.update(r.rules)
    return {"processed": counts["ok"], "skipped": counts["skipped"], "failed": counts["failed"],
            "edits": sum(r.edits for r in results),
            "top_rules": [(k, v) for k, v in rules.most_common() if not k.startswith("glossary:")][:10],
            "top_glossary": [(k, v) for k, v in rules.most_common() if k.startswith("glossary:")][:10],
            "failures": [(r.article, r.reason) for r in results if r.status == "failed"],
            "french_paragraphs": sum(r.french_paragraphs for r in results)}


def markdown_report(results: list[ArticleResult], input_dir: str, output_dir: str) -> str:
    s = summary(results)
    lines = [f"# mtnorm run: {input_dir} → {output_dir}", "",
             "| processed | skipped | failed | edits |", "|---|---|---|---|",
             f"| {s['processed']} | {s['skipped']} | {s['failed']} | {s['edits']} |", ""]
    if s["french_paragraphs"]:
        lines += [f"Paragraphs still in French: {s['french_paragraphs']}.", ""]
    for title, rows in (("Rules that fired most", s["top_rules"]),
                        ("Glossary entries that fired most", s["top_glossary"])):
        if rows:
            lines += [f"## {title}", "", "| rule | edits |", "|---|---|"]
            lines += [f"| `{k}` | {v} |" for k, v in rows] + [""]
    if s["failures"]:
        lines += ["## Failures", "", "| article | reason |", "|---|---|"]
        lines += [f"| `{a}` | {reason.replace('|', '/')} |" for a, reason in s["failures"]] + [""]
    return "\n".join(lines)


def table_rows(results: list[ArticleResult]) -> list[dict]:
    return [{"article": r.article, "status": r.status, "edits": r.edits,
             "top rules": ", ".join(k for k, _ in collections.Counter(r.rules).most_common(3)),
             "reason": r.reason} for r in results]



def state_dir() -> Path:
    """mtnorm's state folder (Prefect's database lives under it): $MTNORM_STATE_DIR,
    else $XDG_STATE_HOME/mtnorm, else ~/.local/state/mtnorm."""
    if os.environ.get("MTNORM_STATE_DIR"):
        return Path(os.environ["MTNORM_STATE_DIR"])
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "mtnorm"
