"""Every real-device FIT fixture, cross-checked against Garmin's reference decoder."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from garmin_fit_sdk import Decoder, Stream

from heelwise.parsers import (
    CorruptFileError,
    CrcMismatchError,
    HeaderError,
    NoRealDateError,
    NotAnActivityError,
    ParseError,
    TruncatedFileError,
    iter_paths,
    parse_file,
)
from heelwise.parsers.fit import FIT_EPOCH_S, activities_from_content, decode
from heelwise.parsers.fit_decode import FIT_MIN_ABSOLUTE_TIME
from heelwise.parsers.tests.conftest import FIT_INVALID, FIT_VALID, SHARED

pytestmark = pytest.mark.skipif(not FIT_VALID, reason="shared FIT fixtures not available")


@cache
def reference(path: Path) -> dict[str, Any]:
    """What garmin-fit-sdk (the reference decoder) reads from the file."""
    messages, errors = Decoder(Stream.from_file(str(path))).read(
        convert_datetimes_to_dates=False, expand_components=False, merge_heart_rates=False
    )
    return {
        "types": [m.get("type") for m in messages.get("file_id_mesgs", [])],
        "sessions": messages.get("session_mesgs", []),
        "records": len(messages.get("record_mesgs", [])),
        "errors": errors,
    }


def _close(ours: float | None, theirs: float | None) -> bool:
    if theirs is None:
        return True
    assert ours is not None
    return abs(ours - theirs) <= 0.01 * max(abs(theirs), 1e-9)


#: Forerunner 70 files whose every time counts from power-on (no timestamp_correlation).
UNDATED = {"antfs-dump.63.fit", "compressed-speed-distance.fit"}


@pytest.mark.parametrize("path", FIT_VALID, ids=lambda p: p.name)
def test_it_parses_or_reports_not_an_activity(path: Path) -> None:
    ref = reference(path)
    try:
        activities = parse_file(path)
    except NoRealDateError:
        assert path.name in UNDATED
        assert ref["sessions"]
        assert all(s["start_time"] < FIT_MIN_ABSOLUTE_TIME for s in ref["sessions"])
        return
    except NotAnActivityError as exc:
        # Only files the reference also sees as non-activities, or with nothing to summarise.
        assert "activity" not in ref["types"] or not ref["sessions"], str(exc)
        assert str(exc).startswith("not an activity")
        return
    sessions = [s for s in ref["sessions"] if s.get("start_time") is not None]
    assert activities
    if sessions:
        assert len(activities) == len(sessions)
        ordered = sorted(sessions, key=lambda s: s["start_time"])
        for ours, theirs in zip(activities, ordered, strict=True):
            assert _close(ours.distance_m, theirs.get("total_distance"))
            assert _close(ours.duration_s, theirs.get("total_elapsed_time"))
            assert _close(ours.timer_s, theirs.get("total_timer_time"))
            assert ours.start.timestamp() == pytest.approx(theirs["start_time"] + 631065600)
    assert path.name not in UNDATED
    for leg in activities:
        assert leg.start.year >= 1998  # FIT time 0x10000000 is 1998-07-04
        assert leg.start.tzinfo is not None
        assert leg.duration_s >= 0
        assert leg.points >= 0


def test_it_matches_reference_record_counts_where_the_reference_reads_them() -> None:
    """Point counts agree with garmin-fit-sdk on every single-session activity it reads fully.

    One test over all fixtures (rather than one per file) so files the reference cannot read
    fully, or that are not activities, are simply not compared instead of being skipped.
    """
    compared = []
    for path in FIT_VALID:
        ref = reference(path)
        if ref["errors"] or not ref["records"] or len(ref["sessions"]) != 1:
            continue
        try:
            activities = parse_file(path)
        except NotAnActivityError:
            continue
        assert abs(activities[0].points - ref["records"]) <= max(2, ref["records"] // 100), path
        compared.append(path.name)
    assert len(compared) >= 8, compared


def test_it_splits_the_multisport_file_into_legs() -> None:
    legs = parse_file(SHARED / "fit" / "activity-large-fenxi2-multisport.fit")
    assert [a.sport for a in legs] == [
        "other",
        "transition",
        "running",
        "transition",
        "running",
        "transition",
        "cycling",
    ]
    assert [a.leg_index for a in legs] == list(range(7))
    assert {a.leg_count for a in legs} == {7}
    assert legs[2].distance_m == pytest.approx(2245.23)
    assert legs[4].duration_s == pytest.approx(6764.48)
    assert legs[2].tz_offset_s == 7200
    assert sum(a.points for a in legs) <= 24239


def test_it_reads_compressed_timestamps_the_reference_cannot() -> None:
    path = SHARED / "fit" / "compressed-speed-distance.fit"
    assert reference(path)["records"] == 0  # garmin-fit-sdk gives up on these headers
    content = decode(path.read_bytes())
    assert len(content.records) == 755
    assert not content.correlations
    # Given the correlation the file lacks (device time of the start = 06:00 UTC, 1 May 2012),
    # the records and session are read and dated from it.
    start_system = content.sessions[0][2]
    real = datetime(2012, 5, 1, 6, 0, tzinfo=UTC)
    content.correlations.append({253: int(real.timestamp()) - FIT_EPOCH_S, 1: start_system})
    (run,) = activities_from_content(content)
    assert run.start == real
    assert run.points == 755
    assert run.sport == "running"
    assert run.distance_m == pytest.approx(10248.67)
    assert "device clock was not set" in run.warnings[0]


@pytest.mark.parametrize("name", sorted(UNDATED))
def test_it_refuses_to_date_device_relative_files_1990(name: str) -> None:
    # Both Forerunner 70 files count every time from power-on; without this check they were
    # imported as runs on 9 and 18 July 1990.
    path = SHARED / "fit" / name
    with pytest.raises(NoRealDateError) as info:
        parse_file(path)
    assert str(info.value).startswith(
        "this file has no real date: its times are counted from when the device was switched on"
    )
    assert info.value.code == "no_real_date"
    (result,) = iter_paths([str(path)])
    assert (result.status, result.error_code) == ("error", "no_real_date")


def test_it_keeps_the_session_of_a_strava_recording_that_loses_sync() -> None:
    (run,) = parse_file(SHARED / "fit" / "strava-android-app-201.10-b1218918.fit")
    assert run.sport == "running"
    assert run.distance_m == pytest.approx(11274.04)
    assert run.duration_s == pytest.approx(3558.0)
    assert any("unreadable" in w for w in run.warnings)


def test_it_maps_sports_running_walking_and_cadence_in_steps() -> None:
    (run,) = parse_file(SHARED / "fit" / "garmin-fenix-5-run.fit")
    assert run.sport == "running"
    assert run.avg_cadence_spm is not None and 150 < run.avg_cadence_spm < 200
    assert run.tz_offset_s == -7 * 3600
    (walk,) = parse_file(SHARED / "fit" / "garmin-fenix-5-walk.fit")
    assert walk.sport == "walking"
    (ride,) = parse_file(SHARED / "fit" / "garmin-edge-820-bike.fit")
    assert ride.sport == "cycling"
    assert ride.avg_cadence_spm is None


EXPECTED_INVALID: dict[str, tuple[type[ParseError], str]] = {
    "activity-activity-filecrc.fit": (CrcMismatchError, "FIT file CRC mismatch (expected 0x"),
    "activity-filecrc.fit": (CrcMismatchError, "FIT file CRC mismatch (expected 0x"),
    "activity-settings-corruptheader.fit": (HeaderError, "FIT header corrupt at byte 771"),
    "activity-settings-nodata.fit": (TruncatedFileError, "file ends unexpectedly at byte 786"),
    "activity-unexpected-eof.fit": (TruncatedFileError, "file ends unexpectedly at byte 768"),
}


#: In fit-invalid/ by its upstream name only: nothing in it breaks the FIT protocol (see
#: docs/activity-files.md and the test below), so it is read, with a warning.
ACCEPTED_FROM_INVALID = {"elemnt-bolt-no-application-id-inside-developer-data-id.fit"}


def test_every_fit_invalid_file_has_a_documented_outcome() -> None:
    # A file added to fit-invalid/ must be listed above, so none is silently accepted.
    assert {p.name for p in FIT_INVALID} == set(EXPECTED_INVALID) | ACCEPTED_FROM_INVALID


@pytest.mark.parametrize(
    "path", [p for p in FIT_INVALID if p.name not in ACCEPTED_FROM_INVALID], ids=lambda p: p.name
)
def test_it_gives_broken_files_a_specific_error(path: Path) -> None:
    cls, message = EXPECTED_INVALID[path.name]
    with pytest.raises(cls) as info:
        parse_file(path)
    assert str(info.value).startswith(message)
    assert isinstance(info.value, CorruptFileError | TruncatedFileError)
    assert "b'" not in str(info.value) and 'b"' not in str(info.value)
    (result,) = iter_paths([str(path)])
    assert (result.status, result.activities, result.error_code) == ("error", (), cls.code)


def test_a_corrupt_signature_is_shown_as_hex_and_text_not_a_python_bytes_repr() -> None:
    with pytest.raises(HeaderError) as info:
        parse_file(SHARED / "fit-invalid" / "activity-settings-corruptheader.fit")
    assert str(info.value).endswith("found size 12 and signature 2E 47 49 54 ('.GIT')")


def _developer_data_ids(path: Path) -> list[Any]:
    messages, errors = Decoder(Stream.from_file(str(path))).read()
    assert not errors
    assert Decoder(Stream.from_file(str(path))).check_integrity()
    return list(messages["developer_data_id_mesgs"])


def test_it_accepts_developer_data_without_application_id_with_a_warning() -> None:
    # fit-invalid/elemnt-bolt-...: application_id is an optional field of developer_data_id;
    # garmin-fit-sdk reads the file with no error and a valid integrity check, and the ride in
    # fit/ (which must parse) has the same developer_data_id layout, so rejecting this file
    # would reject real Wahoo rides.
    path = SHARED / "fit-invalid" / "elemnt-bolt-no-application-id-inside-developer-data-id.fit"
    valid = SHARED / "fit" / "2019-02-17-062644-ELEMNT-297E-195-0.fit"
    for dev_ids in (_developer_data_ids(path), _developer_data_ids(valid)):
        assert dev_ids and all("application_id" not in d for d in dev_ids)
    (ride,) = parse_file(path)
    assert ride.sport == "cycling"
    assert ride.distance_m == pytest.approx(963.65)
    assert ride.start == datetime(2017, 8, 21, 8, 18, tzinfo=UTC)
    assert "developer data without an application_id (developer fields ignored)" in ride.warnings
    (valid_ride,) = parse_file(valid)
    assert "developer data without an application_id (developer fields ignored)" in (
        valid_ride.warnings
    )
