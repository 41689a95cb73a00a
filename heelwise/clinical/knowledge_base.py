"""Load the clinical knowledge base (the YAML files under ``kb/``), compiled and cached.

Loading happens once per process (``load_knowledge_base()`` is cached per directory). The first
load of a given set of files reads, validates and compiles them (``kb_loader.py``: PyYAML,
pydantic and the cross-file checks; a problem raises ``KnowledgeBaseError`` naming the file, the
item and the reason) and stores the compiled result as a pickle in the user's cache directory.
Later processes load that pickle instead, which keeps PyYAML and pydantic out of start-up.

The cache file's name is a SHA-256 of everything the compiled form depends on: the knowledge-base
directory, the name and bytes of every ``*.yaml`` file in it, the source of the modules that
build the compiled form, and the Python version. Editing any YAML file (or the loader) therefore
means the next load validates from scratch; a file that validated once is never trusted after it
changes. Only successful loads are cached.

Where: ``$HEELWISE_CACHE_DIR``, else ``$XDG_CACHE_HOME/heelwise``, else ``~/.cache/heelwise``.
``HEELWISE_KB_CACHE=0`` turns the cache off; the 8 most recently written files are kept. Any
problem with the cache (unwritable directory, truncated or foreign file, a file not owned by the
user or writable by others) falls back to the full load silently: the cache can only make
loading faster, never change what is loaded.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

from heelwise.clinical.kb_model import (
    CONDITION_KEYS,
    DEFAULT_KB_DIR,
    DISPOSITIONS,
    RED_FLAG_KEYS,
    Finding,
    KnowledgeBase,
    KnowledgeBaseError,
)

__all__ = [
    "CONDITION_KEYS",
    "DEFAULT_KB_DIR",
    "DISPOSITIONS",
    "RED_FLAG_KEYS",
    "Finding",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "cache_dir",
    "load_knowledge_base",
]

_HERE = Path(__file__).resolve().parent
# The modules whose code decides the compiled form (a change to any of them invalidates caches).
_CODE = ("kb_loader.py", "kb_model.py", "knowledge_base.py", "rules.py", "schema.py")
_FORMAT = b"heelwise-kb-cache 1"
_KEEP = 8  # compiled files kept per cache directory (the most recently written)


@lru_cache(maxsize=8)
def _load_cached(path: Path) -> KnowledgeBase:
    return _load(path)


def load_knowledge_base(path: str | Path | None = None) -> KnowledgeBase:
    """Load (once per process and directory) and return the compiled knowledge base."""
    return _load_cached(Path(path).resolve() if path is not None else DEFAULT_KB_DIR)


def cache_dir() -> Path | None:
    """The directory of compiled knowledge bases, or None when the cache is turned off."""
    if os.environ.get("HEELWISE_KB_CACHE", "1").strip().lower() in ("0", "false", "no", "off"):
        return None
    explicit = os.environ.get("HEELWISE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "heelwise"


def _fingerprint(path: Path) -> str | None:
    """SHA-256 of the KB files and the compiling code, or None if a file cannot be read."""
    h = hashlib.sha256(_FORMAT)
    h.update(sys.version.encode())
    h.update(str(path).encode())
    try:
        for name in _CODE:
            h.update(name.encode() + b"\0" + (_HERE / name).read_bytes())
        for file in sorted(path.glob("*.yaml")):
            h.update(file.name.encode() + b"\0" + file.read_bytes())
    except OSError:
        return None
    return h.hexdigest()


def _read_cache(file: Path) -> KnowledgeBase | None:
    try:
        with file.open("rb") as fh:
            st = os.fstat(fh.fileno())
            if hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o022):
                return None  # only a file this user wrote and nobody else can change
            kb = pickle.load(fh)  # noqa: S301 - our own file, checked above
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - a bad cache is only a cache miss
        return None
    return kb if isinstance(kb, KnowledgeBase) else None


def _write_cache(directory: Path, file: Path, kb: KnowledgeBase) -> None:
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".kb-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(kb, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, file)
        except BaseException:
            os.unlink(tmp)
            raise
        # Every edit of the YAML makes a new file: keep only the most recent few.
        old = sorted(directory.glob("kb-*.pickle"), key=lambda f: f.stat().st_mtime)[:-_KEEP]
        for stale in old:
            stale.unlink(missing_ok=True)
    except Exception:  # noqa: BLE001, S110 - no cache is fine (read-only home, full disk...)
        pass


def _load(path: Path) -> KnowledgeBase:
    directory = cache_dir()
    key = _fingerprint(path) if directory is not None else None
    file = directory / f"kb-{key}.pickle" if directory is not None and key else None
    if file is not None:
        kb = _read_cache(file)
        if kb is not None:
            return kb
    from heelwise.clinical.kb_loader import compile_knowledge_base  # PyYAML, pydantic

    kb = compile_knowledge_base(path)
    if file is not None and directory is not None:
        _write_cache(directory, file, kb)
    return kb
