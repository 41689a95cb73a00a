"""Strava and Garmin export archives: lazy, bounded, per-file results."""

from __future__ import annotations

import gzip
import io
import re
import zipfile
from pathlib import Path

import pytest

from heelwise.parsers import (
    ERROR_CODES,
    ArchiveLimits,
    FileTooLargeError,
    Limits,
    archive,
    iter_archive,
)
from heelwise.parsers.archive import _read_member
from heelwise.parsers.tests.conftest import SHARED
from heelwise.parsers.tests.fitwriter import synthetic_run

CSV = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Elapsed Time,Distance,Filename\n"
    '1,"Jan 1, 2024",Morning Run,Run,600,1.8,activities/1.fit.gz\n'
    '2,"Jan 2, 2024",Phone run,Run,159,0.2,activities/2.gpx\n'
    '3,"Jan 3, 2024",Old run,Run,57,1.6,activities/3.tcx.gz\n'
)


def strava_zip(tmp_path: Path, data_dir: Path) -> Path:
    path = tmp_path / "export_12345.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("activities.csv", CSV)
        zf.writestr("activities/1.fit.gz", gzip.compress(synthetic_run(seconds=600)))
        zf.writestr("activities/2.gpx", (data_dir / "workouts_app_iphone_run.gpx").read_bytes())
        zf.writestr(
            "activities/3.tcx.gz",
            gzip.compress((data_dir / "garmin_run_tcxparser.tcx").read_bytes()),
        )
        zf.writestr("activities/4.fit", b"\x0e\x10garbage-not-a-fit-file")
        zf.writestr("media/photo.jpg", b"\xff\xd8\xff\xe0")
        zf.writestr("profile.json", "{}")
    return path


def test_it_walks_a_strava_export(tmp_path: Path, data_dir: Path) -> None:
    results = list(iter_archive(strava_zip(tmp_path, data_dir)))
    by_name = {r.name.split("!", 1)[1]: r for r in results}
    assert all(r.name.startswith(str(tmp_path / "export_12345.zip") + "!") for r in results)
    assert by_name["activities/1.fit.gz"].status == "ok"
    assert by_name["activities/1.fit.gz"].activities[0].points == 600
    # The GPX has no <type>; activities.csv says it was a Run.
    assert by_name["activities/2.gpx"].activities[0].sport == "running"
    assert by_name["activities/3.tcx.gz"].activities[0].source_format == "tcx"
    bad = by_name["activities/4.fit"]
    assert bad.status == "error" and bad.reason and bad.error_code
    assert by_name["media/photo.jpg"].status == "skipped"
    assert by_name["activities.csv"].status == "skipped"


def test_it_is_lazy(tmp_path: Path, data_dir: Path) -> None:
    it = iter_archive(strava_zip(tmp_path, data_dir))
    first = next(it)
    assert first.name.endswith("activities.csv")


def test_it_walks_garmin_zip_in_zip(tmp_path: Path) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("123_ACTIVITY.fit", synthetic_run(seconds=60))
        zf.writestr("456_SETTINGS.fit", (SHARED / "fit" / "Settings.fit").read_bytes())
    outer = tmp_path / "garmin.zip"
    with zipfile.ZipFile(outer, "w") as zf:
        zf.writestr("DI_CONNECT/DI-Connect-Fitness/summary.json", "[]")
        zf.writestr(
            "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip", inner.getvalue()
        )
    results = [r for r in iter_archive(outer) if r.status != "skipped"]
    assert [r.status for r in results] == ["ok", "error"]
    assert results[0].name.endswith("UploadedFiles_0-_Part1.zip!123_ACTIVITY.fit")
    assert results[1].reason == "not an activity file: FIT file type is 'settings'"
    assert results[1].error_code == "not_activity"


