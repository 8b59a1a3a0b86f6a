"""`mtnorm run` and `mtnorm serve`: the Prefect flow over a folder of articles.

Prefect is imported only here, after its environment is set: its home (database) under
mtnorm's state folder, and telemetry off (it logs errors offline).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

RUN_EPILOG = """\
examples:
  mtnorm run --input scraped/ --output clean/             once, on embedded defaults (no server)
  mtnorm run --input scraped/ --output clean/ --force      redo everything
  mtnorm run ... --dask-local 2                            on a local Dask cluster of 2 workers
  mtnorm run ... --dask-address tcp://10.0.0.5:8786        on an existing Dask cluster
  mtnorm serve --cron "0 * * * *" --input scraped/ --output clean/

Each article X.txt gives X.txt and X.edits.json in the output folder (written atomically;
inputs are never modified). An article whose content, French source, glossary and mtnorm
version are unchanged since its last success is skipped; a failed one is retried next run.
Prefect keeps its database under $MTNORM_STATE_DIR (default ~/.local/state/mtnorm);
set PREFECT_API_URL to use your own Prefect server. Exit code 3 if any article failed.
"""


def add_commands(sub) -> None:
    run = sub.add_parser("run", help="normalize a folder of articles once, as a Prefect flow",
                         description="Run the normalize-articles flow once, in this process, on Prefect's "
                                     "embedded defaults (no server to start).",
                         epilog=RUN_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _flow_args(run)
    runner = run.add_mutually_exclusive_group()
    runner.add_argument("--dask-address", metavar="tcp://HOST:PORT",
                        help="run the batch tasks on an existing Dask cluster (workers need mtnorm installed)")
    runner.add_argument("--dask-local", type=int, metavar="N",
                        help="run the batch tasks on a local Dask cluster of N worker processes")
    run.set_defaults(func=_cmd_run)

    serve = sub.add_parser("serve", help="serve a scheduled deployment of the flow (cron)",
                           description="Register a deployment of the flow with a cron schedule and run its "
                                       "flow runs as they come due. Without PREFECT_API_URL, starts and "
                                       "supervises a local Prefect server on 127.0.0.1 (Prefect cannot "
                                       "schedule on its ephemeral server). Runs never overlap.",
                           epilog=RUN_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _flow_args(serve)
    serve.add_argument("--cron", required=True, help='a cron schedule, e.g. "0 * * * *" (hourly)')
    serve.add_argument("--name", default="mtnorm", help="deployment name (default: mtnorm)")
    serve.add_argument("--port", type=int, default=4200, help="port of the local server (default 4200)")
    serve.set_defaults(func=_cmd_serve)


def _flow_args(p) -> None:
    p.add_argument("--input", required=True, metavar="DIR", help="folder of articles (*.txt)")
    p.add_argument("--output", required=True, metavar="DIR", help="folder for normalized articles")
    p.add_argument("--glossary", action="append", default=[], metavar="PATH",
                   help="team glossary layers over the shipped ones (repeatable)")
    p.add_argument("--batch-size", type=int, default=100, metavar="N",
                   help="articles per task (default 100; Prefect costs ~0.01-0.3 s a task)")
    p.add_argument("--force", action="store_true", help="redo articles even if unchanged")
    p.add_argument("--retranslate", action="store_true",
                   help="re-translate from X.fr.txt beside X.txt when present (needs a model)")
    p.add_argument("-v", "--verbose", action="store_true", help="show Prefect's logs")


def prefect_environment(verbose: bool = False) -> None:
    """Set Prefect's environment before it is imported (it reads settings at import)."""
    from .batch import state_dir
    home = state_dir() / "prefect"
    home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_HOME", str(home))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
        os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")


def _check_dirs(args) -> None:
    from .files import InputError
    if not Path(args.input).is_dir():
        raise InputError(f"{args.input}: not a directory (--input takes a folder of .txt articles)")
    if Path(args.output).resolve() == Path(args.input).resolve():
        raise InputError(f"{args.output}: --output must differ from --input (inputs are never modified)")


