"""Storing parsed activity files for a runner: the CLI (`heelwise runs import`) and the
background import task share ``activities_store``. Parsing is the pure ``heelwise.parsers``
package; this module decides duplicates, local dates, run or cross-training, the shoe, and
writes with bulk inserts. A file that fails to parse has no activities, so stores nothing; an
activity dated in the future or before 1990, or whose distance is impossible in its time (the
limits of ``heelwise.runlog.plausibility``, the same as for a typed-in run), is rejected.

An upload is held in the database (``ImportChunk`` rows of up to 2 MB) from the web request
until its job ends, so any task worker on any host can import it: no disk is shared.
"""

from __future__ import annotations

import bisect
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from heelwise.parsers.api import MB, Limits, parse_bytes
from heelwise.parsers.archive import FileResult, is_activity_name, iter_archive
from heelwise.parsers.errors import NoDataError, NotAnActivityError, ParseError
from heelwise.parsers.models import Activity
from heelwise.runlog.import_reasons import plain_reason
from heelwise.runlog.models import ImportChunk, ImportJob, Run, Shoe
from heelwise.runlog.parallel import archive_results, default_workers
from heelwise.runlog.plausibility import EARLIEST_DATE, imported_speed_problem
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
#: Rows of an upload held in the database: small enough to keep memory bounded on both ends.
CHUNK_BYTES = 2 * MB
#: A running job that has shown no progress this long lost its worker; a queued one this long
#: was never picked up. Housekeeping fails both and deletes their stored upload.
STALE_RUNNING = timedelta(minutes=15)
STALE_QUEUED = timedelta(hours=6)
STOPPED_MESSAGE = "The import stopped; please upload the file again."
NO_ACTIVITY_FILES = "No activity files (FIT, GPX, TCX) were found in this archive."


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
    rejected: int = 0
    files: int = 0

    @property
    def failed(self) -> bool:
        return self.errors > 0 or self.rejected > 0

    def summary(self) -> dict[str, int]:
        return {
            "files": self.files,
            "imported": self.imported,
            "cross_training": self.cross_training,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "errors": self.errors,
            "rejected": self.rejected,
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
            local_date=local_date_for(activity.start, activity.tz_offset_s).isoformat(),
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
    now: datetime | None = None,
) -> StoreOutcome:
    """Store every activity in ``results`` for ``user``; return the per-file report.

    Not one transaction: each batch of up to 500 runs is inserted atomically, so progress is
    visible and memory stays bounded. ``on_file(files_done, rows)`` is called after each file
    with that file's report rows (several for a multisport file). An activity starting after
    ``now`` (default: the current time) or dated before 1990, or faster on average than is
    possible for its sport, is rejected, not stored.
    """
    out = StoreOutcome()
    now = now or timezone.now()
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
            row = _row(
                result.name,
                status,
                reason=plain_reason(result.error_code),
                detail=result.reason or "",
                code=result.error_code,
            )
            out.rows.append(row)
        for activity in result.activities:
            row = _store_one(user, activity, result.name, shoe, job, seen, pending, out, now)
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
    now: datetime,
) -> dict[str, Any]:
    if activity.sport in SKIP_SPORTS:
        out.skipped += 1
        return _row(file, "skipped", activity, reason=SKIP_SPORTS[activity.sport])
    problem = _date_problem(activity, now) or imported_speed_problem(
        sport=activity.sport, distance_m=activity.distance_m, duration_s=activity.duration_s
    )
    if problem:
        out.rejected += 1
        return _row(file, "rejected", activity, reason=problem)
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
        return _row(file, "imported", activity)
    out.cross_training += 1
    return _row(
        file,
        "cross_training",
        activity,
        reason=f"{activity.sport.replace('_', ' ')} kept as cross-training",
    )


def _date_problem(activity: Activity, now: datetime) -> str | None:
    """Why the activity's date cannot be true (the device's clock was wrong), else None."""
    day = local_date_for(activity.start, activity.tz_offset_s)
    if activity.start > now:
        return (
            f"Dated {day:%-d %B %Y}, which is in the future: the device's clock was probably "
            "wrong. Not stored."
        )
    if day < EARLIEST_DATE:
        return (
            f"Dated {day:%-d %B %Y}, before {EARLIEST_DATE:%Y}: the device's clock was probably "
            "not set. Not stored."
        )
    return None


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


class UploadMissingError(Exception):
    """The upload's stored bytes are gone (the job went stale, or the runner was erased)."""


def _upload_write(job: ImportJob, upload: Any) -> None:
    """Store ``upload`` as ``ImportChunk`` rows of up to ``CHUNK_BYTES`` each."""
    upload.seek(0)
    index = 0
    while data := upload.read(CHUNK_BYTES):
        ImportChunk.objects.create(job=job, index=index, data=data)
        index += 1


