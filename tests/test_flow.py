"""The Prefect flow under one session-scoped test harness: outputs, failures, reruns, Dask, schedules."""
import json
import os
import shutil
import subprocess
import sys
import time

import pytest

from conftest import ROOT
from normalize import batch
from normalize.pipeline import Pipeline, chunk_lines
from normalize.report import collect_json_edits

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")


@pytest.fixture(scope="session")
def prefect_api(tmp_path_factory):
    """One Prefect test server for the whole session (startup can take over 30 s on CI)."""
    os.environ.setdefault("PREFECT_HOME", str(tmp_path_factory.mktemp("prefect-home")))
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness
    with prefect_test_harness(server_startup_timeout=90):
        yield PREFECT_API_URL.value()


@pytest.fixture
def articles(tmp_path):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    shutil.copy(ROOT / "seeds" / "000_f2a0a924dbf1b2a5.txt", src / "seed.txt")
    for name in ("mt_01", "mt_05"):
        shutil.copy(ROOT / "tests" / "corpus" / "mt" / f"{name}.txt", src / f"{name}.txt")
    shutil.copy(ROOT / "tests" / "corpus" / "clean" / "clean_01.txt", src / "sub" / "clean_01.txt")
    (src / "own.txt").write_text("Fighting resumed in Idleb, said the OSDH.\n\nRead also: more\n",
                                 encoding="utf-8")
    (src / "bad.txt").write_bytes(b"\x00\x01\x02 not text")
    return src


def expected_output(path):
    """What `mtnorm normalize` gives for a file."""
    with open(path, "rb") as f:
        from normalize.files import iter_text_lines
        pieces, _, _ = collect_json_edits(Pipeline().run_chunks(chunk_lines(iter_text_lines(f, str(path)))))
    return "".join(pieces)


def run_flow(**kwargs):
    from flows.normalize_flow import normalize_articles
    return normalize_articles(**kwargs, return_state=True)


def test_flow_outputs_failures_reruns(prefect_api, articles, tmp_path):
    out = tmp_path / "out"
    before = {p: p.read_bytes() for p in articles.rglob("*")if p.is_file()}
    state = run_flow(input_dir=str(articles), output_dir=str(out), batch_size=2)
    assert state.is_failed()
    assert "bad.txt" in state.message and "binary data" in state.message
    assert "5 normalized, 0 skipped" in state.message

    for rel in ("seed.txt", "mt_01.txt", "mt_05.txt", "sub/clean_01.txt", "own.txt"):
        assert (out / rel).read_text(encoding="utf-8") == expected_output(articles / rel), rel
        edits = json.loads((out / rel).with_name(rel.split("/")[-1][:-4] + ".edits.json").read_text())
        assert edits["file"] == rel
    assert (out / "sub" / "clean_01.txt").read_text() == (articles / "sub" / "clean_01.txt").read_text()
    assert not (out / "bad.txt").exists()
    assert {p: p.read_bytes() for p in articles.rglob("*") if p.is_file()} == before, "inputs untouched"

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    with get_client(sync_client=True) as client:
        reports = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["mtnorm-report"])))
    assert any("bad.txt" in str(a.data) and "binary data" in str(a.data) for a in reports)

    # A second run skips everything done; the bad file is tried again and fails again.
    state = run_flow(input_dir=str(articles), output_dir=str(out), batch_size=2)
    assert "0 normalized, 5 skipped" in state.message and state.is_failed()

    # Fix the bad file: only it is processed, and the run completes.
    (articles / "bad.txt").write_text("The OTAN met.\n", encoding="utf-8")
    state = run_flow(input_dir=str(articles), output_dir=str(out))
    assert state.is_completed()
    assert state.result()["processed"] == 1 and state.result()["skipped"] == 5
    assert (out / "bad.txt").read_text() == "The NATO met.\n"

    # A glossary change re-processes every article.
    team = tmp_path / "team.tsv"
    team.write_text("source\ttarget\tnote\nZorglub\tZorg\ttest\n", encoding="utf-8")
    state = run_flow(input_dir=str(articles), output_dir=str(out), glossary=[str(team)])
    assert state.is_completed() and state.result()["processed"] == 6