def _parameters(args) -> dict:
    return {"input_dir": str(Path(args.input).resolve()), "output_dir": str(Path(args.output).resolve()),
            "glossary": [str(Path(g).resolve()) for g in args.glossary], "retranslate": args.retranslate,
            "batch_size": args.batch_size, "force": args.force}


def task_runner(dask_address: str | None = None, dask_local: int | None = None):
    if dask_address:
        from prefect_dask import DaskTaskRunner
        return DaskTaskRunner(address=dask_address)
    if dask_local:
        from prefect_dask import DaskTaskRunner
        return DaskTaskRunner(cluster_class="distributed.LocalCluster",
                              cluster_kwargs={"n_workers": dask_local, "threads_per_worker": 1,
                                              "processes": True, "dashboard_address": None})
    return None


def _cmd_run(args) -> int:
    _check_dirs(args)
    from .batch import glossary_digest
    glossary_digest(tuple(_parameters(args)["glossary"]))   # a bad glossary: exit 3 before Prefect starts
    prefect_environment(args.verbose)
    from flows.normalize_flow import normalize_articles

    flow = normalize_articles
    runner = task_runner(args.dask_address, args.dask_local)
    if runner is not None:
        flow = flow.with_options(task_runner=runner)
    state = flow(**_parameters(args), return_state=True)
    if state.is_failed():
        print(f"mtnorm: run failed: {state.message}", file=sys.stderr)
        return 3
    print(f"mtnorm: {state.message or 'done'}; report: mtnorm-report artifact "
          f"(`prefect artifact inspect mtnorm-report`)", file=sys.stderr)
    return 0


def _health(url: str) -> bool:
    import urllib.request
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def start_local_server(port: int, timeout: float = 120) -> subprocess.Popen:
    """Start `prefect server start` on 127.0.0.1 and wait until it answers."""
    url = f"http://127.0.0.1:{port}/api"
    if _health(url):
        raise RuntimeError(f"something already answers on 127.0.0.1:{port}; pass --port or set PREFECT_API_URL")
    log = Path(os.environ["PREFECT_HOME"]) / "server.log"
    proc = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                             "--port", str(port)], stdout=open(log, "ab"), stderr=subprocess.STDOUT,
                            env={**os.environ, "PREFECT_API_URL": ""})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the Prefect server exited (code {proc.returncode}); see {log}")
        if _health(url):
            return proc
        time.sleep(0.5)
    proc.terminate()
    raise RuntimeError(f"the Prefect server did not answer within {timeout:.0f} s; see {log}")


def _cmd_serve(args) -> int:
    _check_dirs(args)
    from .batch import glossary_digest
    glossary_digest(tuple(_parameters(args)["glossary"]))
    prefect_environment(args.verbose)
    server = None
    if not os.environ.get("PREFECT_API_URL"):
        try:
            server = start_local_server(args.port)
        except RuntimeError as exc:
            print(f"mtnorm: error: {exc}", file=sys.stderr)
            return 3
        os.environ["PREFECT_API_URL"] = f"http://127.0.0.1:{args.port}/api"
        print(f"mtnorm: started a local Prefect server at http://127.0.0.1:{args.port} "
              f"(database in {os.environ['PREFECT_HOME']}); it stops with this command", file=sys.stderr)
    else:
        print(f"mtnorm: using the Prefect server at {os.environ['PREFECT_API_URL']}", file=sys.stderr)
    try:
        from prefect.deployments.runner import EntrypointType
        from flows.normalize_flow import normalize_articles
        print(f"mtnorm: serving deployment normalize-articles/{args.name} on cron {args.cron!r}; "
              f"Ctrl-C stops", file=sys.stderr)
        normalize_articles.serve(name=args.name, cron=args.cron, parameters=_parameters(args),
                                 global_limit=1, limit=1, pause_on_shutdown=False,
                                 print_starting_message=False,
                                 entrypoint_type=EntrypointType.MODULE_PATH)
    except KeyboardInterrupt:
        pass
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
    return 0
