"""Glossary files: loading, layering, matching semantics, lint/test/show/suggest, cache."""
import os
import subprocess
import sys

import pytest

from conftest import ROOT
from normalize.glossary import SHIPPED_DIR, GlossaryError, apply_glossary, load
from normalize.glossary_tools import check_examples, lint
from normalize.pipeline import Pipeline

HEADER = "source\ttarget\tnote\tcase\tmatch\tcontext\texample\tstatus\n"


def write(tmp_path, name, rows, header=HEADER):
    p = tmp_path / name
    p.write_text(header + "".join(r + "\n" for r in rows), encoding="utf-8")
    return p


def apply(g, text):
    return apply_glossary(text, glossary=g).text


@pytest.fixture(scope="module")
def shipped():
    return load([SHIPPED_DIR])


def test_shipped_glossary_size_and_notes(shipped):
    assert len(shipped.active) >= 300
    assert all(e.note for e in shipped.active), "every shipped entry says why"


def test_shipped_lint_is_clean():
    findings = lint([SHIPPED_DIR])
    assert [str(f) for f in findings if f.level == "error"] == []


def test_every_shipped_example_gives_its_target(shipped):
    failures = check_examples(shipped, Pipeline(glossary=shipped))
    assert [str(f) for f in failures] == []


@pytest.mark.parametrize("text,expected", [
    ("Hayat Tahrir Al Cham", "Hayat Tahrir al-Sham"),            # space for hyphen
    ("Hayat-Tahrir Al-Cham", "Hayat Tahrir al-Sham"),            # hyphen for space
    ("Al-Qaida and Al-Qaïda", "Al-Qaeda and al-Qaeda"),            # diacritics; sentence start
    ("Idleb’s hospitals", "Idlib’s hospitals"),                   # curly possessive
    ("IN IDLEB, THE OSDH SAYS", "IN IDLIB, THE SOHR SAYS"),        # all-caps headline
    ("the osdh said", "the osdh said"),                           # acronyms match as written
    ("Abderrahmane and Rahmanes", "Abderrahmane and Rahmanes"),   # whole words only
    ("she ordered chicken Kiev in Kiev", "she ordered chicken Kiev in Kyiv"),  # keep entry
    ("The CPI rose 2%.", "The CPI rose 2%."),                     # ambiguous acronym, no context
    ("The CPI, the International Criminal Court, ruled.", "The ICC, the International Criminal Court, ruled."),
])
def test_matching_semantics(shipped, text, expected):
    assert apply(shipped, text) == expected


def test_longest_match_and_one_pass(tmp_path):
    g = load([write(tmp_path, "t.tsv", [
        "Etat islamique\tIslamic State\tfr\t\t\t\t\t",
        "Islamic State group\tIS group\tcascade bait\t\t\t\t\t",
        "Tahrir\tTahreer\tshorter\t\t\t\t\t",
        "Hayat Tahrir\tHayat Tahrir group\tlonger\t\t\t\t\t",
    ])], check_chains=False)
    # The longer entry wins; the replacement "Islamic State" is not matched again.
    assert apply(g, "Etat islamique group and Hayat Tahrir") == "Islamic State group and Hayat Tahrir group"


def test_chain_is_an_error(tmp_path):
    p = write(tmp_path, "t.tsv", ["Alep\tAleppo City\tx\t\t\t\t\t", "Aleppo City\tAleppo\ty\t\t\t\t\t"])
    with pytest.raises(GlossaryError) as exc:
        load([p])
    assert f"{p}:2: chain" in str(exc.value.problems)


@pytest.mark.parametrize("rows,message", [
    (["OSDH\tSOHR\tx\t\t\t\t\t", "OSDH\tSOHR2\tx\t\t\t\t\t"], "conflicting target"),
    (["OSDH\tSOHR\tx\t\t\t\t\t", "osdh\tSOHR\tx\t\t\t\t\t"], "duplicate source"),
    (["(a\tb\tx\t\tregex\t\t\t"], "bad regular expression"),
    (["(\\w+\\s?)+$\tb\tx\t\tregex\t\t\t"], "backtracks catastrophically"),
    (["Foo\tBar\tx\tweird\t\t\t\t"], "case must be one of"),
    (["Cafe\u0301\tCafe\tx\t\t\t\t\t"], "not in Unicode NFC"),
    (["Foo\tBar\tFoo Bar\t\t\t\t\t", "Bar\tBaz\tx\t\t\t\t\t"], "chain"),
    (["Foo\t\tx\t\t\t\t\t"], "empty target"),
])
def test_lint_findings_name_file_and_line(tmp_path, rows, message):
    p = write(tmp_path, "bad.tsv", rows)
    findings = [str(f) for f in lint([p])]
    assert any(message in f and f.startswith(f"{p}:") for f in findings), findings


