from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from heelwise.parsers.archive import iter_archive, iter_paths
from heelwise.runlog import cli_import
from heelwise.runlog.importing import PER_FILE_LIMITS, activities_store, import_job_create
from heelwise.runlog.models import ImportChunk, ImportJob, Run
from heelwise.runlog.services import local_date_for, shoe_save
from heelwise.runlog.tests.builders import FIT_DIR, FIT_INVALID_DIR, demo_archive, gpx_run

pytestmark = pytest.mark.django_db


def _store(user: Any, data: bytes, name: str = "export.zip") -> Any:
    return activities_store(user=user, results=iter_archive(io.BytesIO(data), name=name))


class LocalDateTests:
    def test_it_uses_the_file_offset_across_midnight(self) -> None:
        start = datetime(2017, 6, 11, 2, 0, tzinfo=UTC)  # 19:00 the day before in UTC-7
        assert local_date_for(start, -25200) == date(2017, 6, 10)

    def test_it_falls_back_to_uk_time_across_bst(self) -> None:
        start = datetime(2025, 6, 30, 23, 30, tzinfo=UTC)  # 00:30 BST on 1 July
        assert local_date_for(start, None) == date(2025, 7, 1)
        winter = datetime(2025, 1, 31, 23, 30, tzinfo=UTC)  # GMT: still 31 January
        assert local_date_for(winter, None) == date(2025, 1, 31)

    def test_it_ignores_an_impossible_offset(self) -> None:
        start = datetime(2025, 1, 31, 23, 30, tzinfo=UTC)
        assert local_date_for(start, 20 * 3600) == date(2025, 1, 31)


class ArchiveImportTests:
    def test_it_imports_runs_keeps_cross_training_and_reports_each_file(self, alice: Any) -> None:
        shoe = shoe_save(user=alice, name="Ghost", is_default=True)
        out = _store(alice, demo_archive())
        by_file: dict[str, list[dict[str, Any]]] = {}
        for row in out.rows:
            by_file.setdefault(row["file"].split("!")[1], []).append(row)
        assert [r["status"] for r in by_file["activities/1001.fit.gz"]] == ["imported"]
        assert by_file["activities/1002.gpx"][0]["status"] == "imported"
        assert by_file["activities/1003.fit"][0]["status"] == "cross_training"
        assert by_file["activities/1004.fit"][0]["status"] == "duplicate"
        legs = [r["status"] for r in by_file["activities/1005.fit"]]
        assert legs.count("skipped") == 3  # transitions
        assert legs.count("imported") == 2 and legs.count("cross_training") == 2
        err = by_file["activities/1006.fit"][0]
        assert err["status"] == "error" and "CRC" in err["detail"]  # technical, for "details"
        assert err["reason"].startswith("This file is damaged")  # plain language first
        assert out.summary() == {
            "files": 6, "imported": 4, "cross_training": 3, "duplicates": 1,
            "skipped": 5, "errors": 1, "rejected": 0,
        }  # fmt: skip
        runs = Run.objects.filter(user=alice)
        assert runs.count() == 7
        assert set(runs.filter(kind="run").values_list("shoe", flat=True)) == {shoe.pk}
        assert not runs.filter(kind="cross_training", shoe__isnull=False).exists()
        fenix = runs.get(source_file__endswith="1001.fit.gz")
        assert fenix.local_date == date(2017, 6, 11) and fenix.tz_offset_s == -25200
        assert fenix.distance_m == pytest.approx(157.6, abs=0.1)

    def test_it_skips_everything_on_a_second_import(self, alice: Any) -> None:
        _store(alice, demo_archive())
        again = _store(alice, demo_archive())
        assert again.imported == 0 and again.cross_training == 0 and again.duplicates == 8
        assert Run.objects.filter(user=alice).count() == 7

    def test_it_treats_the_same_activity_from_another_app_as_a_duplicate(self, alice: Any) -> None:
        start = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
        first = activities_store(user=alice, results=iter_archive(io.BytesIO(b""), name="x"))
        assert first.errors == 1  # an empty upload is an error, not a crash
        from heelwise.parsers.api import parse_bytes
        from heelwise.parsers.archive import FileResult

        a = parse_bytes(gpx_run(start))
        b = parse_bytes(gpx_run(start + timedelta(seconds=20)))  # the watch started 20 s later
        out = activities_store(
            user=alice,
            results=[
                FileResult("watch.gpx", "ok", tuple(a)),
                FileResult("app.gpx", "ok", tuple(b)),
            ],
        )
        assert [r["status"] for r in out.rows] == ["imported", "duplicate"]

    def test_it_keeps_other_runners_data_apart(self, alice: Any, charlie: Any) -> None:
        _store(alice, demo_archive())
        out = _store(charlie, demo_archive())
        assert out.imported == 4 and out.duplicates == 1


