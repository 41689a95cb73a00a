"""Benchmark the clinical engine: ``heelwise assess`` throughput and ``assess()`` latency.

    .venv/bin/python bench/bench_assess.py [--n 10000] [--seed 7]

1. Generates N varied, valid requests deterministically from the knowledge base's findings
   vocabulary (each request answers a random 0-25 keys with random valid values or null).
2. Runs ``python -m heelwise.cli assess FILE`` on the JSON Lines file, in one process, three
   times (``--runs``), and reports the median wall-clock and CPU throughput and the range (process
   start, knowledge-base load, JSON parse and dump and writing the output all included). The
   start-up is the same command on one request, with the compiled-knowledge-base cache (warmed
   first) and without it (``HEELWISE_KB_CACHE=0``: PyYAML, pydantic and validation).
3. Calls ``heelwise.clinical.assess()`` on every request in this process and reports p50, p99
   and max latency.
Prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from heelwise.clinical import assess, load_knowledge_base  # noqa: E402
from heelwise.clinical.knowledge_base import Finding, KnowledgeBase  # noqa: E402


def _value(rng: random.Random, f: Finding) -> Any:
    if rng.random() < 0.08:
        return None
    if f.type == "bool":
        return rng.random() < 0.35
    if f.type == "enum":
        return rng.choice([v for v, _ in f.options])
    assert f.min is not None and f.max is not None
    hi = min(f.max, 150.0) if f.key == "duration_weeks" else f.max
    if f.integer:
        return rng.randint(int(f.min), int(hi))
    return round(rng.uniform(f.min, hi), 1)


def make_requests(kb: KnowledgeBase, n: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    keys = sorted(kb.findings)
    out = []
    for i in range(n):
        patient: dict[str, Any] = {}
        findings: dict[str, Any] = {}
        for key in rng.sample(keys, rng.randint(0, 25)):
            f = kb.findings[key]
            (patient if f.scope == "patient" else findings)[key] = _value(rng, f)
        out.append({"id": f"b{i}", "patient": patient, "findings": findings})
    return out


def bench_cli(path: Path, out_path: Path, cache: bool = True) -> tuple[float, float, int]:
    """Wall-clock and CPU seconds (user + system) of one ``heelwise assess`` process."""
    env = dict(os.environ)
    if not cache:
        env["HEELWISE_KB_CACHE"] = "0"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with out_path.open("wb") as out:
        proc = subprocess.run(
            [sys.executable, "-m", "heelwise.cli", "assess", str(path)],
            stdout=out,
            cwd=ROOT,
            env=env,
            check=False,
        )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"heelwise assess exited {proc.returncode}")
    with out_path.open("rb") as fh:
        lines = sum(1 for _ in fh)
    return elapsed, cpu, lines


def bench_library(requests: list[dict[str, Any]]) -> tuple[list[float], list[float]]:
    """Per-call wall-clock and thread-CPU milliseconds of ``assess()``."""
    for r in requests[:200]:  # warm up caches
        assess(r)
    wall = []
    cpu = []
    for r in requests:
        c0 = time.thread_time_ns()
        t0 = time.perf_counter_ns()
        assess(r)
        wall.append((time.perf_counter_ns() - t0) / 1e6)
        cpu.append((time.thread_time_ns() - c0) / 1e6)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    load_start = os.getloadavg()[0]
    kb = load_knowledge_base()
    requests = make_requests(kb, args.n, args.seed)
    answered = statistics.mean(len(r["patient"]) + len(r["findings"]) for r in requests)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "requests.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in requests), encoding="utf-8")
        one = Path(tmp) / "one.jsonl"
        one.write_text(json.dumps(requests[0]) + "\n", encoding="utf-8")
        bench_cli(one, Path(tmp) / "one-out.jsonl")  # make sure the compiled cache exists
        runs = [bench_cli(path, Path(tmp) / "results.jsonl") for _ in range(args.runs)]
        lines = runs[-1][2]
        walls = sorted(r[0] for r in runs)
        cpus = sorted(r[1] for r in runs)
        elapsed = statistics.median(walls)
        cpu_s = statistics.median(cpus)
        start_wall, start_cpu, _ = bench_cli(one, Path(tmp) / "one-out.jsonl")
        cold_wall, cold_cpu, _ = bench_cli(one, Path(tmp) / "one-out.jsonl", cache=False)
        out_mb = (Path(tmp) / "results.jsonl").stat().st_size / 1e6
    if lines != args.n:
        raise SystemExit(f"expected {args.n} result lines, got {lines}")
    wall, cpu = (sorted(x) for x in bench_library(requests))

    def pct(xs: list[float], q: float) -> float:
        return xs[min(len(xs) - 1, int(len(xs) * q))]

    load = os.getloadavg()[0]
    print(
        f"Clinical engine benchmark: {args.n} requests (seed {args.seed}), "
        f"{answered:.1f} answered keys on average"
    )
    print(
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {load_start:.1f} at the start and {load:.1f} at the end; "
        f"knowledge base {kb.version}\n"
    )
    print("| measure | wall clock | CPU time of the process |")
    print("|---|---|---|")
    print(
        f"| `heelwise assess` batch of {args.n} in one process, median of {args.runs} runs"
        f" | {elapsed:.2f} s ({walls[0]:.2f}-{walls[-1]:.2f})"
        f" | {cpu_s:.2f} s ({cpus[0]:.2f}-{cpus[-1]:.2f}) |"
    )
    print(
        f"| `heelwise assess` throughput (median run) | {args.n / elapsed:,.0f} /s"
        f" | {args.n / cpu_s:,.0f} /s |"
    )
    print(f"| start-up (same command on 1 request) | {start_wall:.2f} s | {start_cpu:.2f} s |")
    print(f"| start-up without the compiled-KB cache | {cold_wall:.2f} s | {cold_cpu:.2f} s |")
    print(
        f"| throughput excluding start-up | {args.n / (elapsed - start_wall):,.0f} /s"
        f" | {args.n / (cpu_s - start_cpu):,.0f} /s |"
    )
    print(f"| output | {out_mb:.1f} MB | |")
    print(f"| `assess()` p50 | {pct(wall, 0.5):.3f} ms | {pct(cpu, 0.5):.3f} ms |")
    print(f"| `assess()` p99 | {pct(wall, 0.99):.3f} ms | {pct(cpu, 0.99):.3f} ms |")
    print(f"| `assess()` max | {wall[-1]:.3f} ms | {cpu[-1]:.3f} ms |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
