"""A tiny FIT encoder for tests and benchmarks: builds files the decoder must read.

Not used in production. Supports both architectures, developer fields (as opaque bytes),
compressed-timestamp headers and chained files, so edge cases can be made on demand.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from heelwise.parsers.fit import FIT_EPOCH_S, fit_crc

UINT8, SINT8, UINT16, SINT16, UINT32, SINT32, ENUM, STRING = (
    0x02,
    0x01,
    0x84,
    0x83,
    0x86,
    0x85,
    0x00,
    0x07,
)
_CODES = {0x00: "B", 0x01: "b", 0x02: "B", 0x83: "h", 0x84: "H", 0x85: "i", 0x86: "I", 0x8C: "I"}

Field = tuple[int, int, int]  # (field number, size, base type)


def fit_time(posix_s: float) -> int:
    return int(posix_s) - FIT_EPOCH_S


@dataclass
class _Def:
    fields: list[Field]
    dev_size: int
    big: bool


@dataclass
class FitWriter:
    body: bytearray = field(default_factory=bytearray)
    defs: dict[int, _Def] = field(default_factory=dict)

    def define(
        self,
        local: int,
        global_num: int,
        fields: list[Field],
        *,
        dev_fields: list[tuple[int, int, int]] | None = None,
        big_endian: bool = False,
    ) -> None:
        header = 0x40 | local | (0x20 if dev_fields else 0)
        arch = ">" if big_endian else "<"
        out = bytes([header, 0, 1 if big_endian else 0]) + struct.pack(arch + "H", global_num)
        out += bytes([len(fields)]) + b"".join(bytes(f) for f in fields)
        if dev_fields:
            out += bytes([len(dev_fields)]) + b"".join(bytes(d) for d in dev_fields)
        self.body += out
        dev_size = sum(d[1] for d in dev_fields or [])
        self.defs[local] = _Def(fields, dev_size, big_endian)

    def data(
        self, local: int, values: list[int | bytes], *, compressed_offset: int | None = None
    ) -> None:
        d = self.defs[local]
        if compressed_offset is None:
            out = bytearray([local])
        else:
            out = bytearray([0x80 | (local << 5) | (compressed_offset & 0x1F)])
        arch = ">" if d.big else "<"
        for (_num, size, base), value in zip(d.fields, values, strict=True):
            if isinstance(value, bytes):
                out += value.ljust(size, b"\0")[:size]
            else:
                out += struct.pack(arch + _CODES[base], value)
        out += b"\xff" * d.dev_size
        self.body += out

    def to_bytes(self, *, header_size: int = 14, header_crc: bool = True) -> bytes:
        header = bytearray(struct.pack("<BBHI4s", header_size, 0x20, 2132, len(self.body), b".FIT"))
        if header_size == 14:
            header += struct.pack("<H", fit_crc(bytes(header)) if header_crc else 0)
        data = bytes(header) + bytes(self.body)
        return data + struct.pack("<H", fit_crc(data))


FILE_ID_FIELDS: list[Field] = [(0, 1, ENUM), (1, 2, UINT16), (2, 2, UINT16), (4, 4, UINT32)]
RECORD_FIELDS: list[Field] = [
    (253, 4, UINT32),
    (0, 4, SINT32),
    (1, 4, SINT32),
    (2, 2, UINT16),
    (3, 1, UINT8),
    (4, 1, UINT8),
    (5, 4, UINT32),
    (6, 2, UINT16),
]
SESSION_FIELDS: list[Field] = [
    (253, 4, UINT32),
    (2, 4, UINT32),
    (5, 1, ENUM),
    (6, 1, ENUM),
    (7, 4, UINT32),
    (8, 4, UINT32),
    (9, 4, UINT32),
    (16, 1, UINT8),
    (18, 1, UINT8),
    (22, 2, UINT16),
]
ACTIVITY_FIELDS: list[Field] = [(253, 4, UINT32), (5, 4, UINT32), (1, 2, UINT16)]
#: timestamp_correlation: timestamp (real), system_timestamp (device time), local_timestamp
CORRELATION_FIELDS: list[Field] = [(253, 4, UINT32), (1, 4, UINT32), (3, 4, UINT32)]


def synthetic_run(
    start_posix: float = 1_700_000_000,
    seconds: int = 3600,
    *,
    sport: int = 1,
    speed_ms: float = 3.0,
    tz_offset_s: int = 3600,
    with_session: bool = True,
    legs: int = 1,
    correlate_start_to: float | None = None,
) -> bytes:
    """A Garmin-like activity: file_id, 1 Hz records, one session per leg, activity.

    ``correlate_start_to`` adds a timestamp_correlation message saying that the start (device
    time, for a ``start_posix`` below 1998) happened at that real POSIX time.
    """
    w = FitWriter()
    w.define(0, 0, FILE_ID_FIELDS)
    w.data(0, [4, 1, 3113, fit_time(start_posix)])
    if correlate_start_to is not None:
        real = fit_time(correlate_start_to)
        w.define(4, 162, CORRELATION_FIELDS)
        w.data(4, [real, fit_time(start_posix), real + tz_offset_s])
    w.define(1, 20, RECORD_FIELDS)
    w.define(2, 18, SESSION_FIELDS)
    t0 = fit_time(start_posix)
    per_leg = seconds // legs
    sessions = []
    for leg in range(legs):
        leg_start = t0 + leg * per_leg
        dist = 0.0
        for i in range(per_leg):
            lat = int((51.5 + (leg * per_leg + i) * 1e-5) * 2**31 / 180)
            alt = int((100 + 10 * ((i // 60) % 2) + 500) * 5)
            w.data(1, [leg_start + i, lat, 0, alt, 150, 85, int(dist * 100), int(speed_ms * 1000)])
            dist += speed_ms
        sessions.append((leg_start, per_leg, dist))
    if with_session:
        for leg_start, dur, dist in sessions:
            w.data(
                2,
                [
                    leg_start + dur,
                    leg_start,
                    sport,
                    0,
                    dur * 1000,
                    dur * 1000,
                    int(dist * 100),
                    150,
                    85,
                    60,
                ],
            )
    w.define(3, 34, ACTIVITY_FIELDS)
    end = t0 + seconds
    w.data(3, [end, end + tz_offset_s, legs])
    return w.to_bytes()