class BrokenFileTests:
    # The files broken at the byte level (CRC, header, no data, early end). Whether the
    # developer-data file counts as broken is the parsers' call (heelwise/parsers/tests).
    BROKEN = sorted(p for p in FIT_INVALID_DIR.glob("*.fit") if not p.name.startswith("elemnt"))

    @pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.name)
    def test_it_stores_nothing_for_a_broken_file(self, alice: Any, path: Path) -> None:
        out = activities_store(user=alice, results=iter_paths([str(path)]))
        assert out.errors == 1 and out.rows[0]["reason"]
        assert not Run.objects.filter(user=alice).exists()

    def test_it_refuses_an_xml_entity_bomb(self, alice: Any, tmp_path: Path) -> None:
        bomb = tmp_path / "bomb.gpx"
        bomb.write_text(
            '<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><gpx>&b;</gpx>'
        )
        out = activities_store(user=alice, results=iter_paths([str(bomb)]))
        assert out.errors == 1 and out.rows[0]["code"] == "hostile"
        assert not Run.objects.exists()


class ImportJobTests:
    def test_it_imports_an_upload_in_the_background_with_a_report(
        self, alice: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        upload = SimpleUploadedFile("export.zip", demo_archive(), "application/zip")
        with django_capture_on_commit_callbacks(execute=True):
            job = import_job_create(user=alice, upload=upload)
        job.refresh_from_db()
        assert job.status == ImportJob.Status.DONE and job.percent == 100
        assert job.total == 6 and job.done == 6
        assert job.report["summary"]["imported"] == 4
        assert job.report["rows"][0]["file"].startswith("export.zip!activities/")

    def test_it_imports_a_single_file(
        self, alice: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        upload = SimpleUploadedFile("run.gpx", gpx_run(datetime(2025, 3, 1, 8, tzinfo=UTC)))
        with django_capture_on_commit_callbacks(execute=True):
            job = import_job_create(user=alice, upload=upload)
        job.refresh_from_db()
        assert job.report["summary"]["imported"] == 1
        run = Run.objects.get(user=alice)
        assert run.source == "gpx" and run.distance_m == pytest.approx(5000, rel=0.01)


class ParallelImportTests:
    def test_two_workers_store_the_same_as_one(
        self, alice: Any, charlie: Any, tmp_path: Path
    ) -> None:
        from heelwise.runlog.parallel import archive_results

        archive = tmp_path / "export.zip"
        archive.write_bytes(demo_archive())
        one = activities_store(
            user=alice,
            results=archive_results(str(archive), name="e.zip", limits=PER_FILE_LIMITS, workers=1),
        )
        two = activities_store(
            user=charlie,
            results=archive_results(str(archive), name="e.zip", limits=PER_FILE_LIMITS, workers=2),
        )
        assert one.summary() == two.summary()

        def statuses(rows: list[dict[str, Any]]) -> dict[tuple[str, int], str]:
            # 1001 and 1004 hold the same run: whichever shard delivers it first is imported.
            same = {"e.zip!activities/1001.fit.gz", "e.zip!activities/1004.fit"}
            return {
                (r["file"], r.get("leg", 0)): "one of a pair" if r["file"] in same else r["status"]
                for r in rows
            }

        assert statuses(one.rows) == statuses(two.rows)
        pair = sorted(
            r["status"] for r in two.rows if r["file"].endswith(("1001.fit.gz", "1004.fit"))
        )
        assert pair == ["duplicate", "imported"]

    def test_the_background_job_parses_a_big_archive_in_two_processes(
        self,
        alice: Any,
        settings: Any,
        monkeypatch: Any,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        from heelwise.runlog import importing

        settings.RUNLOG_IMPORT_WORKERS = 2
        monkeypatch.setattr(importing, "PARALLEL_MIN_MEMBERS", 1)
        calls: list[int | None] = []
        real = importing.archive_results

        def spy(*args: Any, **kwargs: Any) -> Any:
            calls.append(kwargs.get("workers"))
            return real(*args, **kwargs)

        monkeypatch.setattr(importing, "archive_results", spy)
        upload = SimpleUploadedFile("export.zip", demo_archive(), "application/zip")
        with django_capture_on_commit_callbacks(execute=True):
            job = import_job_create(user=alice, upload=upload)
        job.refresh_from_db()
        assert calls == [2]
        assert job.status == ImportJob.Status.DONE and job.report["summary"]["imported"] == 4
        files = [r["file"] for r in job.report["rows"]]
        assert files == sorted(files)
        assert not ImportChunk.objects.exists()  # the stored upload is removed afterwards


class CliImportTests:
    def _run(self, argv: list[str], capsys: Any) -> tuple[int, list[dict[str, Any]], str]:
        import argparse

        parser = argparse.ArgumentParser()
        cli_import.add_arguments(parser)
        code = cli_import.run(parser.parse_args(argv))
        out, err = capsys.readouterr()
        return code, [json.loads(line) for line in out.splitlines()], err

    def test_it_imports_and_reports_one_line_per_activity(
        self, alice: Any, capsys: Any, tmp_path: Path
    ) -> None:
        archive = tmp_path / "export.zip"
        archive.write_bytes(demo_archive())
        run = str(FIT_DIR / "garmin-fenix-5-run.fit")
        code, lines, _ = self._run(["--user", "ALICE@example.com", str(archive), run], capsys)
        assert code == 1  # the archive holds a broken file
        assert lines[-1]["summary"]["imported"] == 4
        assert lines[-2] == {
            "file": run, "status": "duplicate", "sport": "running", "start": "2017-06-11T14:34:09Z",
            "distance_m": 157.6, "duration_s": 56.9, "local_date": "2017-06-11",
            "reason": "already in your log (same sport and start)",
        }  # fmt: skip

    def test_it_exits_0_when_all_is_fine(self, alice: Any, capsys: Any) -> None:
        code, lines, _ = self._run(
            ["--user", alice.email, str(FIT_DIR / "garmin-fenix-5-run.fit")], capsys
        )
        assert code == 0 and lines[0]["status"] == "imported"

    def test_it_skips_files_that_are_not_activities_without_failing(
        self, alice: Any, capsys: Any
    ) -> None:
        code, lines, _ = self._run(
            [
                "--user",
                alice.email,
                str(FIT_DIR / "Settings.fit"),
                str(FIT_DIR / "MonitoringFile.fit"),
            ],
            capsys,
        )
        assert code == 0
        assert [line.get("status") for line in lines[:-1]] == ["skipped", "skipped"]
        assert "not an activity" in lines[0]["detail"]
        assert (
            lines[0]["reason"]
            == "This file holds no activity (for example watch settings or a route)."
        )

    def test_it_exits_2_for_an_unknown_user(self, db: None, capsys: Any) -> None:
        code, lines, err = self._run(["--user", "nobody@example.com", "x.fit"], capsys)
        assert code == 2 and lines == [] and "no user" in err and "Traceback" not in err


class UploadInDatabaseTests:
    """The upload is held in the database, so a worker on another host can import it."""

    def _queue(self, user: Any, data: bytes, name: str = "export.zip") -> ImportJob:
        return import_job_create(user=user, upload=SimpleUploadedFile(name, data))

    def test_it_holds_the_upload_in_the_database_in_bounded_chunks(
        self, alice: Any, monkeypatch: Any
    ) -> None:
        from heelwise.runlog import importing

        monkeypatch.setattr(importing, "CHUNK_BYTES", 4096)
        data = demo_archive()
        job = self._queue(alice, data)  # the task is not run: on_commit never fires here
        chunks = list(ImportChunk.objects.filter(job=job).order_by("index"))
        assert len(chunks) == -(-len(data) // 4096) > 1
        assert all(len(bytes(c.data)) <= 4096 for c in chunks)
        assert b"".join(bytes(c.data) for c in chunks) == data
        assert job.upload_bytes == len(data)

    def test_a_worker_imports_from_the_database_and_deletes_the_upload(
        self, alice: Any, monkeypatch: Any
    ) -> None:
        from heelwise.runlog import importing

        monkeypatch.setattr(importing, "CHUNK_BYTES", 4096)
        job = self._queue(alice, demo_archive())
        done = importing.import_job_process(job_id=job.pk)
        assert done is not None and done.status == ImportJob.Status.DONE
        job.refresh_from_db()
        assert job.status == ImportJob.Status.DONE and job.report["summary"]["imported"] == 4
        assert not ImportChunk.objects.filter(job=job).exists()

    def test_a_job_runs_once_when_its_task_is_delivered_twice(self, alice: Any) -> None:
        from heelwise.runlog.importing import import_job_process

        job = self._queue(alice, demo_archive())
        import_job_process(job_id=job.pk)
        again = import_job_process(job_id=job.pk)
        assert again is not None and again.status == ImportJob.Status.DONE
        assert Run.objects.filter(user=alice).count() == 7

    def test_a_failed_import_deletes_the_upload_and_asks_for_it_again(
        self, alice: Any, monkeypatch: Any
    ) -> None:
        from heelwise.runlog import importing

        def broken(**_kwargs: Any) -> None:
            raise RuntimeError("database went away")

        monkeypatch.setattr(importing, "activities_store", broken)
        job = self._queue(alice, demo_archive())
        with pytest.raises(RuntimeError):
            importing.import_job_process(job_id=job.pk)
        job.refresh_from_db()
        assert job.status == ImportJob.Status.FAILED
        assert job.error.endswith("please upload the file again.")
        assert not ImportChunk.objects.filter(job=job).exists()

    def test_a_job_whose_upload_is_gone_fails_with_a_clear_message(self, alice: Any) -> None:
        from heelwise.runlog.importing import STOPPED_MESSAGE, import_job_process

        job = self._queue(alice, demo_archive())
        ImportChunk.objects.filter(job=job).delete()
        import_job_process(job_id=job.pk)
        job.refresh_from_db()
        assert job.status == ImportJob.Status.FAILED and job.error == STOPPED_MESSAGE

    def test_erasure_deletes_an_upload_waiting_for_its_import(self, alice: Any) -> None:
        from heelwise.runlog.services import runlog_erase

        self._queue(alice, demo_archive())
        assert ImportChunk.objects.exists()
        runlog_erase(alice)
        assert not ImportChunk.objects.exists() and not ImportJob.objects.exists()


class StaleImportJobTests:
    def _job(self, user: Any, status: str, silent_for: timedelta) -> ImportJob:
        from django.utils import timezone

        job = import_job_create(user=user, upload=SimpleUploadedFile("run.gpx", b"<gpx/>"))
        ImportJob.objects.filter(pk=job.pk).update(
            status=status, heartbeat_at=timezone.now() - silent_for
        )
        return job

    def test_housekeeping_fails_a_job_whose_worker_died_and_deletes_its_upload(
        self, alice: Any
    ) -> None:
        from django.core.management import call_command

        from heelwise.runlog.importing import STOPPED_MESSAGE

        dead = self._job(alice, ImportJob.Status.RUNNING, timedelta(minutes=20))
        forgotten = self._job(alice, ImportJob.Status.QUEUED, timedelta(hours=7))
        working = self._job(alice, ImportJob.Status.RUNNING, timedelta(minutes=1))
        waiting = self._job(alice, ImportJob.Status.QUEUED, timedelta(minutes=20))
        call_command("housekeeping", stdout=io.StringIO())
        for job in (dead, forgotten):
            job.refresh_from_db()
            assert job.status == ImportJob.Status.FAILED and job.error == STOPPED_MESSAGE
            assert job.finished_at is not None
            assert not ImportChunk.objects.filter(job=job).exists()
        for job in (working, waiting):
            job.refresh_from_db()
            assert not job.finished and ImportChunk.objects.filter(job=job).exists()

    def test_a_stale_job_is_not_run_if_its_task_turns_up_later(self, alice: Any) -> None:
        from django.utils import timezone

        from heelwise.runlog.importing import import_job_fail_stale, import_job_process

        job = self._job(alice, ImportJob.Status.QUEUED, timedelta(hours=7))
        assert import_job_fail_stale(now=timezone.now()) == 1
        import_job_process(job_id=job.pk)
        job.refresh_from_db()
        assert job.status == ImportJob.Status.FAILED


class ImpossibleDateTests:
    def test_it_rejects_activities_dated_in_the_future_or_before_1990(self, alice: Any) -> None:
        from heelwise.parsers.api import parse_bytes

        def result(name: str, start: datetime) -> Any:
            from heelwise.parsers.archive import FileResult

            return FileResult(name, "ok", activities=tuple(parse_bytes(gpx_run(start))))

        out = activities_store(
            user=alice,
            results=[
                result("future.gpx", datetime(2100, 6, 1, 8, tzinfo=UTC)),
                result("old.gpx", datetime(1985, 6, 1, 8, tzinfo=UTC)),
                result("fine.gpx", datetime(2025, 6, 1, 8, tzinfo=UTC)),
            ],
            now=datetime(2026, 1, 1, tzinfo=UTC),
        )
        rows = {r["file"]: r for r in out.rows}
        assert rows["future.gpx"]["status"] == "rejected"
        assert "1 June 2100, which is in the future" in rows["future.gpx"]["reason"]
        assert rows["old.gpx"]["status"] == "rejected"
        assert "1 June 1985, before 1990" in rows["old.gpx"]["reason"]
        assert rows["fine.gpx"]["status"] == "imported"
        assert out.rejected == 2 and out.failed
        assert list(Run.objects.filter(user=alice).values_list("local_date", flat=True)) == [
            date(2025, 6, 1)
        ]


class ImportReportTests:
    def test_an_archive_without_activity_files_says_so(
        self, alice: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        import zipfile

        from heelwise.runlog.importing import NO_ACTIVITY_FILES

        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("readme.txt", "hello")
        upload = SimpleUploadedFile("bad.zip", buf.getvalue())
        with django_capture_on_commit_callbacks(execute=True):
            job = import_job_create(user=alice, upload=upload)
        job.refresh_from_db()
        assert job.report["message"] == NO_ACTIVITY_FILES

    @pytest.mark.parametrize(
        ("fixture", "plain"),
        [
            ("activity-unexpected-eof.fit", "This file looks incomplete"),
            ("activity-settings-corruptheader.fit", "This file is damaged"),
            ("activity-filecrc.fit", "This file is damaged"),
        ],
    )
    def test_a_parser_error_reaches_the_runner_in_plain_language(
        self, alice: Any, fixture: str, plain: str
    ) -> None:
        out = activities_store(
            user=alice,
            results=iter_paths([str(FIT_INVALID_DIR / fixture)], limits=PER_FILE_LIMITS),
        )
        (row,) = out.rows
        assert row["reason"].startswith(plain)
        assert row["detail"] and row["detail"] != row["reason"]  # the parser's own words


def _two_point_gpx(start: datetime, *, km_north: float, seconds: int) -> bytes:
    """A GPX "run" of two points ``km_north`` apart ``seconds`` apart."""
    lat2 = 51.5 + km_north * 1000 / 111_195.0
    t1 = start.strftime("%Y-%m-%dT%H:%M:%SZ")
    t2 = (start + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        '<?xml version="1.0"?><gpx version="1.1" creator="t" '
        'xmlns="http://www.topografix.com/GPX/1/1"><trk><type>running</type><trkseg>'
        f'<trkpt lat="51.5" lon="-0.12"><time>{t1}</time></trkpt>'
        f'<trkpt lat="{lat2:.6f}" lon="-0.12"><time>{t2}</time></trkpt>'
        "</trkseg></trk></gpx>"
    ).encode()


def _glitched_gpx(start: datetime) -> bytes:
    """A real-looking 30-minute run at 6:00 min/km with one point thrown 2 km off and back."""
    lines = gpx_run(start).decode().splitlines()
    i = len(lines) // 2
    lines[i] = lines[i].replace('lon="-0.12', 'lon="-0.09', 1)
    return "\n".join(lines).encode()


class ImpossibleSpeedTests:
    def _result(self, name: str, data: bytes) -> Any:
        from heelwise.parsers.api import parse_bytes
        from heelwise.parsers.archive import FileResult

        return FileResult(name, "ok", activities=tuple(parse_bytes(data)))

    def test_it_rejects_an_activity_no_one_could_cover_in_its_time(self, alice: Any) -> None:
        start = datetime(2025, 6, 1, 8, tzinfo=UTC)
        out = activities_store(
            user=alice,
            results=[
                self._result("teleport.gpx", _two_point_gpx(start, km_north=1181.8, seconds=60)),
                self._result("fine.gpx", gpx_run(start + timedelta(days=1))),
            ],
        )
        rows = {r["file"]: r for r in out.rows}
        assert rows["teleport.gpx"]["status"] == "rejected"
        reason = rows["teleport.gpx"]["reason"]
        assert reason.startswith("1181.8 km in 1 min is 70,908 km/h, faster than is possible")
        assert reason.endswith("the file's distance or GPS track is probably wrong. Not stored.")
        assert rows["fine.gpx"]["status"] == "imported"
        assert out.rejected == 1 and out.imported == 1 and out.failed
        assert out.summary()["rejected"] == 1
        assert list(Run.objects.filter(user=alice).values_list("source_file", flat=True)) == [
            "fine.gpx"
        ]

    def test_a_gps_glitch_inside_a_real_run_does_not_reject_it(self, alice: Any) -> None:
        data = _glitched_gpx(datetime(2025, 6, 1, 8, tzinfo=UTC))
        out = activities_store(user=alice, results=[self._result("glitch.gpx", data)])
        assert [r["status"] for r in out.rows] == ["imported"]
        assert out.rows[0]["distance_m"] > 7000  # the jump is in the distance, yet believable

    def test_more_than_a_kilometre_in_no_time_is_rejected(self, alice: Any) -> None:
        start = datetime(2025, 6, 1, 8, tzinfo=UTC)
        data = _two_point_gpx(start, km_north=20, seconds=0)
        out = activities_store(user=alice, results=[self._result("same-time.gpx", data)])
        assert out.rows[0]["status"] == "rejected" and "no time" in out.rows[0]["reason"]
        assert not Run.objects.filter(user=alice).exists()

    def test_the_cli_reports_the_rejection_and_exits_1(
        self, alice: Any, capsys: Any, tmp_path: Path
    ) -> None:
        bad = tmp_path / "teleport.gpx"
        bad.write_bytes(
            _two_point_gpx(datetime(2025, 6, 1, 8, tzinfo=UTC), km_north=1181.8, seconds=60)
        )
        code, lines, _ = CliImportTests()._run(["--user", alice.email, str(bad)], capsys)
        assert code == 1
        assert lines[0]["status"] == "rejected" and "km/h" in lines[0]["reason"]
        assert lines[-1]["summary"]["rejected"] == 1 and lines[-1]["summary"]["imported"] == 0
        assert not Run.objects.filter(user=alice).exists()

    def test_no_real_device_file_is_rejected_as_implausible(self, alice: Any) -> None:
        paths = sorted(str(p) for p in FIT_DIR.glob("*.fit"))
        assert len(paths) >= 30
        out = activities_store(user=alice, results=iter_paths(paths, limits=PER_FILE_LIMITS))
        assert [r for r in out.rows if r["status"] == "rejected"] == []
        assert out.rejected == 0 and out.imported + out.cross_training >= 20
