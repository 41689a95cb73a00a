"""Test data builders: GPX tracks and Strava-style export archives, made in the test."""

from __future__ import annotations

import gzip
import io
import math
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
FIT_DIR = ROOT.parent / "shared" / "fixtures" / "fit"
FIT_INVALID_DIR = ROOT.parent / "shared" / "fixtures" / "fit-invalid"


def gpx_run(
    start: datetime, *, minutes: int = 30, pace_s_per_km: float = 360.0, sport: str = "running"
) -> bytes:
    """A GPX 1.1 track at one point per 5 s going north from London, with an HR extension."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<gpx version="1.1" creator="Heelwise tests" xmlns="http://www.topografix.com/GPX/1/1"'
        ' xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">',
        f"<trk><name>Test {sport}</name><type>{sport}</type><trkseg>",
    ]
    speed = 1000.0 / pace_s_per_km
    lat0, lon = 51.5, -0.12
    for i in range(0, minutes * 60 + 1, 5):
        lat = lat0 + (speed * i) / 111_195.0
        t = (start + timedelta(seconds=i)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        ele = 20 + 5 * math.sin(i / 300)
        lines.append(
            f'<trkpt lat="{lat:.7f}" lon="{lon:.7f}"><ele>{ele:.1f}</ele><time>{t}</time>'
            f"<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>140</gpxtpx:hr>"
            f"</gpxtpx:TrackPointExtension></extensions></trkpt>"
        )
    lines.append("</trkseg></trk></gpx>")
    return "\n".join(lines).encode()


def strava_archive(members: dict[str, bytes], *, csv_rows: list[tuple[str, str]] = ()) -> bytes:  # type: ignore[assignment]
    """A zip laid out like Strava's "Download your data": activities.csv + activities/."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        header = "Activity ID,Activity Date,Activity Name,Activity Type,Filename\n"
        body = "".join(
            f"{i},2025-01-01,Run {i},{kind},{name}\n" for i, (name, kind) in enumerate(csv_rows)
        )
        zf.writestr("activities.csv", header + body)
        zf.writestr("profile.csv", "Email,First Name\nalice@example.com,Alice\n")
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def demo_archive(recent: list[datetime] | None = None) -> bytes:
    """A small Strava-style archive: a FIT run (gzipped), a GPX run, a FIT walk, the same run
    twice (a duplicate), a multisport file and a FIT file with a bad CRC; plus a GPX run for
    each start in ``recent``."""
    start = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    run_fit = (FIT_DIR / "garmin-fenix-5-run.fit").read_bytes()
    extra = {
        f"activities/{2000 + i}.gpx": gpx_run(t, minutes=20 + 5 * i, pace_s_per_km=420)
        for i, t in enumerate(recent or [])
    }
    return strava_archive(
        {
            **extra,
            "activities/1001.fit.gz": gzip.compress(run_fit),
            "activities/1002.gpx": gpx_run(start),
            "activities/1003.fit": (FIT_DIR / "garmin-fenix-5-walk.fit").read_bytes(),
            "activities/1004.fit": run_fit,
            "activities/1005.fit": (FIT_DIR / "activity-large-fenxi2-multisport.fit").read_bytes(),
            "activities/1006.fit": (FIT_INVALID_DIR / "activity-filecrc.fit").read_bytes(),
        },
        csv_rows=[("activities/1002.gpx", "Run")],
    )
