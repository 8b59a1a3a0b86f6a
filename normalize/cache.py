"""A small on-disk cache of compiled glossaries and boilerplate rules, keyed by content hash.

Directory: $MTNORM_CACHE_DIR, else $XDG_CACHE_HOME/mtnorm, else ~/.cache/mtnorm.
A cache that cannot be read or written is ignored: it only saves time.
"""
from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path

KEEP = 8   # compiled glossaries kept; the oldest go first


def cache_dir() -> Path:
    if os.environ.get("MTNORM_CACHE_DIR"):
        return Path(os.environ["MTNORM_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mtnorm"


def _path(digest: str, kind: str) -> Path:
    return cache_dir() / f"{kind}-{digest[:32]}.pickle"


def get(digest: str, kind: str = "glossary"):
    try:
        with open(_path(digest, kind), "rb") as f:
            obj = pickle.load(f)
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, ValueError, TypeError):
        return None
    return obj if getattr(obj, "digest", None) == digest else None


def put(digest: str, obj, kind: str = "glossary") -> None:
    try:
        if hasattr(obj, "matcher"):
            obj.matcher()  # compile before storing
        d = cache_dir()
        d.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=d, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, _path(digest, kind))
        old = sorted(d.glob(f"{kind}-*.pickle"), key=lambda p: p.stat().st_mtime)
        for p in old[:-KEEP]:
            p.unlink(missing_ok=True)
    except (OSError, pickle.PickleError, TypeError, AttributeError):
        pass
