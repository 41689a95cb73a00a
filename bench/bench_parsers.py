"""Activity-file parser benchmarks, measured side by side in one run.

    .venv/bin/python bench/bench_parsers.py            # full run (~2-3 minutes on 2 cores)
    .venv/bin/python bench/bench_parsers.py --quick    # smaller inputs, for a smoke test

1. GPX: heelwise.parsers vs gpxpy on one generated GPX (Garmin layout with gpxtpx hr/cad).
2. FIT: heelwise.parsers vs garmin-fit-sdk (defaults and fastest options) vs fitdecode, on a
   generated long FIT file and on the real-device fixtures in ../shared/fixtures/fit.
3. Archive: a Strava-layout zip of 1,000 one-hour activities (half .fit.gz, half .gpx.gz,
   3,600 points each) parsed in a fresh process; wall time and peak RSS (ru_maxrss).

Prints a markdown table; copy it into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
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
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from heelwise.parsers import Limits, ParseError, iter_archive, parse_bytes  # noqa: E402
from heelwise.parsers.api import MB  # noqa: E402
from heelwise.parsers.tests.fitwriter import synthetic_run  # noqa: E402

FIXTURES = ROOT.parent / "shared" / "fixtures" / "fit"


def best_of(runs: int, fn: Callable[[], object]) -> float:
    """Best CPU time of ``runs`` calls: process CPU time, not wall time, because the benchmark
    host is shared (2 cores, other jobs running) and wall time there measures the neighbours."""
    best = float("inf")
    for _ in range(runs):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best


def make_gpx(points: int, start: datetime | None = None, *, seed: int = 0) -> bytes:
    start = start or datetime(2024, 5, 1, 6, 0, tzinfo=UTC)
    out = io.StringIO()
    out.write(
        '<?xml version="1.0" encoding="UTF-8"?>\n<gpx creator="Garmin Connect" version="1.1" '
        'xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:ns3="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">\n'
        "  <trk>\n    <name>bench</name>\n    <type>running</type>\n    <trkseg>\n"
    )
    lat, lon = 51.5 + seed * 1e-3, -0.12
    for i in range(points):
        t = (start + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        out.write(
            f'      <trkpt lat="{lat + i * 2.5e-5:.10f}" lon="{lon + (i % 50) * 1e-6:.10f}">\n'
            f"        <ele>{20 + (i % 300) * 0.1:.1f}</ele>\n        <time>{t}</time>\n"
            "        <extensions>\n          <ns3:TrackPointExtension>\n"
            f"            <ns3:hr>{140 + i % 20}</ns3:hr>\n"
            f"            <ns3:cad>{84 + i % 5}</ns3:cad>\n"
            "          </ns3:TrackPointExtension>\n        </extensions>\n      </trkpt>\n"
        )
    out.write("    </trkseg>\n  </trk>\n</gpx>\n")
    return out.getvalue().encode()


def bench_gpx(points: int) -> list[tuple[str, str, float, str]]:
    import gpxpy

    data = make_gpx(points)
    big = Limits(max_bytes=512 * MB)  # the generated file is above the 50 MB upload limit
    ours = best_of(3, lambda: parse_bytes(data, limits=big))
    (act,) = parse_bytes(data, limits=big)
    assert act.points == points

    def gpxpy_parse() -> None:
        gpxpy.parse(data.decode())

    def gpxpy_summary() -> None:
        g = gpxpy.parse(data.decode())
        g.length_2d()
        g.get_moving_data()
        g.get_uphill_downhill()

    parse_only = best_of(2, gpxpy_parse)
    with_summary = best_of(1, gpxpy_summary)
    label = f"GPX ({points:,} points, {len(data) / 1e6:.0f} MB)"
    rows = [
        (label, "heelwise.parsers (expat, with summary)", points / ours, "points/s"),
        (label, "gpxpy 1.6, parse only", points / parse_only, "points/s"),
        (label, "gpxpy 1.6, parse + length/moving/uphill", points / with_summary, "points/s"),
        (label, "ratio heelwise / gpxpy parse only", parse_only / ours, "x"),
    ]
    print(f"{label}: ours {ours:.2f}s, gpxpy {parse_only:.2f}s / {with_summary:.2f}s CPU")
    return rows


def _sdk_read(data: bytes, fast: bool) -> int:
    from garmin_fit_sdk import Decoder, Stream

    decoder = Decoder(Stream.from_byte_array(bytearray(data)))
    if fast:
        messages, _errors = decoder.read(
            apply_scale_and_offset=False,
            convert_datetimes_to_dates=False,
            convert_types_to_strings=False,
            enable_crc_check=False,
            expand_sub_fields=False,
            expand_components=False,
            merge_heart_rates=False,
        )
    else:
        messages, _errors = decoder.read()
    return len(messages.get("record_mesgs", []))


def _fitdecode_read(data: bytes) -> int:
    import fitdecode

    n = 0
    try:
        with fitdecode.FitReader(io.BytesIO(data)) as reader:
            for frame in reader:
                if isinstance(frame, fitdecode.FitDataMessage) and frame.global_mesg_num == 20:
                    n += 1
    except fitdecode.FitError:
        pass  # stops where garmin-fit-sdk stops (the Strava file loses sync mid-way)
    return n


def bench_fit(seconds: int) -> list[tuple[str, str, float, str]]:
    synthetic = synthetic_run(seconds=seconds)
    fixtures = [p.read_bytes() for p in sorted(FIXTURES.glob("*.fit"))]
    # Fixtures the reference decoder reads fully (it cannot read compressed timestamps).
    readable = [d for d in fixtures if _sdk_read(d, fast=True) > 0]
    rows = []
    for label, files in (
        (f"FIT synthetic ({seconds} records)", [synthetic]),
        (f"FIT real fixtures ({len(readable)} files)", readable),
    ):
        records = sum(_sdk_read(d, fast=True) for d in files)

        def ours(files: list[bytes] = files) -> None:
            for d in files:
                with contextlib.suppress(ParseError):  # non-activity fixtures are still decoded
                    parse_bytes(d)

        def sdk_fast(files: list[bytes] = files) -> None:
            for d in files:
                _sdk_read(d, fast=True)

        def sdk_defaults(files: list[bytes] = files) -> None:
            for d in files:
                _sdk_read(d, fast=False)

        def fitdecode_all(files: list[bytes] = files) -> None:
            for d in files:
                _fitdecode_read(d)

        t_ours = best_of(3, ours)
        t_fast = best_of(1, sdk_fast)
        t_sdk = best_of(1, sdk_defaults)
        t_fd = best_of(1, fitdecode_all)
        rows += [
            (label, "heelwise.parsers (CRC checked, summary incl.)", records / t_ours, "records/s"),
            (label, "garmin-fit-sdk, fastest options", records / t_fast, "records/s"),
            (label, "garmin-fit-sdk, defaults", records / t_sdk, "records/s"),
            (label, "fitdecode", records / t_fd, "records/s"),
            (label, "ratio heelwise / garmin-fit-sdk fastest", t_fast / t_ours, "x"),
        ]
        print(
            f"{label}: {records} records; ours {t_ours:.2f}s sdk-fast {t_fast:.2f}s "
            f"sdk {t_sdk:.2f}s fitdecode {t_fd:.2f}s"
        )
    return rows


def make_archive(path: Path, activities: int, seconds: int) -> None:
    fit_template = synthetic_run(seconds=seconds)
    csv = ["Activity ID,Activity Date,Activity Name,Activity Type,Filename"]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for i in range(activities):
            start = datetime(2022, 1, 1, 6, 0, tzinfo=UTC) + timedelta(days=i)
            if i % 4 < 2:  # half FIT, half GPX, interleaved so worker shards get both
                name = f"activities/{1000 + i}.fit.gz"
                data = synthetic_run(start_posix=start.timestamp(), seconds=seconds)
                assert len(data) == len(fit_template)
            else:
                name = f"activities/{1000 + i}.gpx.gz"
                data = make_gpx(seconds, start, seed=i)
            zf.writestr(name, gzip.compress(data, compresslevel=1))
            csv.append(f"{1000 + i},{start:%b %d %Y},Run {i},Run,{name}")
        zf.writestr("activities.csv", "\n".join(csv) + "\n")


def _vm_hwm_kb() -> int | None:
    """Peak RSS of this process image from /proc (Linux); unlike ru_maxrss it is not
    inherited from the parent across fork+exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def parse_archive_child(path: str, shard: tuple[int, int] | None = None) -> None:
    """Runs in a fresh process so ru_maxrss is the parsing alone."""
    t0 = time.perf_counter()
    c0 = time.process_time()
    ok = errors = points = 0
    for result in iter_archive(path, shard=shard):
        if result.status == "ok":
            ok += len(result.activities)
            points += sum(a.points for a in result.activities)
        elif result.status == "error":
            errors += 1
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    hwm_kb = _vm_hwm_kb()
    print(
        json.dumps(
            {
                "wall_s": wall,
                "cpu_s": cpu,
                "activities": ok,
                "errors": errors,
                "points": points,
                "peak_rss_mb": rss_kb / 1024,
                "vm_hwm_mb": hwm_kb / 1024 if hwm_kb else None,
            }
        )
    )


