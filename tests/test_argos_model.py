"""The offline argostranslate fixture (tests/argos_model.py) really translates through argos."""
import json
import os
import socket
import time
import zipfile

import pytest

from argos_model import OfflineSentencizer, build_argos_package, install_and_get_translation

WORD_MAP = {"chat": "cat", "chien": "dog", "maison": "house"}

# install_and_get_translation sets these in os.environ; registering them with
# monkeypatch first restores the caller's environment afterwards.
_ENV_KEYS = ("ARGOS_PACKAGES_DIR", "ARGOS_PACKAGE_INDEX", "ARGOS_MODEL_PROVIDER",
             "ARGOS_CHUNK_TYPE", "ARGOS_DEVICE_TYPE", "MTNORM_MODELS_DIR")


def _guard_env(mp):
    for key in _ENV_KEYS:
        mp.setenv(key, os.environ.get(key, "unset-by-test"))


def _install(mp, package_path, packages_dir):
    _guard_env(mp)
    return install_and_get_translation(package_path, packages_dir)


# First in the file, so that importing argostranslate/stanza/torch also happens
# while the network is refused (when this file runs on its own).
def test_build_install_translate_never_touch_the_network(tmp_path, monkeypatch):
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)

    start = time.monotonic()
    package_path = build_argos_package(tmp_path / "build", WORD_MAP)
    assert time.monotonic() - start < 30
    translation = _install(monkeypatch, package_path, tmp_path / "packages")
    assert translation.translate("le chat dort. Le chien aussi !") == "le cat dort. Le dog aussi !"
    assert translation.hypotheses("la maison", 1)[0].value == "la house"
    assert attempts == []


@pytest.fixture(scope="module")
def translation(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("argos")
    with pytest.MonkeyPatch.context() as mp:
        yield _install(mp, build_argos_package(tmp / "build", WORD_MAP), tmp / "packages")


def test_package_layout(tmp_path):
    start = time.monotonic()
    path = build_argos_package(tmp_path, WORD_MAP)
    assert time.monotonic() - start < 30
    assert path.suffix == ".argosmodel" and path.parent == tmp_path
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        top = {n.split("/")[0] for n in names}
        assert top == {"translate-fr_en-fixture"}
        for member in ("metadata.json", "sentencepiece.model", "model/model.bin",
                       "model/config.json", "model/shared_vocabulary.json"):
            assert f"translate-fr_en-fixture/{member}" in names
        metadata = json.loads(zf.read("translate-fr_en-fixture/metadata.json"))
        config = json.loads(zf.read("translate-fr_en-fixture/model/config.json"))
    assert metadata["from_code"] == "fr" and metadata["to_code"] == "en"
    assert metadata["type"] == "translate"
    assert config["add_source_eos"] is True


def test_copies_with_word_map(translation):
    assert translation.translate("le chat noir dort dans la maison") == "le cat noir dort dans la house"
    [best] = translation.hypotheses("le chat noir dort dans la maison", 1)
    assert best.value == "le cat noir dort dans la house"
    assert best.score == pytest.approx(0.0, abs=1e-3)


def test_runs_real_ctranslate2_beam_search(translation):
    import ctranslate2
    from argostranslate import translate

    hyps = translation.hypotheses("le chien", 4)
    assert isinstance(translation.translator, ctranslate2.Translator)
    assert isinstance(translation.sentencizer, OfflineSentencizer)
    assert len(hyps) == 4 and hyps[0].value == "le dog"
    # Beam search found worse alternatives, far below the copy.
    assert all(h.score < hyps[0].score - 10 for h in hyps[1:])
    # argostranslate's own API reaches the same installed package.
    assert translate.translate("le chien et le chat", "fr", "en") == "le dog et le cat"


def test_unseen_words_digits_accents_punctuation_round_trip(translation):
    text = "Zorglub a vu 3 chats à Idleb, près de l'OSDH ?"
    assert translation.translate(text) == text  # "chats" is not "chat"
    text = "« Hayat Tahrir Al-Cham » (HTC) : MTNPH3 ; 12,5 % des déplacés ! Œuvre-t-il ?"
    assert translation.translate(text) == text
    # Characters absent from the tokenizer's training text go through byte pieces.
    text = "Straße ŵ 漢字 😀"
    assert any(p.startswith("<0x") for p in translation.pkg.tokenizer.encode(text))
    assert translation.translate(text) == text


def test_words_are_mapped_only_whole(translation):
    assert (translation.translate("chat, (chat) «chat» l'chat chat-huant chats chaton achat Chat")
            == "cat, (cat) «cat» l'cat cat-huant chats chaton achat Chat")


def test_sentences_and_paragraphs_keep_their_separation(translation):
    text = "Le chat dort. Le chien aboie ! Où est la maison ?\nDeuxième paragraphe : le chien.\n\nFin."
    assert (translation.translate(text)
            == "Le cat dort. Le dog aboie ! Où est la house ?\nDeuxième paragraphe : le dog.\n\nFin.")


def test_new_install_replaces_cached_translation(tmp_path, monkeypatch, translation):
    path = build_argos_package(tmp_path / "build", {"chat": "kitty"}, corpus=["Le chat de la voisine."])
    other = _install(monkeypatch, path, tmp_path / "packages")
    assert other is not translation
    assert other.translate("le chat et le chien") == "le kitty et le chien"


def test_sentences_longer_than_max_positions_fail(tmp_path, monkeypatch):
    translation = _install(monkeypatch, build_argos_package(tmp_path / "build", WORD_MAP, max_positions=16),
                           tmp_path / "packages")
    fits = " ".join(["chat"] * 15)  # 15 pieces + </s>
    assert len(translation.pkg.tokenizer.encode(fits)) == 15
    assert translation.translate(fits) == " ".join(["cat"] * 15)
    with pytest.raises(RuntimeError, match="position"):
        translation.translate(" ".join(["chat"] * 40))
