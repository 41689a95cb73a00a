"""Storing parsed activity files for a runner: the CLI (`heelwise runs import`) and the
background import task share ``activities_store``. Parsing is the pure ``heelwise.parsers``
package; this module decides duplicates, local dates, run or cross-training, the shoe, and
writes with bulk inserts. A file that fails to parse has no activities, so stores nothing.
"""

from __future__ import annotations

import bisect
import os
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from heelwise.parsers.api import MB, Limits, parse_bytes
from heelwise.parsers.archive import FileResult, is_activity_name, iter_archive
from heelwise.parsers.errors import NoDataError, NotAnActivityError, ParseError
from heelwise.parsers.models import Activity
from heelwise.runlog.models import ImportJob, Run, Shoe
from heelwise.runlog.parallel import archive_results, default_workers
from heelwise.runlog.services import kind_for_sport, local_date_for

BATCH_SIZE = 500
PARALLEL_MIN_MEMBERS = 50
#: Same sport, starts within a minute and durations within 2% (or 60 s): the same activity
#: recorded twice (a watch FIT and a Strava GPX of it).
DUPLICATE_WINDOW_S = 60.0
MAX_UPLOAD_BYTES = 200 * MB
PER_FILE_LIMITS = Limits(max_bytes=50 * MB)
NOT_ACTIVITY_CODES = frozenset({NotAnActivityError.code, NoDataError.code})
SKIP_SPORTS = {"transition": "transition between the legs of a multisport file"}


@dataclass
class _Seen:
    """Existing activities of a runner, per sport, sorted by start timestamp."""

    starts: dict[str, list[tuple[float, float]]] = field(default_factory=dict)

    def add(self, sport: str, start: float, duration: float) -> None:
        bisect.insort(self.starts.setdefault(sport, []), (start, duration))

    def duplicate(self, sport: str, start: float, duration: float) -> bool:
        rows = self.starts.get(sport, [])
        i = bisect.bisect_left(rows, (start - DUPLICATE_WINDOW_S, -1.0))
        while i < len(rows) and rows[i][0] <= start + DUPLICATE_WINDOW_S:
            other = rows[i][1]
            if rows[i][0] == start or abs(other - duration) <= max(60.0, 0.02 * duration):
                return True
            i += 1
        return False


@dataclass
class StoreOutcome:
    rows: list[dict[str, Any]] = field(default_factory=list)
    imported: int = 0
    cross_training: int = 0
    duplicates: int = 0
    skipped: int = 0
    errors: int = 0
    files: int = 0

    @property
    def failed(self) -> bool:
        return self.errors > 0

    def summary(self) -> dict[str, int]:
        return {
            "files": self.files,
            "imported": self.imported,
            "cross_training": self.cross_training,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "errors": self.errors,
        }


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _row(file: str, status: str, activity: Activity | None = None, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"file": file, "status": status}
    if activity is not None:
        row.update(
            sport=activity.sport,
            start=_iso(activity.start),
            distance_m=None if activity.distance_m is None else round(activity.distance_m, 1),
            duration_s=round(activity.duration_s, 1),
        )
        if activity.leg_count > 1:
            row.update(leg=activity.leg_index + 1, legs=activity.leg_count)
    row.update(extra)
    return row


def _load_seen(user: Any) -> _Seen:
    seen = _Seen()
    for sport, start, duration in Run.objects.filter(user=user).values_list(
        "sport", "start", "duration_s"
    ):
        seen.starts.setdefault(sport, []).append((start.timestamp(), duration))
    for rows in seen.starts.values():
        rows.sort()
    return seen


def _run_from(user: Any, activity: Activity, file: str, shoe: Shoe | None, job: Any) -> Run:
    kind = kind_for_sport(activity.sport)
    return Run(
        user=user,
        start=datetime.fromtimestamp(round(activity.start.timestamp()), UTC),
        local_date=local_date_for(activity.start, activity.tz_offset_s),
        tz_offset_s=activity.tz_offset_s,
        sport=activity.sport,
        kind=kind,
        distance_m=activity.distance_m,
        duration_s=activity.duration_s,
        moving_s=activity.moving_s,
        ascent_m=activity.ascent_m,
        avg_hr=activity.avg_hr,
        cadence_spm=activity.avg_cadence_spm,
        shoe=shoe if kind == Run.Kind.RUN else None,
        source=activity.source_format,
        source_file=file[-255:],
        import_job=job,
    )


def activities_store(
    *,
    user: Any,
    results: Iterable[FileResult],
    job: ImportJob | None = None,
    on_file: Callable[[int, list[dict[str, Any]]], None] | None = None,
    show_skipped_members: bool = False,
) -> StoreOutcome:
    """Store every activity in ``results`` for ``user``; return the per-file report.

    Not one transaction: each batch of up to 500 runs is inserted atomically, so progress is
    visible and memory stays bounded. ``on_file(files_done, rows)`` is called after each file
    with that file's report rows (several for a multisport file).
    """
    out = StoreOutcome()
    seen = _load_seen(user)
    shoe = Shoe.objects.filter(user=user, is_default=True, retired=False).first()
    pending: list[Run] = []

    def flush() -> None:
        if pending:
            with transaction.atomic():
                Run.objects.bulk_create(pending, batch_size=BATCH_SIZE, ignore_conflicts=True)
            pending.clear()

    for result in results:
        if result.status == "skipped" and not show_skipped_members:
            out.skipped += 1
            continue
        out.files += 1
        first_row = len(out.rows)
        if result.status != "ok":
            # A well-formed file that holds no activity (Garmin exports are full of settings
            # and monitoring FIT files) is skipped with the parser's reason, not a failure.
            status = "skipped" if result.error_code in NOT_ACTIVITY_CODES else result.status
            out.errors += status == "error"
            out.skipped += status == "skipped"
            row = _row(result.name, status, reason=result.reason, code=result.error_code)
            out.rows.append(row)
        for activity in result.activities:
            row = _store_one(user, activity, result.name, shoe, job, seen, pending, out)
            out.rows.append(row)
        if len(pending) >= BATCH_SIZE:
            flush()
        if on_file is not None:
            on_file(out.files, out.rows[first_row:])
    flush()
    return out


