"""Whatever the bytes, the parsers answer with activities or a ParseError, nothing else."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heelwise.parsers import ParseError, parse_bytes
from heelwise.parsers.fit import fit_crc
from heelwise.parsers.tests.fitwriter import synthetic_run

SEED_FIT = synthetic_run(seconds=40, legs=2)
SEED_GPX = (Path(__file__).parent / "data" / "garmin_connect_fenix6_run.gpx").read_bytes()[:4000]
SEED_TCX = (Path(__file__).parent / "data" / "garmin_run_tcxparser.tcx").read_bytes()[:4000]
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _parses_or_parse_error(data: bytes) -> None:
    try:
        parse_bytes(data)
    except ParseError as exc:
        assert str(exc)


def _refresh_crcs(data: bytearray) -> bytes:
    """Fix header and file CRCs after a mutation so the decoder itself is exercised."""
    if len(data) >= 16 and data[0] == 14:
        struct.pack_into("<H", data, 12, fit_crc(bytes(data[:12])))
        struct.pack_into("<H", data, len(data) - 2, fit_crc(bytes(data[:-2])))
    return bytes(data)


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes(data: bytes) -> None:
    _parses_or_parse_error(data)
    _parses_or_parse_error(b"\x0e\x20\x54\x08" + data[:4] + b".FIT" + data)
    _parses_or_parse_error(b"<gpx>" + data)


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(SEED_FIT) - 1), st.integers(0, 255)), max_size=8))
def test_mutated_fit_with_valid_crcs(mutations: list[tuple[int, int]]) -> None:
    data = bytearray(SEED_FIT)
    for pos, value in mutations:
        data[pos] = value
    _parses_or_parse_error(_refresh_crcs(data))
    _parses_or_parse_error(bytes(data))


@FUZZ
@given(st.integers(0, len(SEED_FIT)), st.binary(max_size=40))
def test_spliced_fit(pos: int, insert: bytes) -> None:
    data = bytearray(SEED_FIT[:pos] + insert + SEED_FIT[pos:])
    _parses_or_parse_error(_refresh_crcs(data))


@FUZZ
@given(
    st.sampled_from([SEED_GPX, SEED_TCX]),
    st.lists(st.tuples(st.integers(0, 3999), st.binary(min_size=1, max_size=3)), max_size=5),
    st.integers(10, 4000),
)
def test_mutated_xml(seed: bytes, mutations: list[tuple[int, bytes]], cut: int) -> None:
    data = bytearray(seed)
    for pos, chunk in mutations:
        data[pos : pos + len(chunk)] = chunk
    _parses_or_parse_error(bytes(data))
    _parses_or_parse_error(gzip.compress(bytes(data))[:cut])