def bench_archive(activities: int, seconds: int) -> list[tuple[str, str, float, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "strava_export.zip"
        t0 = time.perf_counter()
        # Generated in its own process so this one stays small: a child's ru_maxrss starts
        # from its parent's resident size at fork.
        subprocess.run(
            [sys.executable, __file__, "--make-archive", str(path), str(activities), str(seconds)],
            check=True,
        )
        gen = time.perf_counter() - t0
        size = path.stat().st_size
        proc = subprocess.run(
            [sys.executable, __file__, "--parse-archive", str(path)],
            check=True,
            capture_output=True,
            text=True,
        )
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        # The same archive shared by two worker processes (iter_archive(shard=(i, 2))).
        t0 = time.perf_counter()
        workers = [
            subprocess.Popen(
                [sys.executable, __file__, "--parse-archive", str(path), "--shard", f"{i}/2"],
                stdout=subprocess.PIPE,
                text=True,
            )
            for i in range(2)
        ]
        shards = [json.loads(w.communicate()[0].strip().splitlines()[-1]) for w in workers]
        wall2 = time.perf_counter() - t0
    assert result["activities"] == activities and result["errors"] == 0, result
    assert sum(s["activities"] for s in shards) == activities, shards
    print(f"archive, 2 processes: {wall2:.1f}s wall; {shards}")
    print(
        f"archive: {activities} x {seconds}s activities, zip {size / 1e6:.0f} MB "
        f"(generated in {gen:.0f}s): {result}"
    )
    label = f"Archive, {activities} one-hour activities ({size / 1e6:.0f} MB zip)"
    return [
        (label, "wall time, 1 process", result["wall_s"], "s"),
        (label, "wall time, 2 processes (shard=(i, 2))", wall2, "s"),
        (label, "CPU time", result["cpu_s"], "s"),
        (label, "peak RSS (ru_maxrss)", result["peak_rss_mb"], "MB"),
        (label, "peak RSS (/proc VmHWM)", result["vm_hwm_mb"] or 0.0, "MB"),
        (label, "peak RSS per worker, 2 processes", max(s["peak_rss_mb"] for s in shards), "MB"),
        (label, "points parsed per CPU second", result["points"] / result["cpu_s"], "points/s"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small inputs, smoke test only")
    parser.add_argument(
        "--only", choices=["gpx", "fit", "archive"], help="run one section (default: all)"
    )
    parser.add_argument("--parse-archive", help=argparse.SUPPRESS)
    parser.add_argument("--make-archive", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--shard", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.parse_archive:
        shard = None
        if args.shard:
            index, count = args.shard.split("/")
            shard = (int(index), int(count))
        parse_archive_child(args.parse_archive, shard)
        return
    if args.make_archive:
        path, count, secs = args.make_archive
        make_archive(Path(path), int(count), int(secs))
        return
    gpx_points, fit_seconds, n_act = (20_000, 3_600, 40) if args.quick else (200_000, 36_000, 1000)
    # The archive first, while this process is still small (see bench_archive).
    only = args.only
    archive_rows = bench_archive(n_act, 3600) if only in (None, "archive") else []
    rows = (
        (bench_gpx(gpx_points) if only in (None, "gpx") else [])
        + (bench_fit(fit_seconds) if only in (None, "fit") else [])
        + archive_rows
    )
    print()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"load average at the end {load:.1f}; "
        f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"{datetime.now(UTC):%Y-%m-%d}"
    )
    print()
    print("| Benchmark | Implementation | Result | Unit |")
    print("|---|---|---:|---|")
    for bench, impl, value, unit in rows:
        shown = f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"
        print(f"| {bench} | {impl} | {shown} | {unit} |")


if __name__ == "__main__":
    main()
