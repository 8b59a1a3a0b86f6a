"""Re-translation from the French source with argostranslate, offline.

- Models live in one directory (``$MTNORM_MODELS_DIR``, else ``<state dir>/models``);
  ``mtnorm model install FILE.argosmodel`` puts them there. argostranslate's own data,
  config and cache folders go under the state dir too, not into ``$HOME``.
- Sentences are split by a small rule-based French splitter: argostranslate 1.11's
  default splitters (MiniSBD, stanza) download models at first use.
- Each paragraph's sentences go to CTranslate2 in one call (argos's default sends about
  one sentence per call) on one thread (two threads run slower for such small calls).
- Glossary terms in the French (OSDH, Hayat Tahrir Al-Cham) are replaced by placeholders
  before translation and by the glossary's English target after it.
- The French is cleaned of boilerplate before translation; the English then goes through
  the whole normalizer.
"""
from __future__ import annotations

import os
import re
from contextlib import contextmanager
from pathlib import Path

from .edits import Edit, Explained
from .files import InputError, read_text
from .textutil import capitalize_first, is_sentence_start

INSTALL_HINT = ("on a connected machine run 'argospm install translate-fr_en' (or download "
                "translate-fr_en-*.argosmodel from the Argos Translate package index), copy the "
                ".argosmodel file here, then run 'mtnorm model install FILE.argosmodel'")


class ModelMissing(InputError):
    """No French->English model is installed."""


def models_dir() -> Path:
    if os.environ.get("MTNORM_MODELS_DIR"):
        return Path(os.environ["MTNORM_MODELS_DIR"])
    from .batch import state_dir
    return state_dir() / "models"


