"""Full Django import of a Strava-layout export archive: parse + duplicate checks + bulk insert.

    .venv/bin/python bench/bench_import.py                 # 1,000 one-hour activities
    .venv/bin/python bench/bench_import.py --activities 50 # a quick smoke run
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hw_runlog .venv/bin/python bench/bench_import.py

The archive is built first (half .fit.gz from the parsers' test FIT encoder, half .gpx.gz, 1 Hz,
3,600 points each, like bench_parsers.py). The import then runs in a fresh child process so
its peak RSS (ru_maxrss) is the import's own: Django set-up, a fresh database (migrated
beforehand), a runner, ``activities_store`` over ``archive_results`` (two spawned parsing
processes over ``iter_archive`` shards) exactly as the background task and `heelwise runs
import` call it. A second import of the same archive measures the
all-duplicates path. ``--via-job`` instead runs the upload path of the web page in the child:
``import_job_create`` (the upload held in the database in 2 MB chunks) then
``import_job_process`` (copied chunk by chunk to a local temporary file and imported), so its
peak RSS covers the database round trip. Prints a markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_SQLITE = f"sqlite:///{ROOT / 'var' / 'bench_runlog.sqlite3'}"


def make_gpx(seconds: int, start: datetime, seed: int) -> bytes:
    out = io.StringIO()
    out.write(
        '<?xml version="1.0" encoding="UTF-8"?>\n<gpx creator="StravaGPX" version="1.1" '
        'xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">\n'
        "<trk><name>bench</name><type>9</type><trkseg>\n"
    )
    lat, lon = 51.5 + seed * 1e-4, -0.12
    for i in range(seconds):
        t = (start + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        out.write(
            f'<trkpt lat="{lat + i * 2.7e-5:.7f}" lon="{lon:.7f}"><ele>{20 + (i % 60) / 6:.1f}'
            f"</ele><time>{t}</time><extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>150"
            f"</gpxtpx:hr><gpxtpx:cad>85</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions>"
            "</trkpt>\n"
        )
    out.write("</trkseg></trk></gpx>\n")
    return out.getvalue().encode()


def make_archive(path: Path, activities: int, seconds: int) -> None:
    from heelwise.parsers.tests.fitwriter import synthetic_run

    csv = ["Activity ID,Activity Date,Activity Name,Activity Type,Filename"]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for i in range(activities):
            start = datetime(2021, 1, 1, 6, 0, tzinfo=UTC) + timedelta(days=i)
            if i % 2 == 0:
                name = f"activities/{1000 + i}.fit.gz"
                data = synthetic_run(start_posix=start.timestamp(), seconds=seconds)
            else:
                name = f"activities/{1000 + i}.gpx.gz"
                data = make_gpx(seconds, start, i)
            zf.writestr(name, gzip.compress(data, compresslevel=1))
            csv.append(f"{1000 + i},{start:%b %d %Y},Run {i},Run,{name}")
        zf.writestr("activities.csv", "\n".join(csv) + "\n")


def child_via_job(archive: str, workers: int) -> None:
    """Runs in a fresh process: the web upload path, then the task, with peak memory."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django
    from django.conf import settings
    from django.core.files import File

    django.setup()
    settings.RUNLOG_IMPORT_WORKERS = workers
    # Queue the task without running it, so the upload and the task are timed apart.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from heelwise.accounts.models import User
    from heelwise.runlog.importing import import_job_create, import_job_process
    from heelwise.runlog.models import ImportChunk, Run

    User.objects.filter(email="bench-import@example.com").delete()
    user = User.objects.create_user("bench-import@example.com", "bench-password-1")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    with open(archive, "rb") as fh:
        job = import_job_create(user=user, upload=File(fh, name="export.zip"))
    t1 = time.perf_counter()
    import_job_process(job_id=job.pk)
    t2 = time.perf_counter()
    job.refresh_from_db()
    stored = Run.objects.filter(user=user).count()
    left = ImportChunk.objects.count()
    user.delete()
    print(
        json.dumps(
            {
                "store_upload_s": t1 - t0,
                "import_s": t2 - t1,
                "status": job.status,
                "stored": stored,
                "chunks_left": left,
                "rss_setup_mb": rss_before / 1024,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "worker_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            }
        )
    )


def child(archive: str, workers: int) -> None:
    """Runs in a fresh process: import twice, print JSON with times and peak memory."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from heelwise.accounts.models import User
    from heelwise.runlog.importing import PER_FILE_LIMITS, activities_store
    from heelwise.runlog.models import Run
    from heelwise.runlog.parallel import archive_results

    def results() -> object:
        return archive_results(archive, name="export.zip", limits=PER_FILE_LIMITS, workers=workers)

    User.objects.filter(email="bench-import@example.com").delete()
    user = User.objects.create_user("bench-import@example.com", "bench-password-1")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    first = activities_store(user=user, results=results())  # type: ignore[arg-type]
    t1 = time.perf_counter()
    cpu1 = time.process_time()
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    workers_cpu = kids.ru_utime + kids.ru_stime
    second = activities_store(user=user, results=results())  # type: ignore[arg-type]
    t2 = time.perf_counter()
    stored = Run.objects.filter(user=user).count()
    user.delete()
    print(
        json.dumps(
            {
                "import_s": t1 - t0,
                "import_cpu_s": cpu1 - cpu0,
                "workers_cpu_s": workers_cpu,
                "load_avg": os.getloadavg()[0],
                "reimport_s": t2 - t1,
                "first": first.summary(),
                "second": second.summary(),
                "stored": stored,
                "rss_setup_mb": rss_before / 1024,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "worker_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--activities", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=3600)
    parser.add_argument("--workers", type=int, default=2, help="parsing processes (default 2)")
    parser.add_argument(
        "--via-job", action="store_true", help="measure the web upload path (database chunks)"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        (child_via_job if args.via_job else child)(args.child, args.workers)
        return
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", DEFAULT_SQLITE)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    py = sys.executable
    subprocess.run(
        [py, str(ROOT / "manage.py"), "migrate", "-v", "0"], check=True, env=env, cwd=ROOT
    )
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "export.zip"
        t0 = time.perf_counter()
        make_archive(archive, args.activities, args.seconds)
        build_s = time.perf_counter() - t0
        size_mb = archive.stat().st_size / 2**20
        extra = ["--via-job"] if args.via_job else []
        out = subprocess.run(
            [py, __file__, "--child", str(archive), "--workers", str(args.workers), *extra],
            check=True,
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout
    r = json.loads(out.strip().splitlines()[-1])
    engine = env["DATABASE_URL"].split(":", 1)[0]
    points = args.activities * args.seconds
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, database {engine}"
    )
    print(
        f"archive: {args.activities} activities x {args.seconds} s at 1 Hz, "
        f"{size_mb:.0f} MB zipped (built in {build_s:.0f} s)\n"
    )
    print("| measure | value |\n|---|---|")
    if args.via_job:
        print(f"| upload held in the database (2 MB chunks), wall | {r['store_upload_s']:.1f} s |")
        print(
            f"| task: copy to a temporary file, parse ({args.workers} processes) and store, "
            f"wall | {r['import_s']:.1f} s |"
        )
        print(f"| job status / activities stored | {r['status']} / {r['stored']} |")
        print(f"| upload chunks left in the database afterwards | {r['chunks_left']} |")
        print(
            f"| peak RSS of the web + task process | {r['peak_rss_mb']:.0f} MB "
            f"(Django set-up alone {r['rss_setup_mb']:.0f} MB) |"
        )
        print(f"| peak RSS of the largest parsing worker | {r['worker_peak_rss_mb']:.0f} MB |")
        return
    print(
        f"| first import (parse + store), {args.workers} parsing process(es), wall "
        f"| {r['import_s']:.1f} s |"
    )
    print(f"| first import, CPU time of the storing process | {r['import_cpu_s']:.1f} s |")
    print(f"| first import, CPU time of the parsing workers | {r['workers_cpu_s']:.1f} s |")
    print(f"| machine load average (1 min) at the end | {r['load_avg']:.1f} |")
    print(f"| activities stored | {r['stored']} ({r['first']['errors']} errors) |")
    print(
        f"| throughput | {args.activities / r['import_s']:.0f} activities/s, "
        f"{points / r['import_s'] / 1000:.0f}k points/s |"
    )
    print(
        f"| second import (all duplicates), wall | {r['reimport_s']:.1f} s "
        f"({r['second']['duplicates']} duplicates) |"
    )
    print(
        f"| peak RSS of the storing process | {r['peak_rss_mb']:.0f} MB "
        f"(Django set-up alone {r['rss_setup_mb']:.0f} MB) |"
    )
    print(f"| peak RSS of the largest parsing worker | {r['worker_peak_rss_mb']:.0f} MB |")
    total_rss = r["peak_rss_mb"] + args.workers * r["worker_peak_rss_mb"]
    print(f"| peak RSS of all processes together (upper bound) | {total_rss:.0f} MB |")


if __name__ == "__main__":
    main()
