"""Every seeds/*.checks.tsv: the normalized seed passes its checks, through the library and the CLI."""
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, failed_checks, read_checks
from normalize import apply_edits

SEEDS = sorted((ROOT / "seeds").glob("*.checks.tsv"))


def _article(checks: Path) -> Path:
    return checks.with_name(checks.name.replace(".checks.tsv", ".txt"))


def test_seeds_exist():
    assert SEEDS, "no seeds/*.checks.tsv found"


@pytest.mark.parametrize("checks", SEEDS, ids=lambda p: p.name)
def test_seed_checks_library(checks, pipeline):
    text = _article(checks).read_text(encoding="utf-8")
    out = pipeline.normalize(text)
    assert failed_checks(read_checks(checks), out.text) == []
    assert apply_edits(text, out.edits) == out.text
    assert pipeline.normalize(out.text).edits == [], "normalizing twice must change nothing"


@pytest.mark.parametrize("checks", SEEDS, ids=lambda p: p.name)
def test_seed_checks_cli(checks):
    r = subprocess.run([sys.executable, "-m", "normalize", "normalize", str(_article(checks))],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert failed_checks(read_checks(checks), r.stdout) == []
