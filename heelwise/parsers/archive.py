"""Lazy iteration over Strava and Garmin export archives (zip, zip-in-zip).

One :class:`FileResult` is yielded per member as it is parsed, so an import task can report
progress and memory stays bounded by one member (plus the zip directory). Limits guard against
zip bombs (per-member and total uncompressed bytes, compression ratio, member count, nesting)
and path traversal; a member that breaks a limit gets an error result, never an exception.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Literal

from heelwise.parsers.api import DEFAULT_LIMITS, MB, Limits, format_size, parse_bytes
from heelwise.parsers.errors import FileTooLargeError, ParseError
from heelwise.parsers.models import Activity
from heelwise.parsers.sports import sport_from_text

#: What reading a damaged or exotic zip member can raise (bad CRC, bad deflate data, encryption,
#: unsupported compression such as deflate64, truncation).
ZIP_READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    RuntimeError,
    NotImplementedError,
    OSError,
    EOFError,
    ValueError,
)

ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx", ".fit.gz", ".gpx.gz", ".tcx.gz")
Status = Literal["ok", "skipped", "error"]


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    max_members: int = 50_000
    max_total_bytes: int = 4 * 1024 * MB
    max_ratio: float = 200.0
    max_depth: int = 2
    max_csv_bytes: int = 32 * MB


DEFAULT_ARCHIVE_LIMITS = ArchiveLimits()


@dataclass(frozen=True, slots=True)
class FileResult:
    """The outcome for one file: ``ok`` with its activities, ``skipped`` or ``error``.

    ``name`` is the path shown to users: ``export.zip!activities/123.fit.gz`` inside archives.
    ``reason`` says why a file was skipped or failed; ``error_code`` is the ParseError's code.
    """

    name: str
    status: Status
    activities: tuple[Activity, ...] = ()
    reason: str | None = None
    error_code: str | None = None

    @classmethod
    def failed(cls, name: str, error: ParseError) -> FileResult:
        return cls(name, "error", reason=str(error), error_code=error.code)


def is_activity_name(name: str) -> bool:
    return name.lower().endswith(ACTIVITY_SUFFIXES)


def _unsafe(name: str) -> bool:
    p = PurePosixPath(name.replace("\\", "/"))
    return p.is_absolute() or ".." in p.parts or (len(name) > 1 and name[1] == ":")


def _strava_sport_hints(zf: zipfile.ZipFile, limits: ArchiveLimits) -> dict[str, str]:
    """``activities/123.gpx`` -> sport, from a Strava export's activities.csv (if present)."""
    for info in zf.infolist():
        if PurePosixPath(info.filename).name != "activities.csv":
            continue
        if info.file_size > limits.max_csv_bytes:
            return {}
        try:
            with zf.open(info) as fh:
                text = fh.read(limits.max_csv_bytes + 1).decode("utf-8-sig", "replace")
        except ZIP_READ_ERRORS:
            return {}
        hints: dict[str, str] = {}
        prefix = str(PurePosixPath(info.filename).parent)
        try:
            for row in csv.DictReader(io.StringIO(text)):
                filename, kind = row.get("Filename"), row.get("Activity Type")
                sport = sport_from_text(kind)
                if filename and sport:
                    key = filename if prefix == "." else f"{prefix}/{filename}"
                    hints[key] = sport
        except csv.Error:
            return {}  # hints are a convenience: a malformed CSV just gives none
        return hints
    return {}


class _Budget:
    def __init__(self, limits: ArchiveLimits) -> None:
        self.limits = limits
        self.members = 0
        self.total = 0
        self.shard: tuple[int, int] | None = None
        self.activity_members = 0

    def mine(self) -> bool:
        """Whether this worker parses the next activity member (see ``shard``)."""
        index = self.activity_members
        self.activity_members += 1
        return self.shard is None or index % self.shard[1] == self.shard[0]


def iter_archive(
    source: str | os.PathLike[str] | IO[bytes],
    *,
    name: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    archive_limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
    shard: tuple[int, int] | None = None,
) -> Iterator[FileResult]:
    """Yield one FileResult per member of a zip export (nested zips are walked too).

    Non-activity members (JSON, CSV, photos) are yielded as ``skipped``. A broken archive
    yields a single ``error`` result named after the archive. ``shard=(i, n)`` parses only
    every n-th member starting at i (members of nested zips included), so n worker processes
    can share one archive; limits still count every member.
    """
    label = name or (os.fspath(source) if isinstance(source, str | os.PathLike) else "archive.zip")
    if shard is not None and not 0 <= shard[0] < shard[1]:
        raise ValueError(f"shard must be (index, count) with 0 <= index < count, not {shard}")
    budget = _Budget(archive_limits)
    budget.shard = shard
    yield from _walk(source, label, limits, budget, depth=1)


