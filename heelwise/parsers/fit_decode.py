"""A streaming FIT decoder that materialises only what an activity summary needs.

Why our own decoder and not ``garmin-fit-sdk`` (the reference, used in the tests to cross-check
every fixture): the SDK decodes every field of every message into dicts, converts types to
strings and has no support for compressed-timestamp headers, so it reads ~27k records/s and
returns nothing for some older Garmin files. This decoder precompiles one ``struct.Struct`` per
local message type that keeps only the fields we use and skips the rest (and developer fields)
by size, validates header and file CRCs, handles chained files, big-endian definitions and
compressed timestamps, and reports every defect as a specific :class:`ParseError`.

Layout (FIT protocol 1.0/2.0): a 12- or 14-byte header (``.FIT`` at bytes 8-11, optional header
CRC), definition and data messages, then a 2-byte CRC-16 over header and data. Files may be
chained: another header follows the CRC.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Any

from heelwise.parsers.errors import (
    CorruptFileError,
    CrcMismatchError,
    HeaderError,
    NoDataError,
    TruncatedFileError,
)

FIT_EPOCH_S = 631065600
#: FIT date_time values below this are seconds since the device powered on, not real dates.
FIT_MIN_ABSOLUTE_TIME = 0x10000000
SEMICIRCLE_DEG = 180.0 / 2**31

MESG_FILE_ID = 0
MESG_SPORT = 12
MESG_SESSION = 18
MESG_RECORD = 20
MESG_ACTIVITY = 34
MESG_TIMESTAMP_CORRELATION = 162
MESG_DEVELOPER_DATA_ID = 207
FILE_TYPE_ACTIVITY = 4
FIELD_TIMESTAMP = 253

# base type number (low 5 bits) -> (struct code, size, invalid value; None = no sentinel)
_BASE_TYPES: dict[int, tuple[str, int, int | None]] = {
    0: ("B", 1, 0xFF),  # enum
    1: ("b", 1, 0x7F),  # sint8
    2: ("B", 1, 0xFF),  # uint8
    3: ("h", 2, 0x7FFF),  # sint16
    4: ("H", 2, 0xFFFF),  # uint16
    5: ("i", 4, 0x7FFFFFFF),  # sint32
    6: ("I", 4, 0xFFFFFFFF),  # uint32
    7: ("s", 1, None),  # string
    8: ("f", 4, None),  # float32 (invalid is NaN)
    9: ("d", 8, None),  # float64
    10: ("B", 1, 0),  # uint8z
    11: ("H", 2, 0),  # uint16z
    12: ("I", 4, 0),  # uint32z
    13: ("s", 1, None),  # byte (arrays kept as bytes)
    14: ("q", 8, 0x7FFFFFFFFFFFFFFF),  # sint64
    15: ("Q", 8, 0xFFFFFFFFFFFFFFFF),  # uint64
    16: ("Q", 8, 0),  # uint64z
}
_BYTES_BASES = frozenset({7, 13})

# Fields kept per message; everything else is skipped by size.
_WANTED: dict[int, frozenset[int]] = {
    MESG_FILE_ID: frozenset({0, 1, 2, 8}),
    MESG_SPORT: frozenset({0, 1}),
    MESG_SESSION: frozenset({253, 2, 5, 6, 7, 8, 9, 16, 18, 22, 59, 92}),
    MESG_ACTIVITY: frozenset({253, 5}),
    # timestamp (real time), system_timestamp (the same instant in device time), local_timestamp
    MESG_TIMESTAMP_CORRELATION: frozenset({253, 1, 3}),
    MESG_DEVELOPER_DATA_ID: frozenset({0, 1, 3, 4}),
}

# Record messages are stored as fixed-layout rows.
R_TS, R_LAT, R_LON, R_ALT, R_HR, R_CAD, R_DIST, R_CSD, R_EALT = range(9)
_RECORD_SLOTS: dict[int, int] = {
    253: R_TS,
    0: R_LAT,
    1: R_LON,
    2: R_ALT,
    3: R_HR,
    4: R_CAD,
    5: R_DIST,
    8: R_CSD,
    78: R_EALT,
}
_NSLOTS = 9

_KIND_SKIP, _KIND_RECORD, _KIND_MESSAGE = 0, 1, 2


@dataclass(frozen=True, slots=True)
class FitLimits:
    """Caps that keep a hostile file from using unbounded memory or time."""

    max_records: int = 2_000_000
    max_chained_files: int = 64


@dataclass(slots=True)
class _Definition:
    global_num: int
    size: int
    kind: int
    unpack: Any  # bound Struct.unpack_from, or None when nothing is kept
    keys: tuple[int, ...]
    invalids: tuple[int | None, ...]


@dataclass(slots=True)
class FitContent:
    """What the decoder kept from one (possibly chained) FIT file."""

    file_types: list[int] = field(default_factory=list)
    file_ids: list[dict[int, Any]] = field(default_factory=list)
    sessions: list[dict[int, Any]] = field(default_factory=list)
    activities: list[dict[int, Any]] = field(default_factory=list)
    sports: list[dict[int, Any]] = field(default_factory=list)
    correlations: list[dict[int, Any]] = field(default_factory=list)
    records: list[list[Any]] = field(default_factory=list)
    messages: int = 0
    warnings: list[str] = field(default_factory=list)


class _SyncLostError(Exception):
    def __init__(self, pos: int, reason: str) -> None:
        super().__init__(reason)
        self.pos = pos
        self.reason = reason


# --- CRC --------------------------------------------------------------------------------------

_CRC_NIBBLE = (
    0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
    0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400,
)  # fmt: skip


def _crc_byte(crc: int, byte: int) -> int:
    tmp = _CRC_NIBBLE[crc & 0xF]
    crc = ((crc >> 4) & 0x0FFF) ^ tmp ^ _CRC_NIBBLE[byte & 0xF]
    tmp = _CRC_NIBBLE[crc & 0xF]
    return ((crc >> 4) & 0x0FFF) ^ tmp ^ _CRC_NIBBLE[(byte >> 4) & 0xF]


_CRC_BYTE_TABLE: tuple[int, ...] = tuple(_crc_byte(0, b) for b in range(256))
_crc_word_table: list[int] | None = None


def _word_table() -> list[int]:
    """CRC of any 16-bit little-endian word from state 0, so the main loop takes 2 bytes a step.

    The FIT CRC is the reflected CRC-16 (poly 0xA001) whose 16-bit register is fully shifted
    out by two bytes, hence ``crc' = T[crc ^ word]``.
    """
    global _crc_word_table
    if _crc_word_table is None:
        t = _CRC_BYTE_TABLE
        _crc_word_table = [
            t[(t[w & 0xFF] ^ (w >> 8)) & 0xFF] ^ (t[w & 0xFF] >> 8) for w in range(65536)
        ]
    return _crc_word_table


def fit_crc(data: bytes | memoryview, crc: int = 0) -> int:
    """FIT CRC-16 of ``data``, continuing from ``crc``."""
    view = memoryview(data)
    n = len(view)
    if n >= 64:
        table = _word_table()
        even = n & ~1
        for word in view[:even].cast("H"):
            crc = table[crc ^ word]
        view = view[even:]
    t = _CRC_BYTE_TABLE
    for byte in view:
        crc = (crc >> 8) ^ t[(crc ^ byte) & 0xFF]
    return crc


# --- decoding ---------------------------------------------------------------------------------


def is_fit(data: bytes) -> bool:
    return len(data) >= 12 and data[8:12] == b".FIT" and data[0] in (12, 14)


def _compile(global_num: int, little: bool, fields: list[tuple[int, int, int]]) -> _Definition:
    """Build the struct that unpacks only the wanted fields of one message definition."""
    size = sum(f[1] for f in fields)
    if global_num == MESG_RECORD:
        kind, wanted = _KIND_RECORD, frozenset(_RECORD_SLOTS)
    elif global_num in _WANTED:
        kind, wanted = _KIND_MESSAGE, _WANTED[global_num]
    else:
        kind, wanted = _KIND_SKIP, frozenset({FIELD_TIMESTAMP})
    fmt = ["<" if little else ">"]
    keys: list[int] = []
    invalids: list[int | None] = []
    skip = 0
    for num, fsize, base in fields:
        code, bsize, invalid = _BASE_TYPES.get(base & 0x1F, ("s", 1, None))
        keep = num in wanted and fsize > 0 and (num != FIELD_TIMESTAMP or fsize == 4)
        if keep and (base & 0x1F) in _BYTES_BASES:
            code = f"{fsize}s"
        elif keep and fsize == bsize:
            pass
        else:
            skip += fsize
            continue
        if skip:
            fmt.append(f"{skip}x")
            skip = 0
        fmt.append(code)
        keys.append(_RECORD_SLOTS[num] if kind == _KIND_RECORD else num)
        invalids.append(invalid)
    if skip:
        fmt.append(f"{skip}x")
    unpack = struct.Struct("".join(fmt)).unpack_from if keys else None
    return _Definition(global_num, size, kind, unpack, tuple(keys), tuple(invalids))


def _clean_bytes(value: bytes) -> bytes | None:
    if not value or value.count(0xFF) == len(value):
        return None
    return value


def describe_bytes(raw: bytes) -> str:
    """Bytes for a message: hex, plus the text when it is printable (``2E 47 49 54 ('.GIT')``)."""
    hex_part = " ".join(f"{b:02X}" for b in raw) or "(none)"
    if raw and all(0x20 <= b < 0x7F for b in raw):
        return f"{hex_part} ('{raw.decode('ascii')}')"
    return hex_part


def _read_header(data: bytes, pos: int) -> tuple[int, int]:
    """Validate the header at ``pos``; return (header size, data size)."""
    n = len(data)
    if n - pos < 12:
        raise TruncatedFileError(
            f"file ends unexpectedly at byte {n} (inside the FIT header at byte {pos})"
        )
    hsize = data[pos]
    if hsize not in (12, 14) or data[pos + 8 : pos + 12] != b".FIT":
        raise HeaderError(
            f"FIT header corrupt at byte {pos}: expected a 12- or 14-byte header with '.FIT', "
            f"found size {hsize} and signature {describe_bytes(bytes(data[pos + 8 : pos + 12]))}"
        )
    if n - pos < hsize:
        raise TruncatedFileError(f"file ends unexpectedly at byte {n} (inside the FIT header)")
    (data_size,) = struct.unpack_from("<I", data, pos + 4)
    if hsize == 14:
        (stored,) = struct.unpack_from("<H", data, pos + 12)
        if stored != 0:
            actual = fit_crc(data[pos : pos + 12])
            if actual != stored:
                raise CrcMismatchError(
                    f"FIT header CRC mismatch at byte {pos} "
                    f"(expected 0x{stored:04X}, got 0x{actual:04X})"
                )
    if data[pos + 1] >> 4 > 2:
        raise HeaderError(
            f"FIT header corrupt at byte {pos}: protocol version {data[pos + 1] >> 4}"
        )
    return hsize, data_size


def decode(data: bytes, limits: FitLimits | None = None) -> FitContent:
    """Decode a whole (possibly chained) FIT file; raises a specific ParseError on any defect."""
    limits = limits or FitLimits()
    out = FitContent()
    n = len(data)
    pos = 0
    part = 0
    while pos < n:
        part += 1
        if part > limits.max_chained_files:
            raise CorruptFileError(f"more than {limits.max_chained_files} chained FIT files")
        hsize, data_size = _read_header(data, pos)
        body = pos + hsize
        data_end = body + data_size
        complete = data_end + 2 <= n
        if complete:
            (stored,) = struct.unpack_from("<H", data, data_end)
            actual = fit_crc(memoryview(data)[pos:data_end])
            if stored != actual:
                raise CrcMismatchError(
                    f"FIT file CRC mismatch (expected 0x{stored:04X}, got 0x{actual:04X})"
                )
        try:
            _decode_messages(data, body, min(data_end, n), out, limits)
        except _SyncLostError as lost:
            if complete or not out.sessions:
                raise CorruptFileError(
                    f"FIT data corrupt at byte {lost.pos}: {lost.reason}"
                ) from None
            # A recorder that corrupted its own stream after writing the session summary: keep
            # the summary (re-uploading cannot fix it), say what was lost.
            out.warnings.append(
                f"records after byte {lost.pos} unreadable ({lost.reason}); "
                "totals are the file's own session summary"
            )
            return out
        if not complete:
            raise TruncatedFileError(
                f"file ends unexpectedly at byte {n} (FIT header at byte {pos} declares "
                f"{data_size} data bytes, so the file should be {data_end + 2} bytes)"
            )
        pos = data_end + 2
    if part == 0:
        raise NoDataError("empty file")
    return out


def _decode_messages(  # noqa: C901 - one tight loop is the point of this module
    data: bytes, pos: int, end: int, out: FitContent, limits: FitLimits
) -> None:
    defs: list[_Definition | None] = [None] * 16
    last_ts: int | None = None
    records = out.records
    append_record = records.append
    max_records = limits.max_records
    nslots = _NSLOTS
    while pos < end:
        header = data[pos]
        if header & 0x80:  # compressed timestamp header
            local = (header >> 5) & 0x3
            if last_ts is None:
                raise _SyncLostError(pos, "compressed timestamp before any full timestamp")
            offset = header & 0x1F
            ts: int | None = last_ts + ((offset - (last_ts & 0x1F)) & 0x1F)
            last_ts = ts
        elif header & 0x40:  # definition message
            pos = _read_definition(data, pos, end, header, defs)
            continue
        else:
            local = header & 0x0F
            ts = None
        d = defs[local]
        if d is None:
            raise _SyncLostError(pos, f"local message type {local} has no definition")
        nxt = pos + 1 + d.size
        if nxt > end:
            raise TruncatedFileError(
                f"file ends unexpectedly at byte {end} (message at byte {pos} needs {d.size} bytes)"
            )
        out.messages += 1
        unpack = d.unpack
        if d.kind == _KIND_RECORD:
            row: list[Any] = [None] * nslots
            if unpack is not None:
                for slot, inv, v in zip(d.keys, d.invalids, unpack(data, pos + 1), strict=True):
                    if v != inv:
                        row[slot] = v
            rts = row[R_TS]
            if rts is not None:
                last_ts = rts
            else:
                row[R_TS] = ts if ts is not None else last_ts
            if len(records) >= max_records:
                raise CorruptFileError(f"more than {max_records} FIT records")
            append_record(row)
        elif unpack is not None:
            values = unpack(data, pos + 1)
            if d.kind == _KIND_SKIP:
                if values[0] != 0xFFFFFFFF:
                    last_ts = values[0]
            else:
                msg = {
                    k: v for k, inv, v in zip(d.keys, d.invalids, values, strict=True) if v != inv
                }
                mts = msg.get(FIELD_TIMESTAMP)
                if mts is not None:
                    last_ts = mts
                elif ts is not None:
                    msg[FIELD_TIMESTAMP] = ts
                _store_message(d.global_num, msg, out)
        pos = nxt


def _read_definition(
    data: bytes, pos: int, end: int, header: int, defs: list[_Definition | None]
) -> int:
    if pos + 6 > end:
        raise TruncatedFileError(f"file ends unexpectedly at byte {end} (in a definition)")
    arch = data[pos + 2]
    if arch > 1:
        raise _SyncLostError(pos, f"definition with unknown architecture {arch}")
    little = arch == 0
    (global_num,) = struct.unpack_from("<H" if little else ">H", data, pos + 3)
    nfields = data[pos + 5]
    p = pos + 6
    if p + 3 * nfields > end:
        raise TruncatedFileError(f"file ends unexpectedly at byte {end} (in a definition)")
    fields = [(data[p + 3 * i], data[p + 3 * i + 1], data[p + 3 * i + 2]) for i in range(nfields)]
    p += 3 * nfields
    if header & 0x20:  # developer fields: only their sizes matter here
        if p + 1 > end:
            raise TruncatedFileError(f"file ends unexpectedly at byte {end} (in a definition)")
        ndev = data[p]
        p += 1
        if p + 3 * ndev > end:
            raise TruncatedFileError(f"file ends unexpectedly at byte {end} (in a definition)")
        dev_size = sum(data[p + 3 * i + 1] for i in range(ndev))
        p += 3 * ndev
        if dev_size:
            fields.append((0xFFFF, dev_size, 13))  # one opaque block, never wanted
    defs[header & 0x0F] = _compile(global_num, little, fields)
    return p


def _store_message(global_num: int, msg: dict[int, Any], out: FitContent) -> None:
    if global_num == MESG_RECORD:  # pragma: no cover - records take the fast path
        return
    for key, value in list(msg.items()):
        if isinstance(value, bytes):
            msg[key] = _clean_bytes(value)
    if global_num == MESG_SESSION:
        out.sessions.append(msg)
    elif global_num == MESG_FILE_ID:
        out.file_ids.append(msg)
        if msg.get(0) is not None:
            out.file_types.append(msg[0])
    elif global_num == MESG_ACTIVITY:
        out.activities.append(msg)
    elif global_num == MESG_SPORT:
        out.sports.append(msg)
    elif global_num == MESG_TIMESTAMP_CORRELATION:
        out.correlations.append(msg)
    elif global_num == MESG_DEVELOPER_DATA_ID and msg.get(1) is None:
        # Allowed by the profile and common (Wahoo ELEMNT, Strava app): a note, not an error.
        note = "developer data without an application_id (developer fields ignored)"
        if note not in out.warnings:
            out.warnings.append(note)
