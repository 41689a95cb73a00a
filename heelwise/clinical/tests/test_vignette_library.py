"""The vignette library stays valid: vocabulary, gold labels, unique ids and the split rule."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

VIGNETTES = Path(__file__).resolve().parents[1] / "vignettes"
CHECKER = VIGNETTES / "check_vignettes.py"


def _check(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CHECKER), str(directory)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_it_accepts_the_library_as_committed() -> None:
    result = _check(VIGNETTES)
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_rejects_an_unknown_finding_key(tmp_path: Path) -> None:
    for name in ("tuning.json", "locked.json"):
        shutil.copy(VIGNETTES / name, tmp_path / name)
    cases = json.loads((tmp_path / "tuning.json").read_text(encoding="utf-8"))
    cases[0]["request"]["findings"]["heel_feels_odd"] = True
    (tmp_path / "tuning.json").write_text(json.dumps(cases), encoding="utf-8")
    result = _check(tmp_path)
    assert result.returncode == 1
    assert "heel_feels_odd" in result.stdout + result.stderr


def _batch(tmp_path: Path, case: dict[str, object]) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "batch.json"
    path.write_text(json.dumps([case]), encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(CHECKER), "--batch", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_batch_is_held_to_inclusion_criterion_4(tmp_path: Path) -> None:
    cases = json.loads((VIGNETTES / "tuning.json").read_text(encoding="utf-8"))
    rich = next(
        c
        for c in cases
        if len(c["request"]["findings"]) >= 6 and c["request"]["patient"].get("age")
    )
    assert _batch(tmp_path, rich).returncode == 0
    thin = json.loads(json.dumps(rich))
    thin["request"]["findings"] = dict(list(rich["request"]["findings"].items())[:4])
    result = _batch(tmp_path, thin)
    assert result.returncode == 1
    assert "needs at least 5 findings" in result.stdout
    ageless = json.loads(json.dumps(rich))
    del ageless["request"]["patient"]["age"]
    result = _batch(tmp_path, ageless)
    assert result.returncode == 1
    assert "needs the age" in result.stdout


def test_an_unusable_batch_gets_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("[{", encoding="utf-8")
    for args in (
        ["--batch"],
        ["--batch", str(tmp_path / "missing.json")],
        ["--batch", str(broken)],
    ):
        result = subprocess.run(
            [sys.executable, str(CHECKER), *args], capture_output=True, text=True, check=False
        )
        assert result.returncode == 2
        assert "Traceback" not in result.stderr
        assert "usage" in result.stdout or "cannot read a JSON list" in result.stdout