def _walk(
    source: str | os.PathLike[str] | IO[bytes],
    label: str,
    limits: Limits,
    budget: _Budget,
    depth: int,
) -> Iterator[FileResult]:
    try:
        zf = zipfile.ZipFile(source)
    except ZIP_READ_ERRORS as exc:
        yield FileResult(
            label, "error", reason=f"zip archive unreadable: {exc}", error_code="corrupt"
        )
        return
    with zf:
        hints = _strava_sport_hints(zf, budget.limits)
        for info in zf.infolist():
            if info.is_dir():
                continue
            member = f"{label}!{info.filename}"
            budget.members += 1
            if budget.members > budget.limits.max_members:
                yield FileResult(
                    member,
                    "error",
                    reason=f"archive has more than {budget.limits.max_members} files; stopped",
                    error_code="too_large",
                )
                return
            if _unsafe(info.filename):
                yield FileResult(
                    member, "error", reason="unsafe path in archive", error_code="hostile"
                )
                continue
            lower = info.filename.lower()
            if lower.endswith(".zip"):
                yield from _nested(zf, info, member, limits, budget, depth)
                continue
            if not is_activity_name(lower):
                yield FileResult(member, "skipped", reason="not an activity file")
                continue
            if not budget.mine():
                continue
            yield _member(zf, info, member, limits, budget, hints.get(info.filename))


def _check_sizes(info: zipfile.ZipInfo, budget: _Budget, cap: int) -> str | None:
    if info.file_size > cap:
        return f"file exceeds {format_size(cap)} limit"
    if budget.total + info.file_size > budget.limits.max_total_bytes:
        return f"archive exceeds {format_size(budget.limits.max_total_bytes)} uncompressed in total"
    if info.file_size > MB and info.file_size > budget.limits.max_ratio * max(
        info.compress_size, 1
    ):
        return (
            f"zip bomb suspected: compression ratio above {budget.limits.max_ratio:g}:1 "
            f"({info.file_size} bytes from {info.compress_size})"
        )
    return None


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    """Read one member, enforcing the cap on the bytes actually inflated."""
    with zf.open(info) as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        raise FileTooLargeError(f"file exceeds {format_size(cap)} limit")
    return data


def _member(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    member: str,
    limits: Limits,
    budget: _Budget,
    hint: str | None,
) -> FileResult:
    problem = _check_sizes(info, budget, limits.max_bytes)
    if problem:
        code = "hostile" if problem.startswith("zip bomb") else "too_large"
        return FileResult(member, "error", reason=problem, error_code=code)
    try:
        data = _read_member(zf, info, limits.max_bytes)
    except ParseError as exc:
        return FileResult.failed(member, exc)
    except ZIP_READ_ERRORS as exc:
        return FileResult(
            member, "error", reason=f"zip member unreadable: {exc}", error_code="corrupt"
        )
    budget.total += len(data)
    try:
        activities = parse_bytes(data, limits=limits, sport_hint=hint)
    except ParseError as exc:
        return FileResult.failed(member, exc)
    return FileResult(member, "ok", activities=tuple(activities))


def _nested(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    member: str,
    limits: Limits,
    budget: _Budget,
    depth: int,
) -> Iterator[FileResult]:
    if depth >= budget.limits.max_depth:
        yield FileResult(member, "error", reason="zip nested too deeply", error_code="hostile")
        return
    remaining = budget.limits.max_total_bytes - budget.total
    problem = _check_sizes(info, budget, remaining)
    if problem:
        yield FileResult(member, "error", reason=problem, error_code="too_large")
        return
    # Spool the inner zip (it needs seeking): memory up to 16 MB, then a temporary file.
    with tempfile.SpooledTemporaryFile(max_size=16 * MB) as spool:
        try:
            with zf.open(info) as fh:
                copied = _copy_limited(fh, spool, remaining)
        except ZIP_READ_ERRORS as exc:
            yield FileResult(
                member, "error", reason=f"zip member unreadable: {exc}", error_code="corrupt"
            )
            return
        if copied is None:
            yield FileResult(
                member, "error", reason="archive too large in total", error_code="too_large"
            )
            return
        spool.seek(0)
        yield from _walk(spool, member, limits, budget, depth + 1)


def _copy_limited(src: IO[bytes], dst: IO[bytes], limit: int) -> int | None:
    copied = 0
    while True:
        chunk = src.read(1024 * 1024)
        if not chunk:
            return copied
        copied += len(chunk)
        if copied > limit:
            return None
        dst.write(chunk)


def iter_paths(paths: list[str], *, limits: Limits = DEFAULT_LIMITS) -> Iterator[FileResult]:
    """FileResults for a list of paths: archives are expanded, other files parsed directly."""
    from heelwise.parsers.api import detect_format, parse_file

    for path in paths:
        try:
            with open(path, "rb") as fh:
                head = fh.read(4096)
        except OSError as exc:
            yield FileResult(path, "error", reason=f"cannot read file: {exc.strerror or exc}")
            continue
        try:
            kind = detect_format(head) if head else "empty"
        except ParseError:
            kind = "other"
        if kind == "zip":
            yield from iter_archive(path, limits=limits)
            continue
        try:
            yield FileResult(path, "ok", activities=tuple(parse_file(path, limits=limits)))
        except ParseError as exc:
            yield FileResult.failed(path, exc)


__all__ = [
    "ACTIVITY_SUFFIXES",
    "ArchiveLimits",
    "FileResult",
    "is_activity_name",
    "iter_archive",
    "iter_paths",
]
