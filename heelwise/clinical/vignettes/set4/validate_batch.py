"""Validate one collector's batch file before it joins the library (used for locked set 4).

Usage: python heelwise/clinical/vignettes/set4/validate_batch.py BATCH.json

Runs the library's own per-case check (check_vignettes.check_case: keys, scope, types, enums,
ranges, gold vocabularies) and the inclusion criterion 4 of the locked sets (an age and at least
LOCKED_MIN_FINDINGS keys in `findings`). Exit status 0 when every case passes, 1 otherwise.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parents[3]))

import check_vignettes as cv  # noqa: E402


def problems(case: dict[str, Any]) -> list[str]:
    found = cv.check_case(case)
    request = case.get("request", {})
    if "age" not in request.get("patient", {}):
        found.append(f"{case.get('id')}: no age")
    n = len(request.get("findings", {}))
    if n < cv.LOCKED_MIN_FINDINGS:
        found.append(f"{case.get('id')}: only {n} findings (criterion 4 needs 5)")
    return found


def main(path: str) -> int:
    with open(path, encoding="utf-8") as fh:
        cases = json.load(fh)
    bad = [p for case in cases for p in problems(case)]
    for p in bad:
        print(p)
    print(f"{len(cases)} cases, {len(bad)} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
