"""Re-translation through argostranslate with a fixture model built here; French left in English.

No model is downloaded: tests/argos_model.py builds a real (tiny) argos package whose model
copies its input while mapping a few words (chat -> cat, maison -> house, OSDH -> XYZ), so a
mapped word in the output proves the translation really ran.
"""
import json
import os
import socket
import subprocess
import sys

import pytest

from argos_model import build_argos_package
from conftest import ROOT

WORDS = {"chat": "cat", "maison": "house", "chien": "dog", "OSDH": "XYZ"}


@pytest.fixture(scope="module")
def model_env(tmp_path_factory):
    """A state dir with the fixture model installed through `mtnorm model install`."""
    base = tmp_path_factory.mktemp("mt-state")
    pkg = build_argos_package(tmp_path_factory.mktemp("build"), WORDS)
    env = {**os.environ, "MTNORM_STATE_DIR": str(base), "PYTHONPATH": str(ROOT)}
    env.pop("MTNORM_MODELS_DIR", None)
    r = subprocess.run([sys.executable, "-m", "normalize", "model", "install", str(pkg)],
                       capture_output=True, text=True, env=env, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    return env


@pytest.fixture
def in_process(model_env, monkeypatch):
    monkeypatch.setenv("MTNORM_STATE_DIR", model_env["MTNORM_STATE_DIR"])
    monkeypatch.delenv("MTNORM_MODELS_DIR", raising=False)
    return model_env


def mtnorm(env, *args, stdin=None):
    return subprocess.run([sys.executable, "-m", "normalize", *map(str, args)], input=stdin,
                          capture_output=True, text=True, env=env, cwd=ROOT)


def test_model_list(model_env):
    r = mtnorm(model_env, "model", "list")
    assert r.returncode == 0 and r.stdout.startswith("fr -> en")


def test_round_trip_word_map_and_paragraphs(model_env, tmp_path):
    fr = tmp_path / "a.fr.txt"
    fr.write_text("Le chat dort dans la maison.\n\nLe chien aboie. Le chat part.\n", encoding="utf-8")
    r = mtnorm(model_env, "retranslate", fr)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "Le cat dort dans la house.\n\nLe dog aboie. Le cat part.\n"


def test_french_boilerplate_is_dropped_before_translation(model_env, tmp_path):
    fr = tmp_path / "a.fr.txt"
    fr.write_text("Le chat dort.\n\nLire aussi : Le chien et la maison\n\nArticle réservé à nos abonnés\n",
                  encoding="utf-8")
    r = mtnorm(model_env, "retranslate", fr)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "Le cat dort.\n"


def test_glossary_terms_are_forced_through_translation(model_env, tmp_path):
    # The model maps OSDH to XYZ: without protection "XYZ" would come out.
    fr = tmp_path / "a.fr.txt"
    fr.write_text("Selon l'OSDH, les jihadistes de Hayat Tahrir Al-Cham avancent.\n", encoding="utf-8")
    r = mtnorm(model_env, "retranslate", fr)
    assert r.returncode == 0, r.stderr
    assert "SOHR" in r.stdout and "XYZ" not in r.stdout
    assert "Hayat Tahrir al-Sham" in r.stdout


def test_missing_model_is_a_clear_error(tmp_path):
    env = {**os.environ, "MTNORM_STATE_DIR": str(tmp_path / "empty"), "PYTHONPATH": str(ROOT)}
    env.pop("MTNORM_MODELS_DIR", None)
    fr = tmp_path / "a.fr.txt"
    fr.write_text("Le chat dort.\n", encoding="utf-8")
    r = mtnorm(env, "retranslate", fr)
    assert r.returncode == 3
    assert "no fr->en translation model" in r.stderr and "argospm install translate-fr_en" in r.stderr
    assert "mtnorm model install" in r.stderr and "Traceback" not in r.stderr
    r = mtnorm(env, "model", "install", tmp_path / "nope.argosmodel")
    assert r.returncode == 3 and "no such file" in r.stderr


def test_normalize_with_source_replaces_the_mt(model_env, tmp_path):
    en = tmp_path / "a.txt"
    en.write_text("The cat sleeps in the house of the OSDH.\n", encoding="utf-8")
    fr = tmp_path / "a.fr.txt"
    fr.write_text("Le chat dort dans la maison.\n", encoding="utf-8")
    r = mtnorm(model_env, "normalize", "--source", fr, en)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "Le cat dort dans la house.\n"
    r = mtnorm(model_env, "normalize", "--explain", "--source", fr, en)
    assert f"retranslate:{fr}" in r.stdout


def test_no_network_is_touched(in_process, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    from normalize import Pipeline
    from normalize.retranslate import Translator, retranslate_text
    pipeline = Pipeline()
    out = retranslate_text("Le chat dort. Le chien aboie.\n", pipeline, Translator(glossary=pipeline.glossary))
    assert out.text == "Le cat dort. Le dog aboie.\n"


MIXED = ("Fighting resumed in Idlib on Monday, according to the Syrian Observatory.\n\n"
         "Les forces du régime ont repris la ville et le chat dort dans la maison après des combats.\n\n"
         "The regime denied the report.\n")


def test_french_paragraph_is_flagged(tmp_path):
    f = tmp_path / "mixed.txt"
    f.write_text(MIXED, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = mtnorm(env, "normalize", "--json", f)
    doc = json.loads(r.stdout)
    assert [x["line"] for x in doc["flags"]] == [3]
    assert doc["flags"][0]["rule"] == "language.french_paragraph"
    assert doc["text"] == MIXED, "flagging changes nothing"
    r = mtnorm(env, "normalize", "--explain", f)
    assert ":3:1: language.french_paragraph: still French" in r.stdout


def test_french_paragraph_is_translated_in_place(model_env, tmp_path):
    f = tmp_path / "mixed.txt"
    f.write_text(MIXED, encoding="utf-8")
    r = mtnorm(model_env, "normalize", "--retranslate-french", f)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.split("\n")
    assert lines[0] == MIXED.split("\n")[0] and lines[4] == "The regime denied the report."
    assert "le cat dort dans la house" in lines[2]


def test_a_new_install_takes_effect(in_process, tmp_path):
    from normalize.retranslate import Translator, install_model
    pkg = build_argos_package(tmp_path / "b", {"chat": "kitty", "maison": "home"})
    install_model(pkg)
    assert Translator().translate_paragraphs(["Le chat dort."]) == ["Le kitty dort."]
    pkg = build_argos_package(tmp_path / "c", WORDS)
    install_model(pkg)
    assert Translator().translate_paragraphs(["Le chat dort."]) == ["Le cat dort."]


def test_flow_retranslates_when_a_french_source_is_beside(in_process, tmp_path):
    from normalize import batch
    src = tmp_path / "in"
    src.mkdir()
    (src / "x.txt").write_text("The cat sleeps.\n", encoding="utf-8")
    (src / "x.fr.txt").write_text("Le chat dort dans la maison.\n", encoding="utf-8")
    (src / "y.txt").write_text("In Idleb.\n", encoding="utf-8")
    results = batch.run_plain(str(src), str(tmp_path / "out"), retranslate=True)
    assert {r.article: r.status for r in results} == {"x.txt": "ok", "y.txt": "ok"}
    assert (tmp_path / "out" / "x.txt").read_text() == "Le cat dort dans la house.\n"
    assert (tmp_path / "out" / "y.txt").read_text() == "In Idlib.\n"
