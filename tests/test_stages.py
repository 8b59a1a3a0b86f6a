"""Data-driven cases for each stage: tests/cases/<stage>.json (see tests/cases/README.md)."""
import json

import pytest

from conftest import ROOT
from normalize import STAGES, apply_edits
from normalize.pipeline import default_glossary

CASES_DIR = ROOT / "tests" / "cases"


def _load(name):
    return json.loads((CASES_DIR / name).read_text(encoding="utf-8"))


def _cases():
    for stage in STAGES:
        for case in _load(f"{stage}.json"):
            yield pytest.param(stage, case, id=f"{stage}: {case['label']}")
    for case in _load("known-failures.json"):
        yield pytest.param(case["stage"], case, id=f"known failure: {case['label']}",
                           marks=pytest.mark.xfail(strict=True, reason=case.get("comment", "")))


def _run(stage, text):
    return STAGES[stage](text, glossary=default_glossary(), final=True)


def _fired(rule, wanted):
    return any(part == w or part.startswith(w + ":") for part in rule.split("+") for w in wanted)


@pytest.mark.parametrize("stage,case", list(_cases()))
def test_stage_case(stage, case):
    text = case["input"]
    expected = case.get("expected", text)
    out = _run(stage, text)
    assert out.text == expected
    assert apply_edits(text, out.edits) == out.text
    fired = {e.rule for e in out.edits}
    for rule in case["rules"]:
        assert any(_fired(r, [rule]) for r in fired), f"rule {rule} did not fire; fired: {sorted(fired)}"
    for r in fired:
        assert _fired(r, case["rules"]), f"unexpected rule {r}"
    assert _run(stage, out.text).edits == [], "the stage is not idempotent on this case"


def test_every_stage_has_cases():
    for stage in STAGES:
        cases = _load(f"{stage}.json")
        assert any("expected" in c for c in cases), f"{stage}: no case that changes text"
        assert any("expected" not in c for c in cases), f"{stage}: no case of text left alone"


def test_boilerplate_scan_skips_prose():
    """Every row of boilerplate.tsv must say how its lines start (or name the words they
    need): one that can start anyhow makes every line a suspect, and the stage slow."""
    from normalize import boilerplate as b
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "tests" / "corpus" / "clean").glob("*.txt")))
    lines = text.split("\n")
    starts = b._line_starts(lines)
    at_start, guarded = b._suspects(text, starts, b.rules().scans)
    prose = [i for i, ln in enumerate(lines) if len(ln) > 80]
    suspects = [i for i in prose if i in at_start or any(i in g for g in guarded)]
    assert len(suspects) <= len(prose) // 5, f"{len(suspects)} of {len(prose)} prose lines need the line patterns"
