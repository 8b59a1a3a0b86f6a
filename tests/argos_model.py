"""A tiny but real Argos Translate package, built offline in a fraction of a second.

``build_argos_package`` trains a small SentencePiece model and writes a hand-wired
CTranslate2 Transformer (1 encoder layer, 1 decoder layer, 1 head, no training)
that copies its input piece by piece while mapping whole words through
``word_map`` (e.g. ``chat -> cat``).  The result is an ordinary ``.argosmodel``
zip, so tests can install it with ``argostranslate.package.install_from_path`` and
translate through argostranslate's real code (SentencePiece tokenizer,
``ctranslate2.Translator.translate_batch`` with beam search, detokenizer).

``install_and_get_translation`` installs such a package into a private packages
directory and returns a translation object whose sentence splitter never touches
the network.

How the model works (all weights are 0/1 one-hot patterns, no randomness)
-------------------------------------------------------------------------
Residual stream of width ``d = V + P + 2`` (rounded up to a multiple of 8), with
V = vocabulary size and P = ``max_positions``::

    [0, V)        token one-hot            (TOK)
    [V, V+P)      position one-hot         (POS, learned position table = one-hot)
    V+P, V+P+1    "next piece starts a new word" yes / no flag

Every layer norm sees vectors made of a fixed number of ones, so its mean and
variance are constants; gamma/beta are set so that each layer norm is the identity.

Encoder (source = pieces + ``</s>``, appended by CTranslate2 because the config sets
``add_source_eos``):

* embeddings put ``e_tok + e_pos`` in the stream (``scale_embeddings`` off);
* self-attention: the query of position i matches key i+1 (score 60 nats) and
  itself (30 nats), so it reads the word-boundary flag of the *next* piece (the
  last position, ``</s>``, falls back on itself).  A piece starts a new word if
  it begins with ``▁``, is ``</s>``, or begins with a character that is not a letter
  or digit;
* feed-forward: one ReLU unit per ``word_map`` entry computes
  ``[piece == ▁key] AND [next piece starts a new word]`` and, when it fires, moves
  the token one-hot from ``▁key`` to ``▁value``.  So ``chat`` becomes ``cat`` but
  ``chats`` (``▁chat`` + ``s``) and ``chateau`` are copied unchanged.

Decoder (token embeddings are all zero: the output only depends on the step):

* cross-attention: at step t the query is ``e_t``; it matches source position t
  (60 nats) and, with a 30-nat bonus, the source ``</s>``.  Before the end the
  aligned piece wins by 30 nats; at and after the end ``</s>`` wins, so every beam
  emits ``</s>`` and decoding stops;
* the value is the (mapped) token one-hot, copied to TOK; the output projection
  is ``60 * identity`` on TOK, so the aligned piece gets a logit 60 above any other.

Limits
------
* A sentence (as given to CTranslate2 by the splitter) may hold at most
  ``max_positions - 1`` pieces (the position table has ``max_positions`` rows and
  ``</s>`` takes one).  Longer input makes CTranslate2 fail (or, since argostranslate
  keeps CTranslate2's default ``max_decoding_length=256``, get truncated).  With the
  splitter installed by ``install_and_get_translation`` that is per sentence.
* ``word_map`` is case sensitive and applies to whole words that SentencePiece
  marks with ``▁``, i.e. preceded by a space or at the start of a sentence; a word
  glued to a preceding ``(``, ``«`` or apostrophe (``l'chat``) is not mapped.
* argostranslate's detokenizer turns ``_`` into a space, and the splitter/tokenizer
  cannot keep leading spaces of a paragraph; the copy is otherwise exact for text
  made of Latin letters (accented or not), digits, spaces and punctuation, and for
  any other character through SentencePiece's byte fallback.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sys
import zipfile
from pathlib import Path

import numpy as np

__all__ = [
    "build_argos_package",
    "install_and_get_translation",
    "OfflineSentencizer",
    "PACKAGE_VERSION",
]

PACKAGE_VERSION = "1.0"

# Attention scores (in nats, after CTranslate2's 1/sqrt(d) scaling) and output logit.
_MATCH = 60.0
_BONUS = 30.0  # self fall-back (encoder) / </s> bonus (decoder): margin 30 nats
_LOGIT = 60.0
_EPS = 1e-6  # layer_norm_epsilon written in config.json

_LANG_NAMES = {
    "fr": "French",
    "en": "English",
    "de": "German",
    "es": "Spanish",
    "it": "Italian",
    "ar": "Arabic",
}

# Lines every tokenizer is trained on: French-ish news text plus every character we
# want as a piece of its own (anything else still round-trips via byte fallback).
_BUILTIN_LINES = [
    "le chat noir dort dans la maison",
    "Le chien du voisin aboie dans la rue depuis ce matin.",
    "Selon l'Observatoire syrien des droits de l'homme (OSDH), 12 civils ont été tués.",
    "« Nous ne céderons pas », a déclaré le ministre ; la situation reste tendue !",
    "Les prix ont augmenté de 3,5 % en un an : c'est la hausse la plus forte depuis 2008.",
    "Où est-il ? À Idleb, près de la frontière, où vivent des milliers de déplacés.",
    "Il a vu le président, puis il est rentré chez lui. Les négociations reprendront lundi.",
    "Un porte-parole du gouvernement a démenti ces informations mardi soir.",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz 0123456789",
    "àâäáãåçéèêëíìîïñóòôöõúùûüýÿœæ ÀÂÄÁÃÅÇÉÈÊËÍÌÎÏÑÓÒÔÖÕÚÙÛÜÝŸŒÆ",
    "! \" # $ % & ' ( ) * + , - . / : ; < = > ? @ [ \\ ] ^ _ ` { | } ~",
    "« » “ ” ‘ ’ „ – — … • · ° € £ § ¿ ¡ \u00a0 \u202f",
]

_BYTE_PIECE = re.compile(r"<0x([0-9A-Fa-f]{2})>")


def _piece(word: str) -> str:
    return "▁" + word.replace(" ", "▁")


def _check_word(kind: str, word: object) -> str:
    if not isinstance(word, str) or not word or word != word.strip():
        raise ValueError(f"word_map {kind} {word!r}: must be a non-empty string without surrounding spaces")
    if any(c.isspace() and c != " " for c in word) or "  " in word:
        raise ValueError(f"word_map {kind} {word!r}: only single spaces are allowed inside")
    if "▁" in word:
        raise ValueError(f"word_map {kind} {word!r}: must not contain '▁'")
    return word


def _starts_word(piece: str) -> bool:
    """Whether a piece begins a new word (so the piece before it ends one)."""
    if piece in ("</s>", "<unk>", "<s>"):
        return True
    m = _BYTE_PIECE.fullmatch(piece)
    if m:
        b = int(m.group(1), 16)
        # Bytes >= 0x80 belong to a multi-byte character: assume a letter.
        return b < 0x80 and not chr(b).isalnum()
    return piece.startswith("▁") or not piece[0].isalnum()


def _train_sentencepiece(lines: list[str], user_symbols: list[str]) -> bytes:
    import sentencepiece as spm

    chars = set("".join(lines)) - {" "}
    # 3 control pieces + 256 byte pieces + user symbols + characters + ▁, then merges.
    vocab_size = 3 + 256 + len(user_symbols) + len(chars) + 1 + 160
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=model,
        model_type="bpe",
        vocab_size=vocab_size,
        hard_vocab_limit=False,
        byte_fallback=True,
        character_coverage=1.0,
        # Exact copies: no NFKC, keep every space as typed.
        normalization_rule_name="identity",
        remove_extra_whitespaces=False,
        user_defined_symbols=user_symbols,
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        num_threads=1,
        minloglevel=2,
    )
    return model.getvalue()


def _identity_layer_norm(spec, d: int, ones: int) -> None:
    """Make a LayerNorm the identity on vectors holding exactly ``ones`` ones."""
    mean = ones / d
    var = ones / d - mean * mean
    spec.gamma = np.full(d, np.sqrt(var + _EPS), dtype=np.float32)
    spec.beta = np.full(d, mean, dtype=np.float32)


def _plain_layer_norm(spec, d: int) -> None:
    spec.gamma = np.ones(d, dtype=np.float32)
    spec.beta = np.zeros(d, dtype=np.float32)


def _write_ctranslate2_model(model_dir: Path, pieces: list[str], token_map: dict[int, int], max_positions: int) -> None:
    from ctranslate2.specs import transformer_spec

    V = len(pieces)
    P = max_positions
    POS = V
    YES, NO = V + P, V + P + 1
    d = -(-(V + P + 2) // 8) * 8
    eos = pieces.index("</s>")
    lam = np.float32(np.sqrt(d))  # CTranslate2 divides attention scores by sqrt(head_dim) = sqrt(d)
    f32 = np.float32

    spec = transformer_spec.TransformerSpec(
        transformer_spec.TransformerEncoderSpec(1, 1, pre_norm=True),
        transformer_spec.TransformerDecoderSpec(1, 1, pre_norm=True),
    )
    enc, dec = spec.encoder, spec.decoder

    positions = np.zeros((P, d), dtype=f32)
    positions[np.arange(P), POS + np.arange(P)] = 1

    # ---- encoder -------------------------------------------------------------
    enc.scale_embeddings = False
    enc.embeddings[0].weight = np.eye(V, d, dtype=f32)
    enc.position_encodings.encodings = positions
    layer = enc.layer[0]

    # Self-attention: position i reads the word-boundary flag of piece i+1.
    att = layer.self_attention
    _identity_layer_norm(att.layer_norm, d, 2)  # e_tok + e_pos
    wq = np.zeros((d, d), dtype=f32)
    wk = np.zeros((d, d), dtype=f32)
    wv = np.zeros((d, d), dtype=f32)
    for p in range(P):
        wq[POS + p, POS + p] = _BONUS * lam
        if p + 1 < P:
            wq[POS + p + 1, POS + p] = _MATCH * lam
        wk[POS + p, POS + p] = 1
    for i, piece in enumerate(pieces):
        wv[YES if _starts_word(piece) else NO, i] = 1
    att.linear[0].weight = np.concatenate([wq, wk, wv])
    wo = np.zeros((d, d), dtype=f32)
    wo[YES, YES] = wo[NO, NO] = 1
    att.linear[1].weight = wo

    # Feed-forward: one unit per mapped word, firing when the word is complete.
    ffn = layer.ffn
    _identity_layer_norm(ffn.layer_norm, d, 3)  # e_tok + e_pos + e_flag
    units = max(1, len(token_map))
    w0 = np.zeros((units, d), dtype=f32)
    b0 = np.zeros(units, dtype=f32)
    w1 = np.zeros((d, units), dtype=f32)
    for u, (src, tgt) in enumerate(sorted(token_map.items())):
        w0[u, src] = w0[u, YES] = 1
        b0[u] = -1
        w1[tgt, u] += 1
        w1[src, u] -= 1
    ffn.linear_0.weight, ffn.linear_0.bias = w0, b0
    ffn.linear_1.weight = w1
    _identity_layer_norm(enc.layer_norm, d, 3)

    # ---- decoder -------------------------------------------------------------
    dec.scale_embeddings = False
    dec.embeddings.weight = np.zeros((V, d), dtype=f32)
    dec.position_encodings.encodings = positions
    layer = dec.layer[0]

    att = layer.self_attention  # unused: all zeros
    _plain_layer_norm(att.layer_norm, d)
    att.linear[0].weight = np.zeros((3 * d, d), dtype=f32)
    att.linear[1].weight = np.zeros((d, d), dtype=f32)

    # Cross-attention: step t reads source position t, or </s> once past the end.
    att = layer.attention
    _identity_layer_norm(att.layer_norm, d, 1)  # e_pos only
    wq = np.zeros((d, d), dtype=f32)
    bq = np.zeros(d, dtype=f32)
    wk = np.zeros((d, d), dtype=f32)
    wv = np.zeros((d, d), dtype=f32)
    for p in range(P):
        wq[POS + p, POS + p] = _MATCH * lam
        wk[POS + p, POS + p] = 1
    bq[eos] = _BONUS * lam
    wk[eos, eos] = 1
    wv[np.arange(V), np.arange(V)] = 1
    att.linear[0].weight, att.linear[0].bias = wq, bq
    att.linear[1].weight = np.concatenate([wk, wv])
    att.linear[2].weight = np.eye(d, dtype=f32) * (np.arange(d) < V)

    ffn = layer.ffn  # unused: all zeros
    _plain_layer_norm(ffn.layer_norm, d)
    ffn.linear_0.weight = np.zeros((1, d), dtype=f32)
    ffn.linear_1.weight = np.zeros((d, 1), dtype=f32)

    _identity_layer_norm(dec.layer_norm, d, 2)  # e_pos + e_tok
    dec.projection.weight = np.eye(V, d, dtype=f32) * f32(_LOGIT)

    spec.config.add_source_eos = True  # OpenNMT-py-style models do not; we need </s> to align on
    spec.config.layer_norm_epsilon = _EPS
    spec.register_source_vocabulary(pieces)
    spec.register_target_vocabulary(pieces)
    spec.validate()
    spec.optimize()  # aliases the identical zero / position matrices
    model_dir.mkdir(parents=True)
    spec.save(str(model_dir))


def build_argos_package(
    workdir: Path,
    word_map: dict[str, str],
    corpus: list[str] | None = None,
    *,
    from_code: str = "fr",
    to_code: str = "en",
    max_positions: int = 256,
) -> Path:
    """Build ``<workdir>/translate-<from>_<to>-fixture.argosmodel`` and return its path.

    The model copies its input piece by piece, replacing each whole word ``k`` of
    ``word_map`` (case sensitive, preceded by a space or starting a sentence) by
    ``word_map[k]``.  ``corpus`` lines are added to the tokenizer's training text
    (useful to get whole pieces for frequent words; never needed for correctness).
    Sentences of ``max_positions`` pieces or more are not supported.
    Nothing here touches the network.
    """
    workdir = Path(workdir)
    word_map = {_check_word("key", k): _check_word("value", v) for k, v in dict(word_map).items()}
    if max_positions < 2:
        raise ValueError("max_positions must be at least 2")

    user_symbols = list(dict.fromkeys(_piece(w) for pair in word_map.items() for w in pair))
    lines = list(_BUILTIN_LINES) + [str(x) for x in (corpus or []) if str(x).strip()]
    lines += [f"{k} {v}" for k, v in word_map.items()]
    lines = [line for text in lines for line in text.splitlines() if line.strip()]
    sp_bytes = _train_sentencepiece(lines, user_symbols)

    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_proto=sp_bytes)
    pieces = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    assert pieces[:3] == ["<unk>", "<s>", "</s>"], pieces[:3]
    token_map = {}
    for key, value in word_map.items():
        if sp.encode(key, out_type=str) != [_piece(key)]:  # pragma: no cover - guarded by user symbols
            raise ValueError(f"word_map key {key!r} is not a single piece: {sp.encode(key, out_type=str)}")
        token_map[sp.piece_to_id(_piece(key))] = sp.piece_to_id(_piece(value))

    name = f"translate-{from_code}_{to_code}-fixture"
    stage = workdir / f"{name}.build"
    if stage.exists():
        shutil.rmtree(stage)
    pkg_dir = stage / name
    pkg_dir.mkdir(parents=True)
    (pkg_dir / "sentencepiece.model").write_bytes(sp_bytes)
    _write_ctranslate2_model(pkg_dir / "model", pieces, token_map, max_positions)
    metadata = {
        "package_version": PACKAGE_VERSION,
        "argos_version": "1.11.0",
        "from_code": from_code,
        "from_name": _LANG_NAMES.get(from_code, from_code),
        "to_code": to_code,
        "to_name": _LANG_NAMES.get(to_code, to_code),
        "type": "translate",
        "links": [],
    }
    (pkg_dir / "metadata.json").write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
    (pkg_dir / "README.md").write_text(
        "Test fixture built by tests/argos_model.py: copies its input, mapping "
        + ", ".join(f"{k} -> {v}" for k, v in word_map.items())
        + ".\n",
        encoding="utf-8",
    )

    archive = workdir / f"{name}.argosmodel"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for path in sorted(pkg_dir.rglob("*")):
            zf.write(path, path.relative_to(stage).as_posix())
    shutil.rmtree(stage)
    return archive


class OfflineSentencizer:
    """Stand-in for argostranslate's sentence splitters (MiniSBD/Stanza download models).

    Splits after ``.``, ``!``, ``?`` or ``…`` followed by one space and drops that
    space; each later sentence is re-encoded with SentencePiece's leading ``▁`` and
    so decodes with it again, so joining the translated sentences restores the
    text exactly.  It keeps each sentence short enough for the fixture model.
    """

    pkg = None

    def split_sentences(self, text: str) -> list[str]:
        if not text:
            return []
        return re.split(r"(?<=[.!?…]) ", text)

    def __str__(self) -> str:
        return "OfflineSentencizer"


# Environment argostranslate reads when imported.  Forced (not setdefault) because a
# user's environment or ~/.config/argos-translate/settings.json could choose a remote
# model provider (LibreTranslate/OpenAI), the SpaCy splitter (sbd.py downloads a
# SpaCy model at import time) or a GPU.
_OFFLINE_ENV = {
    "ARGOS_MODEL_PROVIDER": "OPENNMT",
    "ARGOS_CHUNK_TYPE": "ARGOSTRANSLATE",  # -> MiniSBDSentencizer, whose __init__ is offline
    "ARGOS_DEVICE_TYPE": "cpu",
}


def _offline_package_index(root: Path) -> str:
    """A file:// package index holding no package, so index updates stay local."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "index.json").write_text("[]\n", encoding="utf-8")
    return root.resolve().as_uri() + "/"


