"""The recovery dashboard for a runner with five years of daily data.

    .venv/bin/python bench/bench_dashboard.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hw_runlog \
        .venv/bin/python bench/bench_dashboard.py

Seeds (once per database) a runner with a run and a check-in on every day of five years, four
pairs of shoes and a return-to-run programme started 10 weeks ago, then requests each page
through Django's full stack (middleware, session, auth, templates) with the test client:
warm-up, then N timed requests each. Reports median and 95th percentile wall time and the
number of SQL queries per request. Prints a markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_SQLITE = f"sqlite:///{ROOT / 'var' / 'bench_runlog.sqlite3'}"
EMAIL = "bench-dashboard@example.com"
YEARS = 5


def seed() -> object:
    from heelwise.accounts.models import User
    from heelwise.runlog import services
    from heelwise.runlog.models import CheckIn, Run

    user = User.objects.filter(email=EMAIL).first()
    today = services.local_today()
    if user is not None and CheckIn.objects.filter(user=user, date=today).exists():
        return user
    User.objects.filter(email=EMAIL).delete()
    user = User.objects.create_user(EMAIL, "bench-password-1")
    shoes = [
        services.shoe_save(user=user, name=f"Pair {i}", retire_at_km=700, retired=i < 2)
        for i in range(4)
    ]
    services.shoe_save(user=user, shoe=shoes[3], name="Pair 3", is_default=True)
    days = YEARS * 365
    runs, checkins = [], []
    for i in range(days):
        d = today - timedelta(days=i)
        start = datetime(d.year, d.month, d.day, 6, 30, tzinfo=UTC)
        runs.append(
            Run(user=user, start=start, local_date=d, distance_m=4000 + (i * 37) % 9000,
                duration_s=1500 + (i * 53) % 3600, shoe=shoes[min(3, i * 4 // days)],
                source="fit")
        )  # fmt: skip
        checkins.append(
            CheckIn(user=user, date=d, first_step_pain=(i * 7) % 6, run_pain_during=(i * 3) % 6,
                    settled_by_morning=i % 5 != 0, exercises="all")
        )  # fmt: skip
    Run.objects.bulk_create(runs, batch_size=1000)
    CheckIn.objects.bulk_create(checkins, batch_size=1000)
    services.programme_start(user=user, started_on=today - timedelta(weeks=10))
    return user


def measure(client: object, url: str, n: int) -> tuple[float, float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(5):
        client.get(url)  # type: ignore[attr-defined]
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        response = client.get(url)  # type: ignore[attr-defined]
        times.append(time.perf_counter() - t0)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)  # type: ignore[attr-defined]
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    return statistics.median(times) * 1000, p95 * 1000, len(ctx), len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=100, help="timed requests per page")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.child:
        env = dict(os.environ)
        env.setdefault("DATABASE_URL", DEFAULT_SQLITE)
        env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
        py = sys.executable
        subprocess.run(
            [py, str(ROOT / "manage.py"), "migrate", "-v", "0"], check=True, env=env, cwd=ROOT
        )
        subprocess.run([py, __file__, "--child", "-n", str(args.n)], check=True, env=env, cwd=ROOT)
        return
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    settings.DATABASES["default"]["CONN_MAX_AGE"] = 600  # as in production (base settings)
    user = seed()
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, database {engine}; runner with {YEARS} years of daily "
        f"runs and check-ins, {args.n} requests per page\n"
    )
    print("| page | median | p95 | SQL queries | bytes |\n|---|---|---|---|---|")
    for label, url in (
        ("dashboard, 26 weeks (default)", "/recovery/"),
        ("dashboard, 5 years", "/recovery/?weeks=260"),
        ("chart SVG, pain and load, 26 weeks", "/recovery/charts/pain-load.svg"),
        ("chart SVG, pain and load, 5 years", "/recovery/charts/pain-load.svg?weeks=260"),
        ("chart SVG, shoes", "/recovery/charts/shoes.svg"),
        ("programme page", "/recovery/programme/"),
    ):
        med, p95, queries, size = measure(client, url, args.n)
        print(f"| {label} | {med:.1f} ms | {p95:.1f} ms | {queries} | {size:,} |")


if __name__ == "__main__":
    main()
