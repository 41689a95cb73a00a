"""Validate the Heelwise vignette library (tuning.json and locked.json).

Pure Python, no Django (reads heelwise/clinical/kb/findings.yaml with PyYAML and takes the
condition, red-flag and disposition vocabularies from heelwise.clinical.kb_model). Checks every
case against the findings vocabulary of that file (section 0 of the clinical reference plus the
documented Heelwise additions: scope, type, enum values, number ranges), the gold
condition/disposition/red-flag vocabularies, id uniqueness, and that every
condition appears in the tuning set (the locked set's gaps are printed). Also re-derives the
tuning/locked split from the documented rule (an id range) and fails if a case sits in the wrong
file, and checks that every locked case meets the locked set's minimum-findings criterion.

Usage: python heelwise/clinical/vignettes/check_vignettes.py [DIR]          # validate
       python heelwise/clinical/vignettes/check_vignettes.py --table [DIR]  # print the case table
       python heelwise/clinical/vignettes/check_vignettes.py --batch FILE   # one collector's batch
Exit status 0 when valid, 1 otherwise, 2 when the batch file or the arguments cannot be used.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from heelwise.clinical.kb_model import (
    CONDITION_KEYS,
    DEFAULT_KB_DIR,
    DISPOSITIONS,
    RED_FLAG_KEYS,
)

# The gold vocabularies are the knowledge base's own (condition order fixes the split rule).
CONDITIONS: tuple[str, ...] = CONDITION_KEYS
RED_FLAGS: tuple[str, ...] = RED_FLAG_KEYS
SOURCE_TYPES: tuple[str, ...] = ("case report", "case series", "guideline", "textbook", "review")

# The findings vocabulary is read from the knowledge base (heelwise/clinical/kb/findings.yaml):
# section 0 of the clinical reference (6 patient keys, 50 findings keys) plus the documented
# Heelwise additions (`added: true`). `scope` decides patient vs findings; the type, enum options
# and number ranges come from the same file, so a vignette request is valid exactly when the
# engine's own vocabulary accepts it (and, stricter than the engine, null is allowed only for the
# patient keys below, because an unknown finding is omitted, never written as null).
FINDINGS_YAML: Path = DEFAULT_KB_DIR / "findings.yaml"
NULLABLE: frozenset[str] = frozenset({"age", "bmi", "weekly_km", "recent_load_increase"})
SECTION0_COUNTS: dict[str, int] = {"patient": 6, "findings": 50}


@dataclass(frozen=True)
class Spec:
    """What one key of findings.yaml allows."""

    key: str
    scope: str
    type: str
    added: bool
    options: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    integer: bool = False


def load_vocabulary(path: Path = FINDINGS_YAML) -> dict[str, Spec]:
    """Read the findings vocabulary from the knowledge base (key -> Spec)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    out: dict[str, Spec] = {}
    for item in data["findings"]:
        opts = tuple(str(o["value"]) for o in item.get("options") or ())
        out[item["key"]] = Spec(
            key=item["key"],
            scope=item.get("scope", "findings"),
            type=item["type"],
            added=bool(item.get("added", False)),
            options=opts,
            min=item.get("min"),
            max=item.get("max"),
            integer=bool(item.get("integer", False)),
        )
    for scope, n in SECTION0_COUNTS.items():
        got = sum(1 for s in out.values() if s.scope == scope and not s.added)
        if got != n:
            raise ValueError(f"{path}: {got} section-0 {scope} keys, expected {n}")
    return out


VOCAB: dict[str, Spec] = load_vocabulary()

CASE_KEYS: frozenset[str] = frozenset({"id", "source", "summary", "request", "gold"})


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def value_problem(spec: Spec, v: Any) -> str | None:
    """Why ``v`` is not a valid value for ``spec`` (None when it is valid)."""
    if v is None:
        return None if spec.key in NULLABLE else "null (omit an unknown finding instead)"
    if spec.type == "bool":
        return None if isinstance(v, bool) else "not a boolean"
    if spec.type == "enum":
        return None if v in spec.options else f"not one of {list(spec.options)}"
    if spec.type != "number":
        raise ValueError(spec.type)
    if not _is_num(v):
        return "not a number"
    if spec.integer and not float(v).is_integer():
        return "not a whole number"
    if (spec.min is not None and v < spec.min) or (spec.max is not None and v > spec.max):
        return f"out of range {spec.min:g}-{spec.max:g}" if spec.max is not None else "too small"
    return None


