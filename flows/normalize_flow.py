"""Normalize a folder of articles as a Prefect flow, in batch-sized tasks.

The work itself is plain Python in ``normalize.batch``; this module adds what Prefect
gives: tasks with timeouts (retries only around I/O), a Failed state naming the articles
that failed, artifacts (a markdown report and a per-article table), and task runners
(threads by default, Dask with ``--dask-address``/``--dask-local``).
"""
from __future__ import annotations

import logging
import sys

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.states import Failed

from normalize import batch

BATCH_TIMEOUT = 1800   # seconds for one batch of articles


class _ThreadTimeoutNotice(logging.Filter):
    """Prefect warns that a timeout cannot interrupt a task in a worker thread. The batch
    task also keeps the deadline itself (articles not started in time are failed, to be
    retried), so the notice is noise here."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "running in a worker thread" not in record.getMessage()


logging.getLogger("prefect.task_runs").addFilter(_ThreadTimeoutNotice())


@task(retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE, persist_result=False)
def discover_articles(input_dir: str) -> list[str]:
    return batch.discover(input_dir)


@task(timeout_seconds=BATCH_TIMEOUT, cache_policy=NO_CACHE, persist_result=False)
def normalize_batch(articles: list[str], input_dir: str, output_dir: str, glossary: tuple[str, ...],
                    retranslate: bool, force: bool, done: dict[str, str]) -> list[batch.ArticleResult]:
    return batch.process_batch(articles, input_dir, output_dir, glossary_paths=glossary,
                               retranslate=retranslate, force=force, done=done,
                               timeout=BATCH_TIMEOUT - 60)


@task(retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE, persist_result=False)
def save_manifest(manifest: batch.Manifest) -> None:
    manifest.save()


@flow(name="normalize-articles", log_prints=True, persist_result=False)
def normalize_articles(input_dir: str, output_dir: str, glossary: list[str] | None = None,
                       retranslate: bool = False, batch_size: int = 100, force: bool = False):
    """Normalize every article under input_dir into output_dir; skip what is already done."""
    layers = tuple(glossary or ())
    batch.glossary_digest(layers)        # a malformed glossary fails the run here, once
    articles = discover_articles(input_dir)
    manifest = batch.Manifest(output_dir)
    done = manifest.keys()
    futures = [normalize_batch.submit(chunk, input_dir, output_dir, layers, retranslate, force,
                                      {a: done[a] for a in chunk if a in done})
               for chunk in batch.batches(articles, batch_size)]
    progress = _Progress(len(articles))
    results: list[batch.ArticleResult] = []
    for future in as_completed(futures):
        got = future.result()
        results += got
        manifest.record(got)
        progress.update(len(results))
    progress.finish()
    save_manifest(manifest)
    results.sort(key=lambda r: r.article)
    create_markdown_artifact(batch.markdown_report(results, input_dir, output_dir),
                             key="mtnorm-report", description="mtnorm run report")
    if results:
        create_table_artifact(batch.table_rows(results), key="mtnorm-articles",
                              description="one row per article")
    s = batch.summary(results)
    message = (f"{s['processed']} normalized, {s['skipped']} skipped (unchanged), "
               f"{s['failed']} failed")
    if s["failed"]:
        names = "; ".join(f"{a} ({reason})" for a, reason in s["failures"][:20])
        return Failed(message=f"{message}: {names}")
    print(message)
    return s


class _Progress:
    """A progress bar on stderr when it is a terminal (runs from `mtnorm run`)."""

    def __init__(self, total: int):
        self.total = total
        self.on = sys.stderr.isatty() and total > 0

    def update(self, done: int) -> None:
        if self.on:
            width = 30
            filled = int(width * done / self.total)
            print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{self.total} articles",
                  end="", file=sys.stderr, flush=True)

    def finish(self) -> None:
        if self.on:
            print(file=sys.stderr)
