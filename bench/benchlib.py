"""Helpers shared by the benchmarks that serve Heelwise under gunicorn against a database of
their own (bench_booking.py, bench_assessment_pages.py)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"


def recreate_database(url: str) -> None:
    """Start from an empty database: delete a SQLite file (and its WAL), or drop and create a
    PostgreSQL database through the server's `postgres` database."""
    if url.startswith("sqlite"):
        path = Path(urlsplit(url).path)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def bench_env(db_url: str, settings_module: str) -> dict[str, str]:
    """The environment for a bench process: its database, its bench-only settings module."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url,
        DJANGO_SETTINGS_MODULE=settings_module,
        PYTHONPATH=f"{BENCH}:{ROOT}",
    )
    return env
