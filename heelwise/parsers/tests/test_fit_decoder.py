"""FIT decoder behaviour on files built to order (architectures, headers, limits)."""

from __future__ import annotations

import gzip
import struct
from datetime import UTC, datetime, timedelta

import pytest
from garmin_fit_sdk import Decoder, Stream

from heelwise.parsers import (
    CompressionError,
    CrcMismatchError,
    FileTooLargeError,
    HeaderError,
    Limits,
    NoRealDateError,
    NotAnActivityError,
    ParseError,
    TruncatedFileError,
    parse_bytes,
)
from heelwise.parsers.fit import FIT_EPOCH_S, FitLimits, decode, fit_crc
from heelwise.parsers.tests.fitwriter import (
    ACTIVITY_FIELDS,
    FILE_ID_FIELDS,
    RECORD_FIELDS,
    SESSION_FIELDS,
    UINT8,
    UINT32,
    FitWriter,
    fit_time,
    synthetic_run,
)

START = 1_700_000_000


def _crc_bitwise(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def test_crc_matches_the_bitwise_crc16_definition() -> None:
    for data in (b"", b"\x01", bytes(range(256)) * 3, b".FIT" * 33 + b"x"):
        assert fit_crc(data) == _crc_bitwise(data)


def test_it_reads_a_synthetic_run_like_the_reference_decoder() -> None:
    data = synthetic_run(seconds=600)
    (run,) = parse_bytes(data)
    messages, errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
    assert not errors
    session = messages["session_mesgs"][0]
    assert run.distance_m == pytest.approx(session["total_distance"])
    assert run.duration_s == pytest.approx(session["total_elapsed_time"])
    assert run.points == len(messages["record_mesgs"]) == 600
    assert run.avg_cadence_spm == 170.0
    assert run.tz_offset_s == 3600
    assert run.device == "garmin fr945"


def test_it_reads_big_endian_definitions_and_compressed_timestamps() -> None:
    w = FitWriter()
    w.define(0, 0, FILE_ID_FIELDS, big_endian=True)
    w.data(0, [4, 1, 1, fit_time(START)])
    w.define(1, 20, [(253, 4, UINT32), (3, 1, UINT8)], big_endian=True)
    w.define(2, 20, [(3, 1, UINT8)])
    t0 = fit_time(START)
    w.data(1, [t0, 120])
    for i in range(1, 70):  # crosses several 32-second rollovers of the 5-bit offset
        w.data(2, [130], compressed_offset=(t0 + i) & 0x1F)
    (act,) = parse_bytes(w.to_bytes())
    assert act.points == 70
    assert act.duration_s == 69.0
    assert act.avg_hr == pytest.approx((120 + 69 * 130) / 70)


def test_it_skips_developer_fields_by_size() -> None:
    w = FitWriter()
    w.define(0, 0, FILE_ID_FIELDS)
    w.data(0, [4, 1, 1, fit_time(START)])
    w.define(1, 20, RECORD_FIELDS, dev_fields=[(0, 7, 0), (1, 3, 0)])
    for i in range(10):
        w.data(1, [fit_time(START) + i, 0, 0, 3000, 140, 80, i * 300, 3000])
    (act,) = parse_bytes(w.to_bytes())
    assert act.points == 10
    assert act.distance_m == pytest.approx(27.0)
    assert act.avg_hr == 140


def test_it_reads_12_byte_headers_and_headers_without_crc() -> None:
    for kwargs in ({"header_size": 12}, {"header_crc": False}):
        w = FitWriter()
        w.define(0, 0, FILE_ID_FIELDS)
        w.data(0, [4, 1, 1, fit_time(START)])
        w.define(1, 20, [(253, 4, UINT32)])
        w.data(1, [fit_time(START)])
        w.data(1, [fit_time(START) + 5])
        (act,) = parse_bytes(w.to_bytes(**kwargs))
        assert act.duration_s == 5


def test_it_reads_chained_files() -> None:
    first = synthetic_run(seconds=60)
    w = FitWriter()
    w.define(0, 0, FILE_ID_FIELDS)
    w.data(0, [2, 1, 1, fit_time(START)])  # a settings file chained after the activity
    (act,) = parse_bytes(first + w.to_bytes())
    assert act.points == 60


def test_it_rejects_non_activity_types_by_name() -> None:
    w = FitWriter()
    w.define(0, 0, FILE_ID_FIELDS)
    w.data(0, [5, 1, 1, fit_time(START)])
    with pytest.raises(NotAnActivityError, match="FIT file type is 'workout'"):
        parse_bytes(w.to_bytes())


def test_it_names_crc_and_header_problems() -> None:
    data = bytearray(synthetic_run(seconds=30))
    data[40] ^= 0xFF
    with pytest.raises(CrcMismatchError, match=r"FIT file CRC mismatch \(expected 0x"):
        parse_bytes(bytes(data))
    bad_header = bytearray(synthetic_run(seconds=30))
    bad_header[3] ^= 0x01
    with pytest.raises(CrcMismatchError, match="FIT header CRC mismatch"):
        parse_bytes(bytes(bad_header))
    with pytest.raises(HeaderError, match="FIT header corrupt"):
        decode(b"\x0e\x20\x00\x00\x00\x00\x00\x00.FOT\x00\x00\x00\x00")


def test_every_truncation_is_a_specific_error() -> None:
    data = synthetic_run(seconds=20)
    for cut in range(1, len(data)):
        with pytest.raises(ParseError) as info:
            parse_bytes(data[:cut])
        if cut >= 14:
            assert isinstance(info.value, TruncatedFileError)
            assert str(info.value).startswith("file ends unexpectedly at byte")


def test_gzip_is_unwrapped_and_its_defects_named() -> None:
    data = synthetic_run(seconds=60)
    (act,) = parse_bytes(gzip.compress(data))
    assert act.points == 60
    with pytest.raises(TruncatedFileError, match="gzip stream truncated"):
        parse_bytes(gzip.compress(data)[:-30])
    broken = bytearray(gzip.compress(data))
    broken[20:30] = b"\xff" * 10
    with pytest.raises((CompressionError, CrcMismatchError, TruncatedFileError)):
        parse_bytes(bytes(broken))


def test_size_limits_apply_to_files_and_to_gunzipped_content() -> None:
    data = synthetic_run(seconds=600)
    with pytest.raises(FileTooLargeError, match="file exceeds 10000 bytes limit"):
        parse_bytes(data, limits=Limits(max_bytes=10_000))
    bomb = gzip.compress(b"\0" * 5_000_000)
    assert len(bomb) < 10_000
    with pytest.raises(FileTooLargeError, match="file exceeds"):
        parse_bytes(bomb, limits=Limits(max_bytes=1_000_000))


def test_record_limit_stops_hostile_files() -> None:
    with pytest.raises(ParseError, match="more than 100 FIT records"):
        parse_bytes(synthetic_run(seconds=300), limits=Limits(fit=FitLimits(max_records=100)))


def test_a_session_less_file_is_summarised_from_records() -> None:
    (act,) = parse_bytes(synthetic_run(seconds=120, with_session=False))
    assert act.points == 120
    assert act.distance_m == pytest.approx(357.0)
    assert "no session message" in act.warnings[0]


def test_multisport_synthetic_legs_get_their_own_records() -> None:
    legs = parse_bytes(synthetic_run(seconds=300, legs=3))
    assert [leg.points for leg in legs] == [100, 100, 100]
    assert [leg.leg_index for leg in legs] == [0, 1, 2]


def test_session_totals_take_precedence_over_records() -> None:
    w = FitWriter()
    w.define(0, 0, FILE_ID_FIELDS)
    w.data(0, [4, 1, 1, fit_time(START)])
    w.define(1, 18, SESSION_FIELDS)
    t0 = fit_time(START)
    w.data(1, [t0 + 100, t0, 1, 3, 100_000, 90_000, 50_000, 140, 80, 12])
    w.define(2, 34, ACTIVITY_FIELDS)
    w.data(2, [t0 + 100, t0 + 100 - 5 * 3600, 1])
    (act,) = parse_bytes(w.to_bytes())
    assert act.sport == "trail_running"
    assert act.distance_m == 500.0
    assert act.duration_s == 100.0
    assert act.moving_s == 90.0
    assert act.ascent_m == 12
    assert act.avg_cadence_spm == 160.0
    assert act.tz_offset_s == -5 * 3600
    assert act.points == 0


def test_header_with_unknown_protocol_is_named() -> None:
    data = bytearray(synthetic_run(seconds=10, tz_offset_s=0))
    data[1] = 0x40
    struct.pack_into("<H", data, 12, fit_crc(bytes(data[:12])))
    with pytest.raises(HeaderError, match="protocol version 4"):
        parse_bytes(bytes(data))


def test_a_session_without_any_time_and_no_records_is_not_an_activity() -> None:
    w = FitWriter()
    w.define(0, 0, FILE_ID_FIELDS)
    w.data(0, [4, 1, 1, fit_time(START)])
    w.define(1, 18, [(9, 4, UINT32)])
    w.data(1, [100_000])
    with pytest.raises(NotAnActivityError, match="no start time and no records"):
        parse_bytes(w.to_bytes())


# Device time: a FIT date_time below 0x10000000 counts seconds from power-on, not from 1989.
POWER_ON = FIT_EPOCH_S + 5_000  # 5,000 s after power-on


def test_a_device_relative_session_is_refused_not_dated_1990() -> None:
    with pytest.raises(NoRealDateError) as info:
        parse_bytes(synthetic_run(start_posix=POWER_ON, seconds=120))
    assert str(info.value).startswith("this file has no real date: its times are counted")
    assert info.value.code == "no_real_date"
    with pytest.raises(NoRealDateError):
        parse_bytes(synthetic_run(start_posix=POWER_ON, seconds=120, with_session=False))
    with pytest.raises(NoRealDateError):
        parse_bytes(synthetic_run(start_posix=POWER_ON, seconds=120, legs=2))


def test_timestamp_correlation_turns_device_time_into_real_time() -> None:
    real = datetime(2024, 3, 9, 7, 30, tzinfo=UTC)
    data = synthetic_run(
        start_posix=POWER_ON, seconds=600, tz_offset_s=3600, correlate_start_to=real.timestamp()
    )
    (run,) = parse_bytes(data)
    assert run.start == real
    assert run.duration_s == 600
    assert run.points == 600  # the records are converted too, so they fall inside the session
    assert run.distance_m == pytest.approx(1800)
    assert run.tz_offset_s == 3600  # from the correlation's local_timestamp
    assert run.warnings == (
        "device clock was not set: times converted with the file's timestamp_correlation message",
    )
    legs = parse_bytes(
        synthetic_run(
            start_posix=POWER_ON, seconds=600, legs=2, correlate_start_to=real.timestamp()
        )
    )
    assert [leg.start for leg in legs] == [real, real + timedelta(seconds=300)]
    assert [leg.points for leg in legs] == [300, 300]
    (records_only,) = parse_bytes(
        synthetic_run(
            start_posix=POWER_ON,
            seconds=60,
            with_session=False,
            correlate_start_to=real.timestamp(),
        )
    )
    assert records_only.start == real


def test_a_real_time_correlation_changes_nothing_for_a_set_clock() -> None:
    plain = parse_bytes(synthetic_run(seconds=300))
    correlated = parse_bytes(synthetic_run(seconds=300, correlate_start_to=START + 999))
    assert correlated == plain


def test_records_from_before_the_clock_was_set_are_left_out_of_a_session_less_file() -> None:
    w = FitWriter()
    w.define(0, 0, FILE_ID_FIELDS)
    w.data(0, [4, 1, 1, fit_time(START)])
    w.define(1, 20, [(253, 4, UINT32), (3, 1, UINT8)])
    for i in range(5):  # before the GPS fix: device time
        w.data(1, [fit_time(POWER_ON) + i, 100])
    for i in range(10):  # after it: real time
        w.data(1, [fit_time(START) + i, 150])
    (act,) = parse_bytes(w.to_bytes())
    assert act.start == datetime.fromtimestamp(START, UTC)
    assert act.points == 10
    assert act.avg_hr == 150
    assert "5 records from before the device clock was set left out" in act.warnings