def test_flow_fails_on_a_malformed_glossary(prefect_api, articles, tmp_path):
    team = tmp_path / "team.tsv"
    team.write_text("source\ttarget\nOSDH\tSOHR\n", encoding="utf-8")   # duplicates a shipped entry
    state = run_flow(input_dir=str(articles), output_dir=str(tmp_path / "out"), glossary=[str(team)])
    assert state.is_failed() and "already defined" in state.message


def test_flow_on_a_local_dask_cluster(prefect_api, articles, tmp_path):
    from flows.normalize_flow import normalize_articles
    from normalize.cli_flow import task_runner
    (articles / "bad.txt").unlink()
    flow = normalize_articles.with_options(task_runner=task_runner(dask_local=2))
    out = tmp_path / "out"
    state = flow(input_dir=str(articles), output_dir=str(out), batch_size=2, return_state=True)
    assert state.is_completed(), state.message
    assert state.result()["processed"] == 5
    assert (out / "seed.txt").read_text() == expected_output(articles / "seed.txt")


def test_plain_loop_matches(articles, tmp_path):
    results = batch.run_plain(str(articles), str(tmp_path / "out"), batch_size=2)
    assert {r.article: r.status for r in results}["bad.txt"] == "failed"
    assert (tmp_path / "out" / "seed.txt").read_text() == expected_output(articles / "seed.txt")
    assert "bad.txt" in batch.markdown_report(results, "in", "out")


def test_serve_registers_a_cron_deployment_and_runs_it(prefect_api, articles, tmp_path):
    (articles / "bad.txt").unlink()
    out = tmp_path / "out"
    env = {**os.environ, "PREFECT_API_URL": prefect_api, "PREFECT_RUNNER_POLL_FREQUENCY": "1",
           "PYTHONPATH": str(ROOT), "MTNORM_STATE_DIR": str(tmp_path / "state")}
    log = open(tmp_path / "serve.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "normalize", "serve", "--cron", "0 * * * *",
                             "--input", str(articles), "--output", str(out), "--name", "test-hourly"],
                            stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    try:
        from prefect.client.orchestration import get_client
        from prefect.deployments import run_deployment
        deployment = None
        deadline = time.monotonic() + 90
        with get_client(sync_client=True) as client:
            while deployment is None and time.monotonic() < deadline:
                try:
                    deployment = client.read_deployment_by_name("normalize-articles/test-hourly")
                except Exception:
                    assert proc.poll() is None, (tmp_path / "serve.log").read_text()
                    time.sleep(1)
        assert deployment is not None, (tmp_path / "serve.log").read_text()
        crons = [s.schedule.cron for s in deployment.schedules]
        assert crons == ["0 * * * *"]
        assert deployment.global_concurrency_limit is not None or deployment.concurrency_limit == 1
        run = run_deployment("normalize-articles/test-hourly", timeout=120)
        assert run.state.is_completed(), (run.state, (tmp_path / "serve.log").read_text())
        assert (out / "seed.txt").read_text() == expected_output(articles / "seed.txt")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_flow_on_an_existing_dask_cluster_by_address(prefect_api, articles, tmp_path):
    from distributed import LocalCluster

    from flows.normalize_flow import normalize_articles
    from normalize.cli_flow import task_runner
    (articles / "bad.txt").unlink()
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        flow = normalize_articles.with_options(task_runner=task_runner(dask_address=cluster.scheduler_address))
        state = flow(input_dir=str(articles), output_dir=str(tmp_path / "out"), return_state=True)
    assert state.is_completed(), state.message
    assert (tmp_path / "out" / "own.txt").read_text() == "Fighting resumed in Idlib, said the SOHR.\n"
