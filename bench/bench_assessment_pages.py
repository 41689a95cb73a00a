"""Self-assessment page throughput vs a bare one-query Django view, in the same run.

Serves the real site with gunicorn (sync workers, production settings, persistent connections)
and measures, in interleaved rounds with the same client concurrency:

* ``bare``     GET /bench/bare/ - a bare Django view doing one query (bench-only URLconf)
* ``step``     GET /assessment/step/safety/ - the first questionnaire page, new visitor
* ``step_mid`` GET /assessment/step/pattern/ - the longest step, for a visitor part-way through
               (session loaded from the database)
* ``result``   GET /assessment/result/<id>/ - the result page of that visitor's finished
               assessment (session + assessment: two queries)

Acceptance (issue 5): the assessment and result pages each serve at least half the requests
per second of the bare view. Figures go in docs/benchmarks.md, "## Self-assessment pages".

    .venv/bin/python bench/bench_assessment_pages.py [--db-url postgres://...] [--seconds 6]

With a PostgreSQL URL it drops and recreates that database (default hw_assess_bench).
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path[:0] = [str(BENCH), str(ROOT)]

from benchlib import bench_env, recreate_database  # noqa: E402

from heelwise.assessment.tests.helpers import PLANTAR_FASCIITIS  # noqa: E402

SETTINGS = "assessment_bench_settings"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Browser:
    """A minimal cookie-keeping HTTP client for walking the questionnaire."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            form = {**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            for key, morsel in SimpleCookie(header).items():
                self.cookies[key] = morsel.value
        conn.close()
        return response.status, response.headers.get("Location", ""), text

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


def prepare(port: int) -> dict[str, str]:
    """Walk one visitor to the pattern step and another to a finished result."""
    mid = Browser(port)
    mid.request("GET", "/assessment/step/safety/")
    for step in ("safety", "about", "where"):
        status, _, _ = mid.request("POST", f"/assessment/step/{step}/", PLANTAR_FASCIITIS[step])
        assert status == 302, (step, status)
    done = Browser(port)
    done.request("GET", "/assessment/step/safety/")
    location = ""
    for step, data in PLANTAR_FASCIITIS.items():
        status, location, _ = done.request("POST", f"/assessment/step/{step}/", data)
        assert status == 302, (step, status)
    assert re.fullmatch(r"/assessment/result/[0-9a-f-]+/", location), location
    return {
        "mid_cookie": mid.cookie_header(),
        "done_cookie": done.cookie_header(),
        "result": location,
    }


def cold_results(port: int, count: int) -> dict[str, Any]:
    """First view of freshly finished results (nothing cached yet), one at a time."""
    timings = []
    for _ in range(count):
        visitor = Browser(port)
        visitor.request("GET", "/assessment/step/safety/")
        location = ""
        for step, data in PLANTAR_FASCIITIS.items():
            _, location, _ = visitor.request("POST", f"/assessment/step/{step}/", data)
        t0 = time.perf_counter()
        status, _, _ = visitor.request("GET", location)
        timings.append(time.perf_counter() - t0)
        assert status == 200, status
    return {
        "views": count,
        "median_ms": round(statistics.median(timings) * 1000, 2),
        "max_ms": round(max(timings) * 1000, 2),
    }


def hammer(port: int, path: str, cookie: str, seconds: float, concurrency: int) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker() -> None:
        nonlocal errors
        local: list[float] = []
        bad = 0
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    bad += 1
            except OSError:
                bad += 1
            finally:
                conn.close()
            local.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(local)
            errors += bad

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else 0.0,
        "p95_ms": latencies[int(len(latencies) * 0.95)] * 1000 if latencies else 0.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db-url", default="postgres://postgres@127.0.0.1:5432/hw_assess_bench")
    parser.add_argument("--seconds", type=float, default=6.0, help="per endpoint per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    recreate_database(args.db_url)
    env = bench_env(args.db_url, SETTINGS)
    python = sys.executable
    subprocess.run(
        [python, str(ROOT / "manage.py"), "migrate", "-v", "0"], env=env, check=True, cwd=ROOT
    )
    subprocess.run(
        [python, str(ROOT / "manage.py"), "createcachetable"], env=env, check=True, cwd=ROOT
    )
    port = free_port()
    gunicorn = Path(python).with_name("gunicorn")
    server = subprocess.Popen(
        [
            str(gunicorn),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        state = prepare(port)
        endpoints = {
            "bare": ("/bench/bare/", ""),
            "step": ("/assessment/step/safety/", ""),
            "step_mid": ("/assessment/step/pattern/", state["mid_cookie"]),
            "result": (state["result"], state["done_cookie"]),
        }
        for path, cookie in endpoints.values():  # warm every worker
            hammer(port, path, cookie, 1.0, args.concurrency)
        cold = cold_results(port, 20)
        rounds: dict[str, list[dict[str, Any]]] = {name: [] for name in endpoints}
        for _ in range(args.rounds):
            for name, (path, cookie) in endpoints.items():
                rounds[name].append(hammer(port, path, cookie, args.seconds, args.concurrency))
    finally:
        server.terminate()
        server.wait(timeout=30)

    def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "rps": round(statistics.median(r["rps"] for r in runs), 1),
            "p50_ms": round(statistics.median(r["p50_ms"] for r in runs), 2),
            "p95_ms": round(statistics.median(r["p95_ms"] for r in runs), 2),
            "requests": sum(r["requests"] for r in runs),
            "errors": sum(r["errors"] for r in runs),
        }

    results = {name: summary(runs) for name, runs in rounds.items()}
    bare = results["bare"]["rps"]
    for r in results.values():
        r["ratio_to_bare"] = round(r["rps"] / bare, 2)
    report = {
        "database": urlsplit(args.db_url).scheme,
        "workers": args.workers,
        "concurrency": args.concurrency,
        "seconds_per_round": args.seconds,
        "rounds": args.rounds,
        "endpoints": results,
        "result_first_view": cold,
        "pass": all(results[n]["ratio_to_bare"] >= 0.5 for n in ("step", "step_mid", "result"))
        and all(r["errors"] == 0 for r in results.values()),
    }
    print(json.dumps(report, indent=2))
    return 0 if report["pass"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