def test_lint_missing_and_unknown_columns(tmp_path):
    p = write(tmp_path, "bad.tsv", ["a\tb"], header="src\ttarget\n")
    assert any("header lacks column(s) source" in str(f) for f in lint([p]))
    p = write(tmp_path, "bad2.tsv", ["a\tb\tc"], header="source\ttarget\tcolour\n")
    assert any("unknown column(s) colour" in str(f) for f in lint([p]))


def test_layers_override_and_disable(tmp_path, monkeypatch):
    team = write(tmp_path, "team.tsv", ["OSDH\tObservatory\twe prefer\t\t\t\t\toverride",
                                        "Idleb\tIdlib\toff\t\t\t\t\tdisabled"])
    g = load([SHIPPED_DIR, team])
    assert apply(g, "OSDH in Idleb") == "Observatory in Idleb"
    silent = write(tmp_path, "silent.tsv", ["OSDH\tthe Observatory\tno status\t\t\t\t\t"])
    with pytest.raises(GlossaryError) as exc:
        load([SHIPPED_DIR, silent])
    assert "already defined at glossaries/acronyms.tsv:" in exc.value.problems[0]


def test_environment_layer(tmp_path, monkeypatch):
    from normalize.glossary import layer_paths
    team = write(tmp_path, "team.tsv", ["Zorglub\tZorg\tteam\t\t\t\t\t"])
    monkeypatch.setenv("MTNORM_GLOSSARY", str(team))
    assert layer_paths() == [SHIPPED_DIR, team]
    assert apply(load(layer_paths()), "Zorglub said") == "Zorg said"


def test_regex_entry_with_groups_and_context(tmp_path):
    g = load([write(tmp_path, "t.tsv", [
        "\\bthe army (Syrian|Iraqi)\\b\tthe \\1 army\tword order\t\tregex\t\t\t",
        "PAM\tWFP\tacronym\texact\t\tfood\t\t",
    ])])
    assert apply(g, "The army Syrian and PAM food aid; PAM alone.") == \
        "The Syrian army and WFP food aid; WFP alone."
    assert apply(g, "PAM said so.") == "PAM said so."


def test_cache_is_keyed_by_content(tmp_path):
    p = write(tmp_path, "t.tsv", ["Zorglub\tZorg\tteam\t\t\t\t\t"])
    first = load([p])
    again = load([p])
    assert apply(again, "Zorglub") == "Zorg" and again.digest == first.digest
    p.write_text(HEADER + "Zorglub\tZorgy\tchanged\t\t\t\t\t\n", encoding="utf-8")
    assert apply(load([p]), "Zorglub") == "Zorgy"


def run(*args):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "normalize", *map(str, args)], capture_output=True,
                          text=True, cwd=ROOT, env=env)


def test_cli_lint_and_test():
    r = run("glossary", "lint")
    assert r.returncode == 0, r.stdout + r.stderr
    r = run("glossary", "test")
    assert r.returncode == 0 and "examples give their target" in r.stderr


def test_cli_lint_bad_file_exits_nonzero(tmp_path):
    p = write(tmp_path, "bad.tsv", ["OSDH\tSOHR\tx\t\t\t\t\t", "OSDH\tSOHR\tx\t\t\t\t\t"])
    r = run("glossary", "lint", p)
    assert r.returncode == 1 and f"{p}:3: error: duplicate source" in r.stdout
    assert "Traceback" not in r.stderr


def test_cli_show_and_suggest(tmp_path):
    r = run("glossary", "show", "Hayat Tahrir Al-Cham")
    assert r.returncode == 0 and "glossaries/groups.tsv:" in r.stdout and "why:" in r.stdout
    assert run("glossary", "show", "Paris").returncode == 1
    (tmp_path / "a.txt").write_text("Fighting near Marjayoun. Marjayoun was shelled. The JNIM said.\n")
    r = run("glossary", "suggest", tmp_path)
    assert r.returncode == 0
    rows = [ln.split("\t") for ln in r.stdout.splitlines() if ln and not ln.startswith(("#", "source"))]
    assert ["Marjayoun", "Marjayun"] == rows[0][:2]


def test_cli_test_corpus_reports_silent_entries(tmp_path):
    (tmp_path / "a.txt").write_text("Fighting in Idleb, says the OSDH.\n")
    r = run("glossary", "test", "--corpus", tmp_path)
    assert r.returncode == 0
    assert "never fires" in r.stdout and "entries fired on the corpus" in r.stderr
