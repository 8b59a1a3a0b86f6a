"""Re-translation speed: mtnorm's path against argostranslate's default translate(), one run.

    .venv/bin/python bench/bench_translate.py [--sentences 600]

No real fr->en model can be downloaded here, so both run the fixture model of
tests/argos_model.py (a real argos package; a 1+1-layer CTranslate2 model, int8). Same
text, same model, same sentence splitter (argos's default one downloads a model):
- argos default: PackageTranslation.translate() with argos's settings (a 32-token batch
  limit, so about one sentence per CTranslate2 call; intra_threads=0, i.e. all cores);
- mtnorm: each paragraph's sentences in one CTranslate2 call, on one thread.
Both use argos's beam size (4). Figures are sentences per second; compare the ratio.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

SUBJECTS = ["Le régime", "L'armée", "Le gouvernement", "La coalition", "Le chat", "Le ministre"]
VERBS = ["a repris", "a bombardé", "a annoncé", "a visité", "contrôle", "a quitté"]
OBJECTS = ["la ville de Maarat Al-Nouman", "deux villages au sud d'Idleb", "la maison du maire",
           "un accord de cessez-le-feu", "la province voisine", "le marché central"]
TAILS = ["jeudi", "selon l'OSDH", "après des combats", "malgré la trêve", "dans la nuit", "lundi matin"]


def french_text(n: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    sentences = [f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(TAILS)}."
                 for _ in range(n)]
    return [" ".join(sentences[i:i + 5]) for i in range(0, n, 5)]   # paragraphs of 5 sentences


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sentences", type=int, default=600)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="mtnorm-bench-tr-"))
    os.environ["MTNORM_STATE_DIR"] = str(tmp / "state")
    os.environ.pop("MTNORM_MODELS_DIR", None)

    from argos_model import build_argos_package

    from normalize.retranslate import FrenchSentenceSplitter, Translator, argos, install_model
    install_model(build_argos_package(tmp / "build", {"chat": "cat", "maison": "house"}))
    _, translate, settings = argos()

    paragraphs = french_text(args.sentences)
    n = args.sentences

    pkg = Translator().pkg
    langs = {lang.code: lang for lang in translate.get_installed_languages()}
    default = translate.PackageTranslation(langs["fr"], langs["en"], pkg)
    default.sentencizer = FrenchSentenceSplitter()
    default.translate(paragraphs[0])                      # load the model
    t0 = time.perf_counter()
    base = [default.translate(p) for p in paragraphs]
    t_default = time.perf_counter() - t0

    ours = Translator()
    ours.translate_paragraphs(paragraphs[:1])
    t0 = time.perf_counter()
    out = ours.translate_paragraphs(paragraphs)
    t_ours = time.perf_counter() - t0
    assert out == base, "both paths must give the same translation"

    print(f"{n} sentences in {len(paragraphs)} paragraphs; fixture model; argos batch_size={settings.batch_size} "
          f"tokens, intra_threads={settings.intra_threads}, beam {settings.beam_size}")
    print(f"argos default translate()    {n / t_default:8.1f} sentences/s   1.00x")
    print(f"mtnorm (paragraph batches)   {n / t_ours:8.1f} sentences/s   {t_default / t_ours:.2f}x"
          f"   (goal >= 2x: {'OK' if t_default / t_ours >= 2 else 'MISSED'})")


if __name__ == "__main__":
    main()
