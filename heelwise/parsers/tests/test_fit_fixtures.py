"""Every real-device FIT fixture, cross-checked against Garmin's reference decoder."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
from garmin_fit_sdk import Decoder, Stream

from heelwise.parsers import (
    CorruptFileError,
    CrcMismatchError,
    HeaderError,
    NotAnActivityError,
    ParseError,
    TruncatedFileError,
    parse_file,
)
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


@pytest.mark.parametrize("path", FIT_VALID, ids=lambda p: p.name)
def test_it_parses_or_reports_not_an_activity(path: Path) -> None:
    ref = reference(path)
    try:
        activities = parse_file(path)
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
    for leg in activities:
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
    (run,) = parse_file(path)
    assert run.points == 755
    assert run.sport == "running"
    assert run.distance_m == pytest.approx(10248.67)
    assert any("clock was not set" in w for w in run.warnings)


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


@pytest.mark.parametrize(
    "path", [p for p in FIT_INVALID if p.name in EXPECTED_INVALID], ids=lambda p: p.name
)
def test_it_gives_broken_files_a_specific_error(path: Path) -> None:
    cls, message = EXPECTED_INVALID[path.name]
    with pytest.raises(cls) as info:
        parse_file(path)
    assert str(info.value).startswith(message)
    assert isinstance(info.value, CorruptFileError | TruncatedFileError)


def test_it_accepts_developer_data_without_application_id_with_a_warning() -> None:
    # fit-invalid/elemnt-bolt-...: the FIT profile allows a developer_data_id without
    # application_id, the reference decoder reads it, and the ELEMNT file in fit/ has the
    # identical layout. We parse it and say so rather than reject a valid Wahoo ride.
    path = SHARED / "fit-invalid" / "elemnt-bolt-no-application-id-inside-developer-data-id.fit"
    (ride,) = parse_file(path)
    assert ride.sport == "cycling"
    assert ride.distance_m == pytest.approx(963.65)
    assert any("application_id" in w for w in ride.warnings)