def check_case(case: Any) -> list[str]:
    """Return the problems found in one case (empty when valid)."""
    probs: list[str] = []
    if not isinstance(case, dict):
        return ["case is not an object"]
    cid = case.get("id", "?")
    if set(case) != CASE_KEYS:
        probs.append(f"{cid}: top-level keys {sorted(case)}")
    src = case.get("source", {})
    if not (
        isinstance(src, dict)
        and src.get("citation")
        and src.get("url")
        and src.get("type") in SOURCE_TYPES
    ):
        probs.append(f"{cid}: bad source {src!r}")
    if not isinstance(case.get("summary"), str) or len(case.get("summary", "")) < 40:
        probs.append(f"{cid}: summary missing or too short")
    req = case.get("request", {})
    if not isinstance(req, dict) or set(req) != {"patient", "findings"}:
        probs.append(f"{cid}: request must hold exactly patient and findings")
        return probs
    for scope in ("patient", "findings"):
        block = req[scope]
        if not isinstance(block, dict):
            probs.append(f"{cid}: request.{scope} is not an object")
            continue
        for k, v in block.items():
            spec = VOCAB.get(k)
            if spec is None or spec.scope != scope:
                where = f" (it belongs in {spec.scope})" if spec is not None else ""
                probs.append(f"{cid}: unknown {scope} key {k}{where}")
            elif (why := value_problem(spec, v)) is not None:
                probs.append(f"{cid}: bad {scope} value {k}={v!r}: {why}")
    gold = case.get("gold", {})
    if gold.get("condition") not in CONDITIONS:
        probs.append(f"{cid}: bad gold condition {gold.get('condition')!r}")
    if gold.get("disposition") not in DISPOSITIONS:
        probs.append(f"{cid}: bad gold disposition {gold.get('disposition')!r}")
    flags = gold.get("red_flags")
    if (
        not isinstance(flags, list)
        or any(f not in RED_FLAGS for f in flags)
        or len(set(flags)) != len(flags)
    ):
        probs.append(f"{cid}: bad red_flags {flags!r}")
    if set(gold) != {"condition", "disposition", "red_flags"}:
        probs.append(f"{cid}: gold keys {sorted(gold)}")
    return probs


# The split (see README.md, "Split rule and the locked sets"). Each locked set is measured once
# and then spent into tuning. Set 1 (41 of V001-V081, alternating within each condition) was run
# twice; sets 2 (V101-V191), 3 (V202-V283), 4 (V301-V382) and 5 (V401-V481) once each; all five
# are tuning now, and so are sets 6 (V501-V582), 7 (V601-V650), 8 (V701-V771), 9 (V801-V853) and
# 10 (V901-V944), each run once and then studied. Ids LOCKED_FIRST to LOCKED_LAST are reserved for
# the next blind batch (set 11), to be collected with the same inclusion criteria. Cases added
# later outside that range go to tuning.
LOCKED_FIRST: int = 1001
LOCKED_LAST: int = 1099
# Inclusion criterion 4 of locked sets 2-10: the age and at least this many findings the source
# reports.
LOCKED_MIN_FINDINGS: int = 5


def criterion_4_problems(case: dict[str, Any]) -> list[str]:
    """Inclusion criterion 4 of the locked sets: the age and LOCKED_MIN_FINDINGS findings."""
    request = case.get("request", {})
    found = []
    if request.get("patient", {}).get("age") is None:
        found.append(f"{case.get('id')}: a locked case needs the age")
    n = len(request.get("findings", {}))
    if n < LOCKED_MIN_FINDINGS:
        found.append(
            f"{case.get('id')}: a locked case needs at least {LOCKED_MIN_FINDINGS} findings"
        )
    return found


def check_batch(path: Path) -> int:
    """Check one collector's batch file before it joins locked.json (``--batch FILE``)."""
    try:
        cases = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"PROBLEM: {path}: cannot read a JSON list of cases ({exc})")
        return 2
    if not isinstance(cases, list):
        print(f"PROBLEM: {path}: a batch is a JSON list of cases")
        return 2
    bad = [p for case in cases for p in (*check_case(case), *criterion_4_problems(case))]
    for p in bad:
        print("PROBLEM:", p)
    print(f"{len(cases)} cases, {len(bad)} problems")
    return 1 if bad else 0


