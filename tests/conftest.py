import os
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# Tests never read a team's glossary from the environment, and keep their own cache.
os.environ.pop("MTNORM_GLOSSARY", None)
os.environ["MTNORM_CACHE_DIR"] = tempfile.mkdtemp(prefix="mtnorm-test-cache-")
os.environ["MTNORM_STATE_DIR"] = tempfile.mkdtemp(prefix="mtnorm-test-state-")
os.environ.pop("MTNORM_MODELS_DIR", None)


@pytest.fixture(scope="session")
def pipeline():
    from normalize import Pipeline
    return Pipeline()


def read_checks(path: Path):
    """(kind, text, why) rows of a checks TSV."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        assert parts[0] in ("present", "absent"), f"{path}: bad check line {line!r}"
        rows.append((parts[0], parts[1], parts[2] if len(parts) > 2 else ""))
    return rows


def failed_checks(checks, text):
    return [(k, s, why) for k, s, why in checks if (s in text) != (k == "present")]