def _upload_copy(job: ImportJob, dst: IO[bytes]) -> None:
    """Write the job's stored upload to ``dst``, one chunk in memory at a time."""
    chunks = ImportChunk.objects.filter(job_id=job.pk)
    indexes = list(chunks.order_by("index").values_list("index", flat=True))
    if not indexes or indexes != list(range(len(indexes))):
        raise UploadMissingError
    size = 0
    for index in indexes:
        data = chunks.filter(index=index).values_list("data", flat=True).first()
        if data is None:
            raise UploadMissingError
        size += dst.write(data)
    if size != job.upload_bytes:
        raise UploadMissingError


def _beat(job_id: int, **fields: Any) -> None:
    ImportJob.objects.filter(pk=job_id).update(heartbeat_at=timezone.now(), **fields)


def import_job_process(*, job_id: int) -> ImportJob | None:
    """Run one queued import job (called by the background task). The job is claimed with a
    conditional update, so a task delivered twice, or to two hosts, imports once."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, heartbeat_at=timezone.now()
    )
    job = ImportJob.objects.select_related("user").filter(pk=job_id).first()
    if not claimed or job is None:
        return job  # finished, failed as stale, taken by another worker, or erased
    job.status = ImportJob.Status.RUNNING
    try:
        # A local copy that only this worker and its parsing processes use: the zip reader
        # needs to seek, and spawned processes open it by name.
        with tempfile.NamedTemporaryFile(prefix="heelwise-import-") as fh:
            _upload_copy(job, fh)
            fh.flush()
            fh.seek(0)
            is_zip = _is_zip(fh)
            total = count_activity_members(fh) if is_zip else 1
            _beat(job.pk, total=total)
            last = [time.monotonic()]

            def progress(done: int, _rows: list[dict[str, Any]]) -> None:
                now = time.monotonic()
                if now - last[0] >= 0.5:
                    last[0] = now
                    _beat(job.pk, done=min(done, total))

            results = (
                archive_results(
                    fh.name,
                    name=job.upload_name,
                    limits=PER_FILE_LIMITS,
                    workers=import_workers(total),
                )
                if is_zip
                else results_for_stream(fh, job.upload_name)
            )
            outcome = activities_store(user=job.user, results=results, job=job, on_file=progress)
        job.status = ImportJob.Status.DONE
        job.done = job.total = total
        rows = sorted(outcome.rows, key=lambda r: (r["file"], r.get("leg", 0)))
        job.report = {"summary": outcome.summary(), "rows": rows}
        if is_zip and outcome.files == 0:
            job.report["message"] = NO_ACTIVITY_FILES
    except UploadMissingError:
        job.status = ImportJob.Status.FAILED
        job.error = STOPPED_MESSAGE
    except Exception as exc:  # a bug or a lost database: the runner sees a failed job, not a hang
        job.status = ImportJob.Status.FAILED
        job.error = f"The import stopped unexpectedly ({type(exc).__name__}). {STOPPED_MESSAGE}"
        raise
    finally:
        job.finished_at = timezone.now()
        ImportJob.objects.filter(pk=job.pk).update(
            status=job.status,
            done=job.done,
            total=job.total,
            report=job.report,
            error=job.error,
            finished_at=job.finished_at,
            heartbeat_at=job.finished_at,
        )
        ImportChunk.objects.filter(job_id=job.pk).delete()
    return job


@transaction.atomic
def import_job_create(*, user: Any, upload: Any) -> ImportJob:
    """Hold the upload in the database and queue its import; the task starts after commit."""
    from heelwise.runlog.tasks import import_job_run

    if upload.size > MAX_UPLOAD_BYTES:
        raise ValueError(f"uploads are limited to {MAX_UPLOAD_BYTES // MB} MB")
    job = ImportJob.objects.create(
        user=user, upload_name=str(upload.name)[-255:], upload_bytes=upload.size
    )
    _upload_write(job, upload)
    transaction.on_commit(lambda: import_job_run.enqueue(job.pk))
    return job


def import_job_fail_stale(*, now: datetime) -> int:
    """Fail the jobs whose worker died (running, no progress for ``STALE_RUNNING``) or that no
    worker took (queued for ``STALE_QUEUED``), and delete every finished job's stored upload.
    Idempotent and safe on several machines at once (conditional updates). Returns how many
    jobs were failed."""
    running = Q(status=ImportJob.Status.RUNNING, heartbeat_at__lt=now - STALE_RUNNING)
    queued = Q(status=ImportJob.Status.QUEUED, heartbeat_at__lt=now - STALE_QUEUED)
    failed = ImportJob.objects.filter(running | queued).update(
        status=ImportJob.Status.FAILED, error=STOPPED_MESSAGE, finished_at=now, heartbeat_at=now
    )
    ImportChunk.objects.filter(
        job__status__in=[ImportJob.Status.DONE, ImportJob.Status.FAILED]
    ).delete()
    return failed
