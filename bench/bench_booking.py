"""Booking benchmarks (figures go in docs/benchmarks.md, "## Booking").

1. Slot search: 3 sites, 10 practitioners, 60 days (in-process, and over HTTP).
2. Booking throughput on PostgreSQL: gunicorn serving the real POST /api/v1/bookings to 200
   concurrent client threads competing for 50 slots, compared in the same run with a bare
   Django view doing one INSERT (bench-only URLconf). Reports the req/s ratio, double bookings
   (must be 0) and latency percentiles.

    .venv/bin/python bench/bench_booking.py [--db-url postgres://postgres@127.0.0.1:5432/hw_bench]

It drops and recreates its own database (default hw_bench).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import time as dtime
from datetime import timedelta
from typing import Any

from benchlib import BENCH, ROOT, bench_env, recreate_database

SETTINGS = "booking_bench_settings"


def setup_django(db_url: str) -> None:
    os.environ.update(bench_env(db_url, SETTINGS))
    sys.path[:0] = [str(BENCH), str(ROOT)]
    import django

    django.setup()


def load_data() -> None:
    """Demo clinic plus six more practitioners: 10 in all, 3 sites."""
    from django.db import connection

    from heelwise.booking.models import Break, WeeklyAvailability
    from heelwise.clinics.models import Practitioner, Site
    from heelwise.common.demo import demo_data_load

    demo_data_load()
    sites = list(Site.objects.order_by("display_order"))
    for i in range(6):
        site = sites[i % 3]
        p, _ = Practitioner.objects.get_or_create(
            slug=f"bench-{i}",
            defaults={"name": f"Bench Practitioner {i}", "title": "Physio", "bio": "-"},
        )
        p.sites.add(site)
        for weekday in range(6):
            WeeklyAvailability.objects.get_or_create(
                practitioner=p, site=site, weekday=weekday, starts=dtime(9), ends=dtime(18)
            )
        Break.objects.get_or_create(
            practitioner=p, weekday=None, starts=dtime(13), ends=dtime(13, 30)
        )
    assert Practitioner.objects.count() == 10
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_hit (id bigserial PRIMARY KEY, body text)")


def slot_search(reps: int) -> dict[str, Any]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from heelwise.booking import clock
    from heelwise.booking.availability import local_today, slots_list
    from heelwise.clinics.models import Service, Site

    service = Service.objects.get(slug="initial-consultation")
    today = local_today(clock.now())
    out: dict[str, Any] = {}
    for site in Site.objects.order_by("display_order"):
        timings = []
        for _ in range(reps):
            reset_queries()
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                found = slots_list(service=service, site=site, first_day=today, days=60)
                timings.append(time.perf_counter() - t0)
        out[site.slug] = {
            "slots": len(found),
            "median_ms": round(statistics.median(timings) * 1000, 1),
            "queries": len(ctx.captured_queries),
        }
    return out


def pick_slots(count: int) -> list[dict[str, Any]]:
    from heelwise.booking import clock
    from heelwise.booking.availability import LONDON, local_today, slots_list
    from heelwise.clinics.models import Service

    service = Service.objects.get(slug="discovery-call")
    found = slots_list(
        service=service, site=None, first_day=local_today(clock.now()) + timedelta(days=1), days=29
    )
    # Every other 15-minute start, so no two chosen slots overlap (15 min + 5 min buffer).
    chosen = found[::2][:count]
    assert len(chosen) == count, len(found)
    return [
        {
            "service": "discovery-call",
            "site": "remote",
            "start": s.start.astimezone(LONDON).isoformat(),
            "practitioner": s.practitioner_id,
        }
        for s in chosen
    ]


def request(port: int, method: str, path: str, body: dict[str, Any] | None) -> tuple[int, float]:
    data = json.dumps(body).encode() if body is not None else None
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=data, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - t0
    finally:
        conn.close()


def load(
    port: int, clients: int, per_client: int, make: Callable[[int, int], tuple[str, dict[str, Any]]]
) -> dict[str, Any]:
    barrier = threading.Barrier(clients + 1)
    codes: list[Counter[int]] = [Counter() for _ in range(clients)]
    latencies: list[list[float]] = [[] for _ in range(clients)]
    by_code: list[list[tuple[int, float]]] = [[] for _ in range(clients)]

    def client(i: int) -> None:
        barrier.wait()
        for j in range(per_client):
            path, body = make(i, j)
            status, seconds = request(port, "POST", path, body)
            codes[i][status] += 1
            latencies[i].append(seconds)
            by_code[i].append((status, seconds))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    all_codes: Counter[int] = Counter()
    for c in codes:
        all_codes.update(c)
    lat = sorted(x for per in latencies for x in per)
    n = len(lat)
    per_code: dict[str, dict[str, float]] = {}
    for code in all_codes:
        xs = sorted(sec for per in by_code for c, sec in per if c == code)
        per_code[str(code)] = {
            "p50_ms": round(xs[len(xs) // 2] * 1000, 1),
            "p99_ms": round(xs[min(len(xs) - 1, int(len(xs) * 0.99))] * 1000, 1),
        }
    return {
        "by_code": per_code,
        "requests": n,
        "seconds": round(elapsed, 2),
        "rps": round(n / elapsed, 1),
        "codes": dict(all_codes),
        "p50_ms": round(lat[n // 2] * 1000, 1),
        "p99_ms": round(lat[min(n - 1, int(n * 0.99))] * 1000, 1),
    }


def double_bookings() -> int:
    from django.db import connection

    sql = """
        SELECT count(*) FROM booking_booking a JOIN booking_booking b
          ON a.id < b.id
         AND (a.practitioner_id = b.practitioner_id OR a.room_id = b.room_id)
         AND tstzrange(a.start, a.blocked_until) && tstzrange(b.start, b.blocked_until)
         WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return int(cursor.fetchone()[0])


