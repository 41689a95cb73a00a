"""Entry points: sniff the format, unwrap gzip within limits, dispatch to a parser."""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from heelwise.parsers.errors import (
    CompressionError,
    FileTooLargeError,
    ParseError,
    TruncatedFileError,
    UnsupportedFormatError,
)
from heelwise.parsers.fit import FitLimits, is_fit, parse_fit
from heelwise.parsers.gpx import parse_gpx
from heelwise.parsers.models import Activity
from heelwise.parsers.tcx import parse_tcx

MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """Upload caps. ``max_bytes`` applies to the file and again to its gunzipped content."""

    max_bytes: int = 50 * MB
    fit: FitLimits = FitLimits()


DEFAULT_LIMITS = Limits()


def format_size(n: int) -> str:
    """``50 MB`` for whole megabytes, else ``1.5 MB``, or bytes below one megabyte."""
    if n >= MB:
        return f"{n // MB} MB" if n % MB == 0 else f"{n / MB:.1f} MB"
    return f"{n} bytes"


def _too_large(limit: int) -> FileTooLargeError:
    return FileTooLargeError(f"file exceeds {format_size(limit)} limit")


def gunzip(data: bytes, limit: int) -> bytes:
    """Decompress (possibly multi-member) gzip, refusing output beyond ``limit`` bytes."""
    out: list[bytes] = []
    total = 0
    rest = data
    while rest:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            chunk = d.decompress(rest, limit + 1 - total)
        except zlib.error as exc:
            raise CompressionError(f"gzip stream corrupt: {exc}") from None
        total += len(chunk)
        out.append(chunk)
        if total > limit or d.unconsumed_tail:
            raise _too_large(limit)
        if not d.eof:
            raise TruncatedFileError("gzip stream truncated: file ends before the end of data")
        rest = d.unused_data
        if rest and not rest.startswith(b"\x1f\x8b"):
            break  # trailing garbage after the last member is ignored, as gzip(1) does
    return b"".join(out)


def detect_format(data: bytes) -> str:
    """``fit``, ``gpx``, ``tcx``, ``gzip`` or ``zip`` from the content (never the name)."""
    if data[:2] == b"\x1f\x8b":
        return "gzip"
    if data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06":
        return "zip"
    if is_fit(data):
        return "fit"
    head = data[:4096]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            head = data[:8192].decode("utf-16", "ignore").encode("utf-8")
        except UnicodeError:  # pragma: no cover - "ignore" never raises
            head = b""
    if b"<gpx" in head:
        return "gpx"
    if b"<TrainingCenterDatabase" in head:
        return "tcx"
    if len(data) >= 12 and data[0] in (12, 14) and data[8:12] != b".FIT" and b"FIT" in data[8:12]:
        return "fit"  # a damaged FIT signature: let the FIT parser say what is wrong
    if not data:
        raise UnsupportedFormatError("empty file")
    raise UnsupportedFormatError("unrecognised file format (expected FIT, GPX or TCX)")


def parse_bytes(
    data: bytes, *, limits: Limits = DEFAULT_LIMITS, sport_hint: str | None = None
) -> list[Activity]:
    """Parse one activity file (FIT, GPX, TCX, or a .gz of one) held in memory.

    Returns one Activity per activity or multisport leg. Raises a :class:`ParseError` subclass
    with a specific message for anything else; never anything but ParseError.
    """
    if len(data) > limits.max_bytes:
        raise _too_large(limits.max_bytes)
    try:
        kind = detect_format(data)
        if kind == "gzip":
            data = gunzip(data, limits.max_bytes)
            kind = detect_format(data)
            if kind in ("gzip", "zip"):
                raise UnsupportedFormatError(f"a {kind} inside gzip is not an activity file")
        if kind == "zip":
            raise UnsupportedFormatError("zip archive: use iter_archive() for export archives")
        if kind == "fit":
            return parse_fit(data, limits.fit)
        if kind == "gpx":
            return parse_gpx(data, sport_hint)
        return parse_tcx(data, sport_hint)
    except ParseError:
        raise
    except (MemoryError, RecursionError) as exc:
        raise FileTooLargeError(f"file too complex to parse ({type(exc).__name__})") from None
    except Exception as exc:  # noqa: BLE001 - the contract is "only ParseError escapes"
        raise ParseError(f"unreadable file ({type(exc).__name__}: {exc})") from None


def read_limited(stream: BinaryIO, limit: int) -> bytes:
    """Read at most ``limit`` bytes, raising FileTooLargeError if there is more."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise _too_large(limit)
    return data


def parse_file(
    path: str | os.PathLike[str], *, limits: Limits = DEFAULT_LIMITS, sport_hint: str | None = None
) -> list[Activity]:
    """Parse an activity file on disk (size checked before reading)."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > limits.max_bytes:
            raise _too_large(limits.max_bytes)
        with p.open("rb") as fh:
            data = read_limited(fh, limits.max_bytes)
    except OSError as exc:
        raise ParseError(f"cannot read file: {exc.strerror or exc}") from None
    return parse_bytes(data, limits=limits, sport_hint=sport_hint)