@contextmanager
def _argos_home():
    """argostranslate creates its data, config and cache folders when imported: keep them
    under mtnorm's state dir instead of the user's home."""
    from .batch import state_dir
    base = state_dir() / "argos"
    saved = {k: os.environ.get(k) for k in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME")}
    for k, sub in (("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"), ("XDG_CACHE_HOME", "cache")):
        os.environ[k] = str(base / sub)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


# Forced, not defaulted: a user's argos settings.json could otherwise pick a remote model
# provider (LibreTranslate, OpenAI) or a splitter that downloads (SPACY does at import).
_OFFLINE_ENV = {"ARGOS_MODEL_PROVIDER": "OPENNMT", "ARGOS_CHUNK_TYPE": "ARGOSTRANSLATE",
                "ARGOS_DEVICE_TYPE": "cpu"}


def _empty_index(d: Path) -> str:
    """A local, empty package index: with none, argos fetches the remote one on some calls."""
    index = d.parent / f"{d.name}-index"
    index.mkdir(parents=True, exist_ok=True)
    (index / "index.json").write_text("[]\n")
    return index.resolve().as_uri() + "/"


def argos():
    """Import argostranslate offline, with mtnorm's models directory; clear its caches."""
    import sys
    d = models_dir()
    d.mkdir(parents=True, exist_ok=True)
    index = _empty_index(d)
    os.environ.update(_OFFLINE_ENV)
    os.environ["ARGOS_PACKAGES_DIR"] = str(d)
    os.environ["ARGOS_PACKAGE_INDEX"] = index
    if "argostranslate.translate" not in sys.modules:
        with _argos_home():
            import argostranslate.package  # noqa: F401
            import argostranslate.translate  # noqa: F401
    import argostranslate.package as package
    import argostranslate.settings as settings
    import argostranslate.translate as translate
    # The same values, for an argostranslate imported earlier in this process.
    settings.package_data_dir = d
    settings.package_dirs = [d]
    settings.model_provider = settings.ModelProvider.OPENNMT
    settings.chunk_type = settings.ChunkType.ARGOSTRANSLATE
    settings.device = "cpu"
    settings.package_index = index
    settings.remote_package_index = index + "index.json"
    settings.remote_repo = index
    _clear_caches(translate, package)
    return package, translate, settings


def _clear_caches(translate, package) -> None:
    """argos keeps the first loaded translators and the installed languages process-wide."""
    translate.installed_translates.clear()
    translate.get_installed_languages.cache_clear()
    for fn in (getattr(package, "get_installed_packages", None),):
        if hasattr(fn, "cache_clear"):
            fn.cache_clear()


def install_model(path: str | Path) -> str:
    """Install an .argosmodel file into the models directory; returns a description."""
    import zipfile
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: no such file; {INSTALL_HINT}")
    if not zipfile.is_zipfile(p):
        raise InputError(f"{p}: not an .argosmodel package (not a zip file)")
    with zipfile.ZipFile(p) as z:
        if not any(n.endswith("metadata.json") for n in z.namelist()):
            raise InputError(f"{p}: not an .argosmodel package (no metadata.json inside)")
    package, _, _ = argos()
    package.install_from_path(p)
    package, _, _ = argos()
    return f"installed {p.name} into {models_dir()}"


def list_models() -> list[str]:
    package, _, _ = argos()
    return [f"{pkg.from_code} -> {pkg.to_code}  {getattr(pkg, 'package_version', '')}  {pkg.package_path}"
            for pkg in package.get_installed_packages()]


def _find_package(from_code: str = "fr", to_code: str = "en"):
    package, _, _ = argos()
    for pkg in package.get_installed_packages():
        if pkg.from_code == from_code and pkg.to_code == to_code:
            return pkg
    raise ModelMissing(f"no {from_code}->{to_code} translation model in {models_dir()}; {INSTALL_HINT}")


# ------------------------------------------------------------------------ sentence splitting

_ABBREVIATIONS = frozenset("m mme mmes mlle dr pr st ste me mgr gén col cdt lt sgt av apr etc cf p ex no n"
                           .split())
_BOUNDARY = re.compile(r"(?<=[.!?…»\"”])\s+(?=[«\"“A-ZÀ-Ý0-9])")


class FrenchSentenceSplitter:
    """Offline sentence splitting for argos: ``split_sentences(text) -> list[str]``.

    >>> FrenchSentenceSplitter().split_sentences("M. Assad a parlé. Les combats ont repris !")
    ['M. Assad a parlé. ', 'Les combats ont repris !']
    """

    def split_sentences(self, text: str) -> list[str]:
        out, start = [], 0
        for m in _BOUNDARY.finditer(text):
            before = text[start:m.start()]
            word = re.search(r"(\w+)\.$", before)
            if word and (word.group(1).lower() in _ABBREVIATIONS or len(word.group(1)) == 1):
                continue
            out.append(text[start:m.end()])
            start = m.end()
        if start < len(text):
            out.append(text[start:])
        return [s for s in out if s.strip()] or [text]


# ------------------------------------------------------------------------ translation

_PLACEHOLDER = re.compile(r"MTNPH\s?(\d+)", re.I)


class Translator:
    """French -> English with an installed argos model, glossary terms forced."""

    def __init__(self, glossary=None, *, threads: int = 1, batch_tokens: int = 4096,
                 beam_size: int | None = None):
        import ctranslate2
        self.pkg = _find_package("fr", "en")
        _, self.translate_mod, self.settings = argos()
        self.splitter = FrenchSentenceSplitter()
        self.glossary = glossary
        self.batch_tokens = batch_tokens
        self.beam_size = beam_size
        self.translator = ctranslate2.Translator(str(self.pkg.package_path / "model"), device="cpu",
                                                 inter_threads=1, intra_threads=threads)

    def _translate_one(self, paragraph: str) -> str:
        s = self.settings
        saved = (s.batch_size, s.beam_size)
        s.batch_size = self.batch_tokens
        if self.beam_size:
            s.beam_size = self.beam_size
        try:
            hyps = self.translate_mod.apply_packaged_translation(self.pkg, paragraph, self.translator,
                                                                 self.splitter, num_hypotheses=1)
        finally:
            s.batch_size, s.beam_size = saved
        return hyps[0].value

    def translate_paragraphs(self, paragraphs: list[str]) -> list[str]:
        """Translate each paragraph (one CTranslate2 call for its sentences)."""
        out = []
        for p in paragraphs:
            if not p.strip():
                out.append(p)
                continue
            protected, targets = self._protect(p)
            english = self._translate_one(protected) if protected.strip() else protected
            restored = self._restore(english, targets)
            if restored is None:                 # the model lost a placeholder: translate plainly
                restored = self._translate_one(p)
            out.append(restored)
        return out

    def _protect(self, text: str) -> tuple[str, list[str]]:
        if self.glossary is None:
            return text, []
        from .glossary import adapt_case
        pieces, targets, pos = [], [], 0
        for start, end, entry, target in self.glossary.matcher().find(text):
            if entry.match != "word":
                continue
            pieces.append(text[pos:start])
            pieces.append(f"MTNPH{len(targets)}")
            targets.append(adapt_case(text[start:end], entry, text, start, target))
            pos = end
        pieces.append(text[pos:])
        return "".join(pieces), targets

    @staticmethod
    def _restore(english: str, targets: list[str]) -> str | None:
        found = {int(m.group(1)) for m in _PLACEHOLDER.finditer(english)}
        if found != set(range(len(targets))):
            return None

        def put(m: re.Match) -> str:
            t = targets[int(m.group(1))]
            return capitalize_first(t) if is_sentence_start(m.string, m.start()) else t
        return _PLACEHOLDER.sub(put, english)


def clean_french(text: str) -> str:
    """The French source without its encoding damage and boilerplate (before translation)."""
    from .pipeline import Pipeline
    return Pipeline(stages=["encoding", "boilerplate"], glossary=None, detect_french=False).normalize(text).text


def retranslate_text(french: str, pipeline, translator: Translator | None = None) -> Explained:
    """Normalized English from the French source: clean, translate line by line, normalize."""
    translator = translator or Translator(glossary=pipeline.glossary)
    lines = clean_french(french).split("\n")
    english = "\n".join(translator.translate_paragraphs(lines))
    return pipeline.normalize(english)


def retranslate_chunks(source: str, chunks, pipeline):
    """For `normalize --source` and the flow: the whole MT input replaced by the re-translation.

    Yields one ChunkResult whose single edit (rule ``retranslate:FILE``) turns the MT English
    into the normalized re-translation.
    """
    from .pipeline import ChunkResult
    mt_english = "".join(chunks)
    out = retranslate_text(read_text(Path(source)), pipeline).text
    edits = [Edit(f"retranslate:{source}", 0, len(mt_english), mt_english, out)] if out != mt_english else []
    yield ChunkResult(mt_english, out, edits, 0, [])