def serve(db_url: str, port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=bench_env(db_url, SETTINGS),
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if request(port, "GET", "/api/v1/services", None)[0] == 200:
                return proc
        except OSError:
            time.sleep(0.2)  # harness start-up poll, not test synchronisation
    proc.terminate()
    raise RuntimeError("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db-url", default="postgres://postgres@127.0.0.1:5432/hw_bench")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--slots", type=int, default=50)
    parser.add_argument("--per-client", type=int, default=5)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--search-reps", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=7, help="interleaved bare/booking pairs")
    args = parser.parse_args()

    recreate_database(args.db_url)
    subprocess.run(
        [str(ROOT / ".venv/bin/python"), "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=bench_env(args.db_url, SETTINGS),
        check=True,
    )
    setup_django(args.db_url)
    from heelwise.booking.models import Booking

    load_data()
    search = slot_search(args.search_reps)
    warm_slots = 4 * args.workers
    picked = pick_slots(args.slots + warm_slots)
    slots, spare = picked[: args.slots], picked[args.slots :]
    person = {"name": "Bench Runner", "phone": "07700 900000"}

    def booking_body_for(
        chosen: list[dict[str, Any]],
    ) -> Callable[[int, int], tuple[str, dict[str, Any]]]:
        def body(i: int, j: int) -> tuple[str, dict[str, Any]]:
            slot = random.choice(chosen)
            return "/api/v1/bookings", {**slot, **person, "email": f"c{i}-{j}@example.com"}

        return body

    def bare_body(i: int, j: int) -> tuple[str, dict[str, Any]]:
        return "/bench/insert/", {"client": i, "n": j}

    proc = serve(args.db_url, args.port, args.workers, args.threads)
    try:
        warm = {**slots[0], "start": "2000-01-01T09:00:00+00:00", **person, "email": "w@e.com"}
        for _ in range(10 * args.workers):  # warm every worker: connection, imports, schemas
            request(args.port, "POST", "/bench/insert/", {"warm": 1})
            request(args.port, "POST", "/api/v1/bookings", warm)  # 422 (past): no booking
        for slot in spare:  # and the 201 path (task queue, outbox), on slots outside the 50
            request(args.port, "POST", "/api/v1/bookings", {**slot, **person, "email": "w@e.com"})
        warmed = Booking.objects.count()
        bares, bookings, doubles, created = [], [], 0, 0
        for _ in range(args.rounds):  # interleaved, so machine noise hits both alike
            bares.append(load(args.port, args.clients, args.per_client, bare_body))
            bookings.append(load(args.port, args.clients, args.per_client, booking_body_for(slots)))
            doubles += double_bookings()
            active = Booking.objects.exclude(status="cancelled").count() - warmed
            assert active == bookings[-1]["codes"].get(201, 0) <= args.slots
            created += active
            # Free the same 50 slots for the next round (cancelled rows never block).
            Booking.objects.exclude(status="cancelled").exclude(email="w@e.com").update(
                status="cancelled"
            )
        bares.append(load(args.port, args.clients, args.per_client, bare_body))
        from django.db import connection
        from django.test import Client

        connection.close()
        http_search = []
        for site in ("london", "manchester", "bedford"):
            t0 = time.perf_counter()
            response = Client().get(
                f"/api/v1/slots?service=initial-consultation&site={site}"
                f"&date={time.strftime('%Y-%m-%d')}&days=60"
            )
            assert response.status_code == 200
            http_search.append(round((time.perf_counter() - t0) * 1000, 1))
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    ratios = [
        round(b["rps"] / statistics.mean([bares[r]["rps"], bares[r + 1]["rps"]]), 3)
        for r, b in enumerate(bookings)
    ]
    result = {
        "slot_search_60_days": search,
        "slot_search_api_ms": http_search,
        "bare_insert": bares,
        "booking": bookings,
        "ratio_per_round": ratios,
        "ratio_booking_to_bare_median": statistics.median(ratios),
        "booking_p99_ms_per_round": [b["p99_ms"] for b in bookings],
        "bookings_per_round": created / args.rounds,
        "double_bookings": doubles,
    }
    print(json.dumps(result, indent=2))
    assert result["double_bookings"] == 0


if __name__ == "__main__":
    main()