def _store_one(
    user: Any,
    activity: Activity,
    file: str,
    shoe: Shoe | None,
    job: Any,
    seen: _Seen,
    pending: list[Run],
    out: StoreOutcome,
) -> dict[str, Any]:
    if activity.sport in SKIP_SPORTS:
        out.skipped += 1
        return _row(file, "skipped", activity, reason=SKIP_SPORTS[activity.sport])
    start = float(round(activity.start.timestamp()))
    if seen.duplicate(activity.sport, start, activity.duration_s):
        out.duplicates += 1
        return _row(
            file, "duplicate", activity, reason="already in your log (same sport and start)"
        )
    seen.add(activity.sport, start, activity.duration_s)
    run = _run_from(user, activity, file, shoe, job)
    pending.append(run)
    if run.kind == Run.Kind.RUN:
        out.imported += 1
        return _row(file, "imported", activity, local_date=run.local_date.isoformat())
    out.cross_training += 1
    return _row(
        file,
        "cross_training",
        activity,
        local_date=run.local_date.isoformat(),
        reason=f"{activity.sport.replace('_', ' ')} kept as cross-training",
    )


# --- Uploads and the background job ------------------------------------------------------------


def _is_zip(fh: IO[bytes]) -> bool:
    head = fh.read(4)
    fh.seek(0)
    return head in (b"PK\x03\x04", b"PK\x05\x06")


def count_activity_members(fh: IO[bytes]) -> int:
    try:
        with zipfile.ZipFile(fh) as zf:
            return sum(1 for n in zf.namelist() if is_activity_name(n)) or 1
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return 1
    finally:
        fh.seek(0)


def results_for_stream(fh: IO[bytes], name: str) -> Iterator[FileResult]:
    """FileResults for one uploaded file: an export archive is expanded lazily."""
    if _is_zip(fh):
        yield from iter_archive(fh, name=name, limits=PER_FILE_LIMITS)
        return
    data = fh.read(PER_FILE_LIMITS.max_bytes + 1)
    try:
        activities = parse_bytes(data, limits=PER_FILE_LIMITS)
    except ParseError as exc:
        yield FileResult.failed(name, exc)
        return
    yield FileResult(name, "ok", activities=tuple(activities))


def import_workers(activity_members: int) -> int:
    """Processes that parse an archive: one for small ones, else RUNLOG_IMPORT_WORKERS
    (default: up to 2, the cores of the reference host)."""
    if activity_members < PARALLEL_MIN_MEMBERS:
        return 1
    configured = getattr(settings, "RUNLOG_IMPORT_WORKERS", None)
    return int(configured) if configured else default_workers()


def _local_path(storage_name: str) -> str | None:
    """The upload's file on local disk, if the storage keeps one (worker processes open it)."""
    try:
        path = str(default_storage.path(storage_name))
    except NotImplementedError:
        return None
    return path if os.path.isfile(path) else None  # in-memory storage names a path, has no file


def import_job_process(*, job_id: int) -> ImportJob:
    """Run one queued import job (called by the background task)."""
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if job.finished:
        return job
    try:
        with default_storage.open(job.storage_name, "rb") as fh:
            is_zip = _is_zip(fh)
            total = count_activity_members(fh) if is_zip else 1
            ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, total=total)
            last = [time.monotonic()]

            def progress(done: int, _rows: list[dict[str, Any]]) -> None:
                now = time.monotonic()
                if now - last[0] >= 0.5:
                    last[0] = now
                    ImportJob.objects.filter(pk=job.pk).update(done=min(done, total))

            path = _local_path(job.storage_name) if is_zip else None
            results = (
                archive_results(
                    path,
                    name=job.upload_name,
                    limits=PER_FILE_LIMITS,
                    workers=import_workers(total),
                )
                if path
                else results_for_stream(fh, job.upload_name)
            )
            outcome = activities_store(user=job.user, results=results, job=job, on_file=progress)
        job.status = ImportJob.Status.DONE
        job.done = job.total = total
        rows = sorted(outcome.rows, key=lambda r: (r["file"], r.get("leg", 0)))
        job.report = {"summary": outcome.summary(), "rows": rows}
    except Exception as exc:  # a bug or lost storage: the runner sees a failed job, not a hang
        job.status = ImportJob.Status.FAILED
        job.error = f"The import stopped unexpectedly ({type(exc).__name__})."
        raise
    finally:
        job.finished_at = timezone.now()
        job.save()
        default_storage.delete(job.storage_name)
    return job


@transaction.atomic
def import_job_create(*, user: Any, upload: Any) -> ImportJob:
    """Keep the upload in storage and queue its import; the task starts after commit."""
    from heelwise.runlog.tasks import import_job_run

    if upload.size > MAX_UPLOAD_BYTES:
        raise ValueError(f"uploads are limited to {MAX_UPLOAD_BYTES // MB} MB")
    storage_name = default_storage.save(f"runlog-imports/{user.pk}/upload", upload)
    job = ImportJob.objects.create(
        user=user, upload_name=str(upload.name)[-255:], storage_name=storage_name
    )
    transaction.on_commit(lambda: import_job_run.enqueue(job.pk))
    return job
