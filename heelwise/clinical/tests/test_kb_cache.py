"""The compiled-knowledge-base cache: same results as a fresh load, and never trusted blindly."""

from __future__ import annotations

import pickle
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from heelwise.clinical import knowledge_base as kbmod
from heelwise.clinical.engine import assess
from heelwise.clinical.kb_loader import compile_knowledge_base
from heelwise.clinical.knowledge_base import DEFAULT_KB_DIR, KnowledgeBase


def _requests(kb: KnowledgeBase, n: int) -> list[dict[str, Any]]:
    rng = random.Random(11)
    keys = sorted(kb.findings)
    out = []
    for i in range(n):
        patient: dict[str, Any] = {}
        findings: dict[str, Any] = {}
        for key in rng.sample(keys, rng.randint(0, 25)):
            f = kb.findings[key]
            if f.type == "bool":
                v: Any = rng.random() < 0.4
            elif f.type == "enum":
                v = rng.choice([o for o, _ in f.options])
            else:
                assert f.min is not None and f.max is not None
                v = rng.randint(int(f.min), int(min(f.max, 120)))
            (patient if f.scope == "patient" else findings)[key] = v
        out.append({"id": f"r{i}", "patient": patient, "findings": findings})
    return out


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("HEELWISE_CACHE_DIR", str(directory))
    monkeypatch.delenv("HEELWISE_KB_CACHE", raising=False)
    return directory


def test_a_cached_knowledge_base_gives_identical_results(cache: Path) -> None:
    fresh = compile_knowledge_base(DEFAULT_KB_DIR)
    first = kbmod._load(DEFAULT_KB_DIR)  # compiles and writes the cache
    files = list(cache.glob("kb-*.pickle"))
    assert len(files) == 1
    cached = kbmod._load(DEFAULT_KB_DIR)  # from the pickle
    assert cached is not first
    for request in _requests(fresh, 300):
        want = orjson.dumps(assess(request, fresh))
        assert orjson.dumps(assess(request, cached)) == want
        assert orjson.dumps(assess(request, first)) == want


def test_a_changed_yaml_file_is_validated_again(
    cache: Path, kb_copy: Path, edit: Callable[[str, str, str], None]
) -> None:
    kbmod._load(kb_copy)
    edit("likelihoods.yaml", "plantar_fasciitis:", "plantar_fasciitis_typo:")
    with pytest.raises(kbmod.KnowledgeBaseError, match="unknown condition"):
        kbmod._load(kb_copy)


def test_a_corrupt_or_foreign_cache_file_is_ignored(cache: Path) -> None:
    kbmod._load(DEFAULT_KB_DIR)
    (file,) = cache.glob("kb-*.pickle")
    file.write_bytes(b"not a pickle")
    assert kbmod._load(DEFAULT_KB_DIR).version
    file.write_bytes(pickle.dumps({"not": "a knowledge base"}))
    assert isinstance(kbmod._load(DEFAULT_KB_DIR), KnowledgeBase)
    file.chmod(0o666)  # writable by others: not trusted
    assert kbmod._read_cache(file) is None


def test_the_cache_can_be_turned_off(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEELWISE_KB_CACHE", "0")
    assert kbmod._load(DEFAULT_KB_DIR).version
    assert not cache.exists()


def test_an_unwritable_cache_directory_is_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("HEELWISE_CACHE_DIR", str(blocker / "sub"))
    assert kbmod._load(DEFAULT_KB_DIR).version


def test_only_the_most_recent_files_are_kept(
    cache: Path, kb_copy: Path, edit: Callable[[str, str, str], None]
) -> None:
    for i in range(kbmod._KEEP + 3):
        edit("manifest.yaml", "version: ", f"# edit {i}\nversion: ")
        kbmod._load(kb_copy)
    assert len(list(cache.glob("kb-*.pickle"))) == kbmod._KEEP
