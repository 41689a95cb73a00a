"""``heelwise runs parse``: JSON lines, exit codes, never a traceback."""

from __future__ import annotations

import gzip
import json
import zipfile
from pathlib import Path

import pytest

from heelwise.cli import main
from heelwise.parsers.tests.conftest import SHARED
from heelwise.parsers.tests.fitwriter import synthetic_run

KEYS = [
    "file",
    "sport",
    "start",
    "duration_s",
    "moving_s",
    "distance_m",
    "ascent_m",
    "avg_hr",
    "avg_cadence_spm",
    "points",
]


def run_cli(capsys: pytest.CaptureFixture[str], *paths: str) -> tuple[int, list[dict[str, object]]]:
    code = main(["runs", "parse", *paths])
    out = capsys.readouterr().out
    return code, [json.loads(line) for line in out.splitlines()]


def test_it_prints_one_line_per_activity_and_exits_0(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, data_dir: Path
) -> None:
    fit = tmp_path / "run.fit.gz"
    fit.write_bytes(gzip.compress(synthetic_run(seconds=120)))
    code, lines = run_cli(capsys, str(fit), str(data_dir / "garmin_run_tcxparser.tcx"))
    assert code == 0
    assert len(lines) == 2
    assert list(lines[0])[: len(KEYS)] == KEYS
    assert lines[0]["file"] == str(fit)
    assert lines[0]["sport"] == "running"
    assert lines[0]["start"] == "2023-11-14T22:13:20Z"
    assert lines[0]["points"] == 120


def test_it_reports_errors_and_exits_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    junk = tmp_path / "junk.fit"
    junk.write_bytes(b"\x00" * 100)
    missing = tmp_path / "missing.gpx"
    code, lines = run_cli(capsys, str(junk), str(missing), str(tmp_path))
    assert code == 1
    assert [set(line) for line in lines] == [{"file", "error"}] * 3
    assert str(lines[1]["error"]).startswith("cannot read file")


def test_it_gives_one_line_per_multisport_leg(capsys: pytest.CaptureFixture[str]) -> None:
    path = SHARED / "fit" / "sample_mulitple_header.fit"
    if not path.exists():
        pytest.skip("shared fixtures not available")
    code, lines = run_cli(capsys, str(path))
    assert code == 0
    assert [line["leg"] for line in lines] == [1, 2, 3, 4, 5]


def test_it_expands_zip_archives(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    archive = tmp_path / "archive.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("activities/123.fit", synthetic_run(seconds=60))
        zf.writestr("activities.csv", "Activity ID,Filename\n")
    code, lines = run_cli(capsys, str(archive))
    assert code == 0
    assert [line["file"] for line in lines] == [f"{archive}!activities/123.fit"]


def test_all_fixtures_parse_without_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    paths = sorted(str(p) for p in SHARED.glob("fit*/*.fit"))
    if not paths:
        pytest.skip("shared fixtures not available")
    code, lines = run_cli(capsys, *paths)
    assert code == 1  # settings/workout files and broken files are reported
    assert {line["file"] for line in lines} == set(paths)
