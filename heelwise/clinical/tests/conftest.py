"""Shared fixtures for the clinical-engine tests (no Django)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from heelwise.clinical.knowledge_base import DEFAULT_KB_DIR, KnowledgeBase, load_knowledge_base

# Compiled knowledge bases of the test run go to a private directory, not the user's cache.
os.environ.setdefault("HEELWISE_CACHE_DIR", tempfile.mkdtemp(prefix="heelwise-test-cache-"))


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    """A private copy of the knowledge-base directory that a test may break."""
    target = tmp_path / "kb"
    shutil.copytree(DEFAULT_KB_DIR, target)
    return target


@pytest.fixture
def edit(kb_copy: Path) -> Callable[[str, str, str], None]:
    """Replace text in one file of the copied knowledge base (the text must be present)."""

    def _edit(name: str, old: str, new: str) -> None:
        path = kb_copy / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {name}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return _edit