def id_number(case_id: str) -> int:
    """The number of an id such as "V082"."""
    return int(case_id.lstrip("V"))


def expected_split(cases: list[dict[str, Any]]) -> dict[str, str]:
    """The documented split rule: ids LOCKED_FIRST to LOCKED_LAST are locked, the rest tuning."""
    return {
        c["id"]: "locked" if LOCKED_FIRST <= id_number(c["id"]) <= LOCKED_LAST else "tuning"
        for c in cases
    }


def markdown_table(cases: list[dict[str, Any]], split: dict[str, str]) -> str:
    """The per-case table used in README.md and docs/vignettes.md."""
    lines = [
        "| id | set | condition | disposition | red flags | source type | citation |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in sorted(cases, key=lambda c: id_number(c["id"])):
        g = c["gold"]
        flags = ", ".join(g["red_flags"]) or "-"
        cite = c["source"]["citation"].replace("|", "/")
        lines.append(
            f"| {c['id']} | {split[c['id']]} | {g['condition']} | {g['disposition']} | {flags} "
            f"| {c['source']['type']} | {cite} [link]({c['source']['url']}) |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    args = [a for a in argv[1:] if not a.startswith("--")]
    if "--batch" in argv:
        if len(args) != 1:
            print("usage: check_vignettes.py --batch FILE")
            return 2
        return check_batch(Path(args[0]))
    here = Path(args[0]) if args else Path(__file__).resolve().parent
    if "--table" in argv:
        both: list[dict[str, Any]] = []
        for name in ("tuning", "locked"):
            both.extend(json.loads((here / f"{name}.json").read_text(encoding="utf-8")))
        print(markdown_table(both, expected_split(both)), end="")
        return 0
    sets: dict[str, list[dict[str, Any]]] = {}
    problems: list[str] = []
    for name in ("tuning", "locked"):
        data = json.loads((here / f"{name}.json").read_text(encoding="utf-8"))
        if not isinstance(data, list):
            problems.append(f"{name}.json is not a list")
            data = []
        sets[name] = data
        for case in data:
            problems.extend(check_case(case))
    everything = sets["tuning"] + sets["locked"]
    ids = Counter(c.get("id") for c in everything)
    problems.extend(f"duplicate id {i}" for i, n in ids.items() if n > 1)
    citations = Counter((c["source"]["citation"], c["summary"]) for c in everything)
    problems.extend(f"duplicate case {k[0][:60]}" for k, n in citations.items() if n > 1)
    present = {c["gold"]["condition"] for c in sets["tuning"]}
    problems.extend(f"tuning: condition {k} missing" for k in CONDITIONS if k not in present)
    # A locked set takes what a blind, criteria-first search found; a condition with no eligible
    # published case is reported, not padded (README.md, "Split rule and the locked sets").
    in_locked = {c["gold"]["condition"] for c in sets["locked"]}
    for k in CONDITIONS:
        if k not in in_locked:
            print(f"note: no locked case for {k}")
    split = expected_split(everything)
    for name, data in sets.items():
        problems.extend(
            f"{c['id']} is in {name} but the rule puts it in {split[c['id']]}"
            for c in data
            if split.get(c["id"]) != name
        )
    for c in sets["locked"]:
        problems.extend(criterion_4_problems(c))
    n = len(everything)
    flagged = sum(1 for c in everything if c["gold"]["red_flags"])
    print(
        f"{n} cases: tuning {len(sets['tuning'])}, locked {len(sets['locked'])}; "
        f"red-flag cases {flagged} ({100 * flagged / max(n, 1):.0f}%)"
    )
    for k in CONDITIONS:
        t = sum(1 for c in sets["tuning"] if c["gold"]["condition"] == k)
        lk = sum(1 for c in sets["locked"] if c["gold"]["condition"] == k)
        print(f"  {k:28s} tuning {t:2d}  locked {lk:2d}")
    if n < 60:
        problems.append(f"only {n} cases (need at least 60)")
    if flagged * 4 < n:
        problems.append("fewer than a quarter of cases have red flags")
    for p in problems:
        print("PROBLEM:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