def install_and_get_translation(package_path, packages_dir):
    """Install ``package_path`` into ``packages_dir`` and return its translation.

    Returns the ``argostranslate.translate.PackageTranslation`` of the package
    (the object argostranslate's own ``get_translation``/``translate`` use, through
    a ``CachedTranslation``), with ``sentencizer`` replaced by ``OfflineSentencizer``.
    Works whether or not argostranslate was already imported in this process; the
    packages directory becomes the only one argostranslate looks at.
    """
    package_path = Path(package_path)
    packages_dir = Path(packages_dir)
    packages_dir.mkdir(parents=True, exist_ok=True)
    index_uri = _offline_package_index(packages_dir.parent / f"{packages_dir.name}-index")

    os.environ.update(_OFFLINE_ENV)
    os.environ["ARGOS_PACKAGES_DIR"] = str(packages_dir)
    os.environ["ARGOS_PACKAGE_INDEX"] = index_uri
    if "argostranslate.settings" not in sys.modules:
        # settings.py creates and reads ~/.local/share, ~/.config and ~/.local/cache
        # "argos-translate" directories at import; keep them beside the packages.
        home = packages_dir.parent / f"{packages_dir.name}-home"
        saved = {k: os.environ.get(k) for k in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME")}
        for key, sub in (("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"), ("XDG_CACHE_HOME", "cache")):
            os.environ[key] = str(home / sub)
        try:
            import argostranslate.settings  # noqa: F401
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    from argostranslate import package, settings, translate

    # Same values as above, for an argostranslate imported earlier in this process.
    settings.package_data_dir = packages_dir
    settings.package_dirs = [packages_dir]
    settings.model_provider = settings.ModelProvider.OPENNMT
    settings.chunk_type = settings.ChunkType.ARGOSTRANSLATE
    settings.device = "cpu"
    settings.package_index = index_uri
    settings.remote_package_index = index_uri + "index.json"
    settings.remote_repo = index_uri

    package.install_from_path(package_path)

    # Process-wide caches: languages (lru_cache) and translations by "from-to" key.
    translate.installed_translates.clear()
    translate.get_installed_languages.cache_clear()

    with zipfile.ZipFile(package_path) as zf:
        metadata = json.loads(next(zf.read(n) for n in zf.namelist() if n.endswith("/metadata.json")))
    from_lang = translate.get_language_from_code(metadata["from_code"])
    to_lang = translate.get_language_from_code(metadata["to_code"])
    if from_lang is None or to_lang is None:
        raise RuntimeError(f"package {package_path} did not install into {packages_dir}")
    translation = from_lang.get_translation(to_lang)
    underlying = getattr(translation, "underlying", translation)
    if not isinstance(underlying, translate.PackageTranslation):
        raise RuntimeError(f"unexpected translation object {translation!r}")
    underlying.sentencizer = OfflineSentencizer()
    underlying.sentencizer.pkg = underlying.pkg
    return underlying
