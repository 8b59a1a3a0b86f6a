"""Articles of our own (tests/corpus): native English comes out unchanged; MT English passes its checks."""
import pytest

from conftest import ROOT, failed_checks, read_checks
from normalize import apply_edits

CORPUS = ROOT / "tests" / "corpus"
CLEAN = sorted((CORPUS / "clean").glob("*.txt"))
MT = sorted((CORPUS / "mt").glob("*.checks.tsv"))


def _known_gaps() -> dict[str, set]:
    """Checks expected to fail (tests/corpus/mt/known-gaps.tsv): file -> {(kind, text)}."""
    gaps: dict[str, set] = {}
    for line in (CORPUS / "mt" / "known-gaps.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, kind, text, _why = line.split("\t")
            gaps.setdefault(name, set()).add((kind, text))
    return gaps


KNOWN_GAPS = _known_gaps()


def test_corpus_present():
    assert len(CLEAN) >= 10 and len(MT) >= 10


@pytest.mark.parametrize("path", CLEAN, ids=lambda p: p.name)
def test_clean_english_is_left_alone(path, pipeline):
    text = path.read_text(encoding="utf-8")
    out = pipeline.normalize(text)
    assert [(e.rule, e.before, e.after) for e in out.edits] == []


@pytest.mark.parametrize("checks", MT, ids=lambda p: p.name)
def test_mt_article_checks(checks, pipeline):
    text = checks.with_name(checks.name.replace(".checks.tsv", ".txt")).read_text(encoding="utf-8")
    out = pipeline.normalize(text)
    failed = {(k, s) for k, s, _ in failed_checks(read_checks(checks), out.text)}
    assert failed == KNOWN_GAPS.get(checks.name, set()), "a check fails, or a known gap now passes"
    assert apply_edits(text, out.edits) == out.text
    assert pipeline.normalize(out.text).edits == []
