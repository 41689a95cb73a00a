"""``heelwise runs import --user EMAIL FILE_OR_ZIP...``: parse like ``runs parse`` and store for
that user. One JSON line per activity or file result, then a summary line; duplicates are
reported and skipped; a broken file stores nothing. Exit 0 when all is fine, 1 when any file
failed, 2 for usage errors (unknown user).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import zipfile
from collections.abc import Iterator
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--user", required=True, metavar="EMAIL", help="the runner's login email")
    parser.add_argument("files", nargs="+", metavar="FILE_OR_ZIP", help="FIT/GPX/TCX, .gz, .zip")


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from heelwise.accounts.models import User
    from heelwise.runlog.importing import activities_store

    user = User.objects.filter(email__iexact=str(args.user).strip()).first()
    if user is None:
        sys.stderr.write(f"heelwise runs import: no user with email {args.user!r}\n")
        return 2
    out = sys.stdout

    def emit(_done: int, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            out.write(json.dumps(row) + "\n")
        out.flush()

    outcome = activities_store(
        user=user,
        results=_results(list(args.files)),
        on_file=emit,
    )
    out.write(json.dumps({"summary": outcome.summary()}) + "\n")
    return 1 if outcome.failed else 0


def _results(paths: list[str]) -> Iterator[Any]:
    """Like ``iter_paths``, but an export archive is parsed by up to two processes."""
    from heelwise.parsers.archive import is_activity_name, iter_paths
    from heelwise.runlog.importing import PER_FILE_LIMITS, import_workers
    from heelwise.runlog.parallel import archive_results

    for path in paths:
        try:
            with zipfile.ZipFile(path) as zf:
                members = sum(1 for n in zf.namelist() if is_activity_name(n))
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            yield from iter_paths([path], limits=PER_FILE_LIMITS)  # not a zip: parsed as a file
            continue
        yield from archive_results(
            path, name=path, limits=PER_FILE_LIMITS, workers=import_workers(members)
        )
