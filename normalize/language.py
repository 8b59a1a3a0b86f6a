"""Paragraphs still in French inside English text: a cheap pre-filter, then langdetect.

langdetect costs about 2.5 ms a paragraph (0.1 MB/s) and 0.3 s to load, so it only sees
paragraphs that already look French: accented letters and French function words. On
English text the pre-filter is a few ``str.count`` calls per chunk.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# Letters French uses all the time and English news almost never.
_ACCENTS = "éèàçêùâîô"
_FUNCTION_WORDS = re.compile(
    r"\b(?:le|la|les|des|du|une|est|et|dans|pour|qui|que|sur|avec|au|aux|ont|sont|été|par|pas"
    r"|plus|cette|ces|son|sa|ses|leur|leurs|selon|après|contre|entre|mais|ou|où|il|elle|ils|nous)\b")
_WORDS = re.compile(r"\w+")

MIN_CHARS = 40            # shorter paragraphs are not judged
MIN_PROBABILITY = 0.80    # langdetect's probability for "fr"


@dataclass(frozen=True)
class Flag:
    """A paragraph that is still French: ``text[start:end]``."""
    rule: str
    start: int
    end: int
    text: str
    probability: float

    def shifted(self, offset: int) -> "Flag":
        return Flag(self.rule, self.start + offset, self.end + offset, self.text, self.probability)

    def as_dict(self) -> dict:
        return {"rule": self.rule, "start": self.start, "end": self.end, "probability": self.probability}


def looks_french(paragraph: str) -> bool:
    """The cheap test: accents and a good share of French function words.

    >>> looks_french("Les forces du régime ont repris la ville après des combats très violents.")
    True
    >>> looks_french("The regime took the town of Saraqeb after heavy fighting, said Élise Martin.")
    False
    """
    if len(paragraph) < MIN_CHARS:
        return False
    accents = sum(paragraph.count(c) for c in _ACCENTS)
    if accents < 2 and accents < len(paragraph) / 200:
        return False
    low = paragraph.lower()
    words = len(_WORDS.findall(low))
    return words > 0 and len(_FUNCTION_WORDS.findall(low)) / words >= 0.15


def _detector():
    from langdetect import DetectorFactory
    DetectorFactory.seed = 0          # reproducible results
    from langdetect import detect_langs
    return detect_langs


def french_paragraphs(text: str) -> list[Flag]:
    """Flags for the lines of ``text`` that are French (langdetect, seeded).

    >>> [f.text[:9] for f in french_paragraphs(
    ...     "The army advanced on Monday.\\nLes forces du régime ont repris la ville après des combats.\\n")]
    ['Les force']
    """
    if sum(text.count(c) for c in "éèàç") < 2:
        return []
    flags = []
    detect = None
    # Only lines with an accented letter can look French: find them from the letters.
    starts = set()
    for c in _ACCENTS:                      # str.find beats a regex class scan here
        i = text.find(c)
        while i >= 0:
            starts.add(text.rfind("\n", 0, i) + 1)
            i = text.find(c, i + 1)
    for pos in sorted(starts):
        end = text.find("\n", pos)
        line = text[pos:] if end < 0 else text[pos:end]
        if looks_french(line):
            detect = detect or _detector()
            try:
                langs = detect(line)
            except Exception:  # langdetect raises on text with no features
                langs = []
            fr = next((x.prob for x in langs if x.lang == "fr"), 0.0)
            if fr >= MIN_PROBABILITY:
                flags.append(Flag("language.french_paragraph", pos, pos + len(line), line, round(fr, 3)))
    return flags
