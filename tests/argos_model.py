"""A tiny but real Argos Translate package, built offline in a fraction of a second.

``build_argos_package`` trains a small SentencePiece model (in process) and writes
a hand-wired CTranslate2 Transformer (1 encoder layer, 1 decoder layer, no
training, no randomness) that copies its input piece by piece while replacing whole
words through ``word_map`` (e.g. ``chat -> cat``).  The result is an ordinary
``.argosmodel`` zip, so tests can install it with
``argostranslate.package.install_from_path`` and translate through argostranslate's
real code (SentencePiece tokenizer, ``ctranslate2.Translator.translate_batch`` with
beam search, detokenizer, paragraph handling).

``install_and_get_translation`` installs such a package into a private packages
directory and returns a translation object whose sentence splitter never touches
the network.

Tokenizer
---------
BPE with ``byte_fallback`` (any character round-trips: unseen ones become
``<0x..>`` byte pieces), ``identity`` normalization and
``remove_extra_whitespaces=False`` (no NFKC, spaces kept as typed), and every
``word_map`` key and value as user-defined symbols in two forms, ``▁chat`` (after a
space / at the start) and ``chat`` (glued to punctuation, as in ``(chat)`` or
``l'chat``), so each one is always a single piece.

Model (all weights are 0/1 one-hot patterns times constants)
------------------------------------------------------------
Residual stream of width ``d = max(V + P + 6, 2P)`` rounded up to a multiple of 8
(776 with the default settings), with V = vocabulary size (about 510) and
P = ``max_positions + 1`` (one spare row: beam search runs the decoder one step
past the source ``</s>``)::

    [0, V)          token one-hot         (TOK)
    [V, V+P)        position one-hot      (POS: the learned position table is one-hot)
    V+P, V+P+1      "next piece starts a word"   yes / no
    V+P+2, V+P+3    "next piece is </s>"         yes / no
    V+P+4, V+P+5    "previous piece ends a word" yes / no

Every layer norm sees vectors made of a fixed number of ones, so its mean and
variance are constants; gamma/beta are set so that each layer norm is the identity.

Encoder (source = pieces + ``</s>``: the config sets ``add_source_eos``, as
CTranslate2's Marian/fairseq converters do; OpenNMT-py models, like real Argos
models, have no source ``</s>``):

* embeddings put ``e_tok + e_pos`` in the stream (``scale_embeddings`` off);
* self-attention, 2 heads: head 0's query at position i matches key i+1 (score
  60 nats after CTranslate2's 1/sqrt(head size)) and key i (30 nats, the fall-back
  for the last position), and reads "that piece starts a word"; head 1 does the
  same with i-1 and "that piece ends a word" (head 0 also reads "that piece is
  ``</s>``").  A piece starts a word if it begins
  with ``▁`` or with a character that is not a letter or digit, or is ``</s>``; it
  ends one if its last character is not a letter or digit;
* feed-forward: one ReLU unit per mapped piece computes ``[piece == ▁chat] AND
  [next starts a word]`` (``chat`` without ``▁`` also needs ``[previous ends a
  word]``) and, when it fires, moves the token one-hot from ``chat`` to ``cat``.
  So ``chat``, ``chat,``, ``(chat)``, ``«chat»`` become ``cat``..., while ``chats``
  (``▁chat`` + ``s``), ``chateau`` and ``achat`` are copied unchanged.  One more
  unit turns a lone ``▁`` (a space) right before ``</s>`` into ``</s>``: like a real
  model, the copy drops a sentence-final space, so sentences split after their
  space join back with one space (each sentence's first piece brings a ``▁``).

Decoder (token embeddings are all zero: the output depends only on the step):

* self-attention and feed-forward are all zeros;
* cross-attention (1 head): at step t the query is position t; it matches source
  position t (60 nats) and, with a 30-nat bonus, the source ``</s>``.  Before the end
  the aligned piece wins by 30 nats; at and after the end ``</s>`` wins, so every
  beam emits ``</s>`` and decoding stops.  The value is the (mapped) token one-hot;
* the output projection is ``60 * identity`` on TOK: the aligned piece's logit is
  60 above all others (score 0.0 for the best hypothesis).

Limits
------
* A sentence given to CTranslate2 may hold at most ``max_positions - 1`` pieces
  (``max_positions`` with the default 256); longer ones raise CTranslate2's
  ``RuntimeError: No position encodings are defined for positions >= ...``.  Above
  256 pieces argostranslate's (CTranslate2's default) ``max_decoding_length=256``
  would truncate the output anyway.  Text without spaces costs about one piece per
  character; the splitter installed by ``install_and_get_translation`` applies the
  limit per sentence.
* ``word_map`` is case sensitive (add ``"Chat": "Cat"`` for capitalised forms),
  works on whole words (a word = maximal run of letters/digits, as far as the
  pieces show it), and does not chain (``{"a": "b", "b": "c"}`` maps ``a`` to ``b``).
* argostranslate itself turns ``_`` into a space when detokenizing, drops a
  paragraph's leading space and leading empty paragraphs; the model drops one
  space at the end of each sentence.  Everything else made of letters (accented or
  not), digits, spaces, punctuation or any other character is copied exactly.
* ``ctranslate2.specs`` imports torch (about 1 s, once per process).
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
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

# Attention scores (in nats, after CTranslate2's 1/sqrt(head size) scaling) and output logit.
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


def _pieces(word: str) -> tuple[str, str]:
    """The piece of ``word`` after a space (or at the start) and glued to punctuation."""
    glued = word.replace(" ", "▁")
    return "▁" + glued, glued


def _check_word(kind: str, word: object) -> str:
    if not isinstance(word, str) or not word or word != word.strip():
        raise ValueError(f"word_map {kind} {word!r}: must be a non-empty string without surrounding spaces")
    if any(c.isspace() and c != " " for c in word) or "  " in word:
        raise ValueError(f"word_map {kind} {word!r}: only single spaces are allowed inside")
    if "▁" in word:
        raise ValueError(f"word_map {kind} {word!r}: must not contain '▁'")
    return word


def _byte(piece: str) -> int | None:
    m = _BYTE_PIECE.fullmatch(piece)
    return int(m.group(1), 16) if m else None


def _starts_word(piece: str) -> bool:
    """Whether a piece begins a new word (so the piece before it ends one)."""
    if piece in ("</s>", "<unk>", "<s>"):
        return True
    b = _byte(piece)
    if b is not None:
        # Bytes >= 0x80 belong to a multi-byte character: assume a letter.
        return b < 0x80 and not chr(b).isalnum()
    return piece.startswith("▁") or not piece[0].isalnum()


def _ends_word(piece: str) -> bool:
    """Whether a piece ends with something that is not part of a word."""
    if piece in ("</s>", "<unk>", "<s>"):
        return True
    b = _byte(piece)
    if b is not None:
        return b < 0x80 and not chr(b).isalnum()
    return not piece[-1].isalnum()


def _train_sentencepiece(lines: list[str], user_symbols: list[str]) -> bytes:
    import sentencepiece as spm

    chars = set("".join(lines)) - {" "}
    # 3 control pieces + 256 byte pieces + user symbols + characters + ▁, then merges.
    vocab_size = 3 + 256 + len(user_symbols) + len(chars) + 1 + 64
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
    """Write the hand-wired CTranslate2 model (see the module docstring)."""
    from ctranslate2.specs import transformer_spec

    V = len(pieces)
    # One spare row: beam search runs the decoder one step past the source </s>.
    P = max_positions + 1
    POS = V  # position one-hot
    # Yes/no flag pairs written by the encoder self-attention.
    R_YES, R_NO = V + P, V + P + 1  # next piece starts a word
    N_YES, N_NO = V + P + 2, V + P + 3  # next piece is </s>
    L_YES, L_NO = V + P + 4, V + P + 5  # previous piece ends a word
    d = -(-max(V + P + 6, 2 * P) // 8) * 8  # each encoder head needs P query/key dims
    hd = d // 2  # encoder head size
    eos = pieces.index("</s>")
    space = pieces.index("▁") if "▁" in pieces else None
    f32 = np.float32
    # CTranslate2 divides attention scores by sqrt(head size).
    enc_scale = f32(np.sqrt(hd))
    dec_scale = f32(np.sqrt(d))

    spec = transformer_spec.TransformerSpec(
        transformer_spec.TransformerEncoderSpec(1, 2, pre_norm=True),
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

    # Self-attention: head 0 looks at piece i+1, head 1 at piece i-1 (both fall
    # back on piece i at the edges) and copy yes/no flags about it.
    att = layer.self_attention
    _identity_layer_norm(att.layer_norm, d, 2)  # e_tok + e_pos
    wq = np.zeros((d, d), dtype=f32)
    wk = np.zeros((d, d), dtype=f32)
    wv = np.zeros((d, d), dtype=f32)
    wo = np.zeros((d, d), dtype=f32)
    heads = (
        (0, +1, ((_starts_word, R_YES, R_NO), (lambda piece: piece == "</s>", N_YES, N_NO))),
        (1, -1, ((_ends_word, L_YES, L_NO),)),
    )
    for head, step, flags in heads:
        base = head * hd
        for p in range(P):
            wq[base + p, POS + p] = _BONUS * enc_scale
            if 0 <= p + step < P:
                wq[base + p + step, POS + p] = _MATCH * enc_scale
            wk[base + p, POS + p] = 1
        for f, (test, yes, no) in enumerate(flags):
            for i, piece in enumerate(pieces):
                wv[base + 2 * f + (0 if test(piece) else 1), i] = 1
            wo[yes, base + 2 * f] = wo[no, base + 2 * f + 1] = 1
    att.linear[0].weight = np.concatenate([wq, wk, wv])
    att.linear[1].weight = wo

    # Feed-forward, one ReLU unit per rule, each an AND of one-hot inputs:
    # mapped piece AND next starts a word (AND previous ends a word, unless the
    # piece starts with "▁") -> target piece;  "▁" AND next is </s> -> </s>.
    rules = []
    for src, tgt in sorted(token_map.items()):
        rules.append((src, tgt, [R_YES] if pieces[src].startswith("▁") else [R_YES, L_YES]))
    if space is not None:
        rules.append((space, eos, [N_YES]))
    ffn = layer.ffn
    _identity_layer_norm(ffn.layer_norm, d, 5)  # e_tok + e_pos + 3 flags
    units = max(1, len(rules))
    w0 = np.zeros((units, d), dtype=f32)
    b0 = np.zeros(units, dtype=f32)
    w1 = np.zeros((d, units), dtype=f32)
    for u, (src, tgt, conditions) in enumerate(rules):
        w0[u, src] = 1
        w0[u, conditions] = 1
        b0[u] = -len(conditions)
        w1[tgt, u] += 1
        w1[src, u] -= 1
    ffn.linear_0.weight, ffn.linear_0.bias = w0, b0
    ffn.linear_1.weight = w1
    _identity_layer_norm(enc.layer_norm, d, 5)

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
        wq[POS + p, POS + p] = _MATCH * dec_scale
        wk[POS + p, POS + p] = 1
    bq[eos] = _BONUS * dec_scale
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
    # Alias identical matrices (position tables, zeros) and store int8 weights, as
    # real Argos packages do: every weight row holds at most two distinct non-zero
    # values (60 and 30 in the self-attention queries), so int8 keeps them (30 -> 30.2).
    spec.optimize(quantization="int8")
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
    ``word_map`` (case sensitive; keys and values may contain single spaces) by
    ``word_map[k]``, and dropping a space at the very end of a sentence.
    ``corpus`` lines are added to the tokenizer's training text (fewer pieces for
    frequent words; never needed for correctness).  Sentences of ``max_positions``
    pieces or more are not supported.  Anything in ``workdir`` named
    ``translate-<from>_<to>-fixture.*`` is replaced.  Nothing here touches the network.
    """
    workdir = Path(workdir)
    word_map = {_check_word("key", k): _check_word("value", v) for k, v in dict(word_map).items()}
    if max_positions < 2:
        raise ValueError("max_positions must be at least 2")

    # User-defined symbols are always whole pieces (even inside longer words, e.g.
    # "achat" -> "▁a" "chat"; the boundary flags keep those unmapped).
    user_symbols = list(dict.fromkeys(p for pair in word_map.items() for w in pair for p in _pieces(w)))
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
        if sp.encode(key, out_type=str) != [_pieces(key)[0]] or sp.encode("(" + key, out_type=str)[-1] != _pieces(key)[1]:
            raise ValueError(f"word_map key {key!r} is not a single piece: {sp.encode(key, out_type=str)}")
        for src, tgt in zip(_pieces(key), _pieces(value)):
            token_map[sp.piece_to_id(src)] = sp.piece_to_id(tgt)

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
    space: argostranslate decodes the pieces of all sentences together and each
    sentence starts with SentencePiece's ``▁``, which restores the space.  (Splitters
    that keep the space at the end of a sentence, like
    ``normalize.retranslate.FrenchSentenceSplitter``, work too: the model drops a
    sentence-final space.)  Splitting keeps sentences under ``max_positions`` pieces.
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
def install_and_get_translation(package_path, packages_dir):
    """Install ``package_path`` into ``packages_dir`` and return its translation.

    Returns the ``argostranslate.translate.PackageTranslation`` of the package
    (the object argostranslate's own ``get_translation``/``translate`` use, through
    a ``CachedTranslation``), with ``sentencizer`` replaced by ``OfflineSentencizer``.
    Works whether or not argostranslate was already imported in this process; the
    packages directory becomes the only one argostranslate looks at. Sets
    ``MTNORM_MODELS_DIR`` and, through ``normalize.retranslate.argos``, the ``ARGOS_*``
    variables in ``os.environ`` (left set).
    """
    package_path = Path(package_path)
    packages_dir = Path(packages_dir)
    packages_dir.mkdir(parents=True, exist_ok=True)
    # mtnorm's own offline set-up of argostranslate: forced ARGOS_* settings, an empty
    # local package index, argos's folders kept out of $HOME, caches cleared.
    os.environ["MTNORM_MODELS_DIR"] = str(packages_dir)
    from normalize.retranslate import argos
    package, translate, _ = argos()
    package.install_from_path(package_path)
    package, translate, _ = argos()          # clears argos's caches: the install takes effect

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
