"""mtnorm: normalize scraped, machine-translated English news (mostly from French).

    >>> import normalize
    >>> normalize.normalize_text("Fighting in Idlib, says the OSDH.").text
    'Fighting in Idlib, says the SOHR.'

Each stage is a pure function ``text -> Explained(text, edits)``; ``STAGES`` is
their ordered registry and every ``Edit`` names the rule that made it.
"""
from .edits import Edit, Explained, apply_edits
from .glossary import Glossary, GlossaryError, load as load_glossary
from .pipeline import STAGES, Pipeline, normalize_text

__version__ = "0.1.0"

__all__ = ["Edit", "Explained", "Glossary", "GlossaryError", "Pipeline", "STAGES", "apply_edits",
           "load_glossary", "normalize_text", "__version__"]
