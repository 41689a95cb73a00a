"""Parse one export archive in several processes (no Django here: the workers are spawned
fresh and import only ``heelwise.parsers``, so no database connection is ever shared).

Each worker runs ``iter_archive(path, shard=(i, n))`` and sends its FileResults back through a
bounded queue, so memory stays at a few results per worker. Members that every shard reports
(CSV, photos, an unreadable archive) are passed on once.
"""

from __future__ import annotations

import multiprocessing
import os
import queue as queue_mod
from collections.abc import Iterator
from typing import Any

from heelwise.parsers.api import Limits
from heelwise.parsers.archive import FileResult, iter_archive

QUEUE_SIZE = 32
_DONE = "__done__"


def _worker(path: str, name: str, shard: tuple[int, int], limits: Limits, out: Any) -> None:
    try:
        for result in iter_archive(path, name=name, limits=limits, shard=shard):
            out.put(result)
    except Exception as exc:  # noqa: BLE001 - reported as a result, never lost
        out.put(FileResult(name, "error", reason=f"archive worker failed ({type(exc).__name__})"))
    finally:
        out.put(_DONE)


def default_workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def archive_results(
    path: str, *, name: str, limits: Limits, workers: int | None = None
) -> Iterator[FileResult]:
    """FileResults of every member of the zip at ``path``, parsed by ``workers`` processes."""
    n = default_workers() if workers is None else workers
    if n <= 1:
        yield from iter_archive(path, name=name, limits=limits)
        return
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue(maxsize=QUEUE_SIZE)
    procs = [
        ctx.Process(target=_worker, args=(path, name, (i, n), limits, out), daemon=True)
        for i in range(n)
    ]
    for proc in procs:
        proc.start()
    seen_shared: set[str] = set()
    running = n
    try:
        while running:
            try:
                item = out.get(timeout=5)
            except queue_mod.Empty:
                if not any(p.is_alive() for p in procs):
                    yield FileResult(name, "error", reason="archive workers stopped unexpectedly")
                    return
                continue
            if item == _DONE:
                running -= 1
                continue
            assert isinstance(item, FileResult)
            if item.status != "ok" and not item.activities:
                if item.name in seen_shared:
                    continue
                seen_shared.add(item.name)
            yield item
    finally:
        for proc in procs:
            proc.join(timeout=1)
            if proc.is_alive():
                proc.terminate()
                proc.join()
