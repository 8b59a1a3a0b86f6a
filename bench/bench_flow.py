"""The flow over 1,000 articles against a plain Python loop over the library, in one run.

    .venv/bin/python bench/bench_flow.py [--articles 1000]

Both redo every article (force). The flow runs against a Prefect test server started
first (its start-up, 10-30 s, is not counted: it is paid once per process, not per run).
Dask figures include the local cluster's start-up.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import ROOT, articles  # noqa: E402

sys.path.insert(0, str(ROOT))


def make_articles(folder: Path, n: int) -> float:
    arts = articles()
    size = 0
    for i in range(n):
        text = arts[i % len(arts)].replace("\n\n", f" (item {i})\n\n", 1)
        (folder / f"a{i:05d}.txt").write_text(text, encoding="utf-8")
        size += len(text.encode())
    return size / 1e6


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--batch-size", type=int, default=100)
    ap.add_argument("--no-dask", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="mtnorm-bench-flow-"))
    os.environ.update({"PREFECT_HOME": str(tmp / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                       "DO_NOT_TRACK": "1", "PREFECT_LOGGING_LEVEL": "WARNING",
                       "DASK_LOGGING__DISTRIBUTED": "warning",
                       "MTNORM_CACHE_DIR": str(tmp / "cache")})
    src = tmp / "in"
    src.mkdir()
    mb = make_articles(src, args.articles)

    from normalize import batch
    from normalize.cli_flow import task_runner

    def plain():
        batch.run_plain(str(src), str(tmp / "out-plain"), force=True, batch_size=args.batch_size)

    plain()   # warm: glossary cache, imports
    print(f"{args.articles} articles, {mb:.1f} MB, batch size {args.batch_size}; "
          f"best of {args.repeat}, loop and flow runs interleaved")

    from prefect.testing.utilities import prefect_test_harness
    from flows.normalize_flow import normalize_articles
    with prefect_test_harness(server_startup_timeout=90):
        def flow(runner=None, out="out-flow"):
            f = normalize_articles if runner is None else normalize_articles.with_options(task_runner=runner)
            state = f(input_dir=str(src), output_dir=str(tmp / out), force=True,
                      batch_size=args.batch_size, return_state=True)
            assert state.is_completed(), state.message

        flow()    # warm-up: first flow run against the server
        loops, flows_ = [], []
        for _ in range(args.repeat):      # interleaved: both see the same machine load
            loops.append(timed(plain))
            flows_.append(timed(flow))
        t_loop, t_flow = min(loops), min(flows_)
        print(f"plain Python loop over the library     {t_loop:7.2f} s   1.00x")
        print(f"flow, thread-pool task runner          {t_flow:7.2f} s   {t_flow / t_loop:4.2f}x"
              f"   (goal <= 1.3x: {'OK' if t_flow <= 1.3 * t_loop else 'MISSED'})")
        if not args.no_dask:
            t1 = timed(lambda: flow(task_runner(dask_local=1), "out-d1"))
            t2 = timed(lambda: flow(task_runner(dask_local=2), "out-d2"))
            print(f"flow, --dask-local 1 (with start-up)   {t1:7.2f} s   {t1 / t_loop:4.2f}x")
            print(f"flow, --dask-local 2 (with start-up)   {t2:7.2f} s   {t2 / t_loop:4.2f}x"
                  f"   ({t1 / t2:.2f}x faster than 1 worker)")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