def test_it_refuses_path_traversal_and_zip_bombs(tmp_path: Path) -> None:
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("../../etc/evil.gpx", b"<gpx/>")
        zf.writestr("/abs/evil.gpx", b"<gpx/>")
        zf.writestr("bomb.gpx", b"\0" * 20_000_000)
    results = list(iter_archive(path))
    assert [r.status for r in results] == ["error", "error", "error"]
    assert results[0].reason == "unsafe path in archive"
    assert results[1].reason == "unsafe path in archive"
    assert results[2].reason and results[2].reason.startswith("zip bomb suspected")


def test_member_and_total_limits(tmp_path: Path) -> None:
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(5):
            zf.writestr(f"activities/{i}.fit", synthetic_run(seconds=100))
    results = list(iter_archive(path, archive_limits=ArchiveLimits(max_members=3)))
    assert [r.status for r in results] == ["ok", "ok", "ok", "error"]
    assert "more than 3 files" in (results[-1].reason or "")
    small = list(iter_archive(path, limits=Limits(max_bytes=1000)))
    assert all(r.reason == "file exceeds 1000 bytes limit" for r in small)


def test_a_broken_zip_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.zip"
    path.write_bytes(b"PK\x03\x04" + b"\0" * 50)
    (result,) = list(iter_archive(path))
    assert result.status == "error"
    assert result.reason and result.reason.startswith("zip archive unreadable")


def test_a_zip_passed_to_parse_bytes_is_pointed_at_iter_archive() -> None:
    from heelwise.parsers import UnsupportedFormatError, parse_bytes

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.gpx", b"")
    with pytest.raises(UnsupportedFormatError, match="iter_archive"):
        parse_bytes(buf.getvalue())


def test_shards_split_the_activity_members_between_workers(tmp_path: Path) -> None:
    path = tmp_path / "shared.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("activities.csv", "Activity ID,Filename\n")
        for i in range(7):
            zf.writestr(f"activities/{i}.fit", synthetic_run(seconds=20))
    names = [
        {r.name for r in iter_archive(path, shard=(i, 3)) if r.status == "ok"} for i in range(3)
    ]
    assert [len(n) for n in names] == [3, 2, 2]
    assert set.union(*names) == {f"{path}!activities/{i}.fit" for i in range(7)}
    with pytest.raises(ValueError, match="shard must be"):
        list(iter_archive(path, shard=(3, 3)))


def test_damaged_members_and_csv_are_results_not_exceptions(tmp_path: Path) -> None:
    path = tmp_path / "damaged.zip"
    payload = synthetic_run(seconds=200)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("activities.csv", 'a,"b\n"c,d\x00,"')
        zf.writestr("activities/1.fit", payload)
    raw = bytearray(path.read_bytes())
    start = raw.index(b"activities/1.fit") + len("activities/1.fit")
    raw[start + 100 : start + 140] = b"\x00" * 40  # corrupt the deflate stream
    path.write_bytes(bytes(raw))
    results = [r for r in iter_archive(path) if r.status != "skipped"]
    assert [r.status for r in results] == ["error"]
    assert results[0].reason and results[0].reason.startswith(("zip member unreadable", "FIT"))


def test_a_member_over_the_cap_is_too_large_not_a_generic_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "big.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("activities/1.gpx", b"<gpx>" + b" " * 5000)
    with zipfile.ZipFile(path) as zf, pytest.raises(FileTooLargeError) as info:
        _read_member(zf, zf.getinfo("activities/1.gpx"), 1000)
    assert info.value.code == "too_large"


def test_every_archive_error_code_is_a_documented_parse_error_code() -> None:
    source = Path(archive.__file__).read_text()
    literal_codes = set(re.findall(r'error_code="(\w+)"', source))
    literal_codes |= set(re.findall(r'"(\w+)" if problem', source))
    assert literal_codes and literal_codes <= ERROR_CODES
    assert {"parse_error", "no_real_date", "crc_mismatch", "not_activity"} <= ERROR_CODES
