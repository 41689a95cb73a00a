"""``heelwise runs parse FILE...``: one JSON line per activity (or leg), nothing stored.

Exit 0 when every file parsed, 1 when any did not. Zip export archives are expanded: one line
per activity inside, named ``archive.zip!activities/123.fit``; non-activity members of an
archive (CSV, JSON, photos) are passed over silently.
"""

from __future__ import annotations

import argparse
import json
import sys

from heelwise.parsers.api import MB, Limits
from heelwise.parsers.archive import iter_paths


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="FIT/GPX/TCX, .gz, or .zip")
    parser.add_argument(
        "--max-mb",
        type=float,
        default=50.0,
        help="refuse files (and gunzipped content) larger than this many MB (default 50)",
    )


def run(args: argparse.Namespace) -> int:
    limits = Limits(max_bytes=int(args.max_mb * MB))
    failed = False
    out = sys.stdout
    for result in iter_paths(list(args.files), limits=limits):
        if result.status == "ok":
            for activity in result.activities:
                out.write(json.dumps(activity.to_json(result.name)) + "\n")
        elif result.status == "error":
            failed = True
            out.write(json.dumps({"file": result.name, "error": result.reason}) + "\n")
        out.flush()
    return 1 if failed else 0
