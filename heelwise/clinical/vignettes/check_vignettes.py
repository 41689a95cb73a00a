"""Validate the Heelwise vignette library (tuning.json and locked.json).

Pure Python, no Django. Checks every case against the findings vocabulary of
section 0 of the clinical reference (keys, types, enum values), the gold
condition/disposition/red-flag vocabularies, id uniqueness, and that every
condition appears in both sets. Also re-derives the tuning/locked split from
the documented rule and fails if a case sits in the wrong file.

Usage: python heelwise/clinical/vignettes/check_vignettes.py [DIR]          # validate
       python heelwise/clinical/vignettes/check_vignettes.py --table [DIR]  # print the case table
Exit status 0 when valid, 1 otherwise.
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

CONDITIONS: tuple[str, ...] = (
    "plantar_fasciitis",
    "achilles_insertional",
    "achilles_midportion",
    "retrocalcaneal_bursitis",
    "calcaneal_stress_fracture",
    "tarsal_tunnel",
    "baxter_nerve",
    "fat_pad",
    "sever_apophysitis",
    "spondyloarthritis",
    "gout",
    "plantar_fascia_rupture",
    "s1_radiculopathy",
    "infection",
    "tumour",
)
DISPOSITIONS: tuple[str, ...] = ("emergency", "urgent", "soon", "self_care")
RED_FLAGS: tuple[str, ...] = (
    "unable_to_bear_weight",
    "trauma_onset",
    "sudden_pop_or_acute_tear",
    "hot_swollen_red",
    "fever",
    "systemically_unwell",
    "wound_or_discharge",
    "diabetes_foot_complication",
    "night_pain",
    "cancer_or_weight_loss",
    "bony_swelling_or_mass",
    "neurological_deficit",
    "progressive_neuro_deficit",
    "cauda_equina_symptoms",
    "paediatric",
    "inflammatory_features",
    "energy_deficiency",
)
SOURCE_TYPES: tuple[str, ...] = ("case report", "case series", "guideline", "textbook", "review")

# section 0.1
PATIENT: dict[str, str] = {
    "age": "int_or_null",
    "sex": "sex",
    "bmi": "num_or_null",
    "runner": "bool",
    "weekly_km": "num_or_null",
    "recent_load_increase": "bool_or_null",
}
LOCATIONS: tuple[str, ...] = (
    "plantar_medial",
    "plantar_central",
    "plantar_unspecified",
    "plantar_arch",
    "posteroinferior",
    "posterior_insertion",
    "posterior_midportion",
    "posterior_unspecified",
    "medial_ankle",
    "lateral_heel",
    "diffuse",
)
CHARACTERS: tuple[str, ...] = ("sharp", "aching", "burning", "throbbing", "bruise_like")
ONSETS: tuple[str, ...] = ("gradual", "sudden", "trauma")
_BOOL_FINDINGS: tuple[str, ...] = (
    "bilateral",
    "radiates_distally",
    "first_step_pain",
    "post_rest_pain",
    "warm_up_improves",
    "pain_during_activity",
    "pain_after_activity",
    "pain_at_night",
    "pop_felt",
    "can_bear_weight",
    "burning_or_tingling",
    "numbness",
    "foot_muscle_weakness",
    "back_pain_radiating_leg",
    "ankle_reflex_reduced",
    "slr_positive",
    "tinel_tarsal_positive",
    "swelling",
    "redness",
    "warmth",
    "bruising",
    "skin_wound_or_discharge",
    "tender_medial_calcaneal_tubercle",
    "tender_heel_pad_center",
    "tender_achilles_insertion",
    "tender_achilles_midportion",
    "tender_retrocalcaneal_bursa",
    "posterior_heel_prominence",
    "squeeze_test_positive",
    "windlass_positive",
    "hop_test_pain",
    "limited_ankle_dorsiflexion",
    "barefoot_or_hard_surface_worse",
    "fever",
    "diabetes",
    "cancer_history",
    "weight_loss",
    "morning_stiffness_over_30min",
    "inflammatory_back_pain",
    "other_joints_affected",
    "psoriasis",
    "recent_infection_gu_or_gi",
    "recent_steroid_injection",
    "menstrual_irregularity",
    "gout_history_or_hyperuricaemia",
)
# section 0.2 (50 keys)
FINDINGS: dict[str, Any] = {
    "pain_location": LOCATIONS,
    "pain_character": CHARACTERS,
    "onset": ONSETS,
    "duration_weeks": "nonneg_num",
    "pain_nrs": "nrs",
    **{k: "bool" for k in _BOOL_FINDINGS},
}
assert len(FINDINGS) == 50, len(FINDINGS)

CASE_KEYS: frozenset[str] = frozenset({"id", "source", "summary", "request", "gold"})


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _check_value(kind: Any, v: Any) -> bool:
    if isinstance(kind, tuple):
        return v in kind
    if kind == "bool":
        return isinstance(v, bool)
    if kind == "bool_or_null":
        return v is None or isinstance(v, bool)
    if kind == "int_or_null":
        return v is None or (isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 120)
    if kind == "num_or_null":
        return v is None or (_is_num(v) and v >= 0)
    if kind == "nonneg_num":
        return _is_num(v) and v >= 0
    if kind == "nrs":
        return _is_num(v) and 0 <= v <= 10
    if kind == "sex":
        return v in ("female", "male")
    raise ValueError(kind)


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
    for k, v in req["patient"].items():
        if k not in PATIENT:
            probs.append(f"{cid}: unknown patient key {k}")
        elif not _check_value(PATIENT[k], v):
            probs.append(f"{cid}: bad patient value {k}={v!r}")
    for k, v in req["findings"].items():
        if k not in FINDINGS:
            probs.append(f"{cid}: unknown finding {k}")
        elif not _check_value(FINDINGS[k], v):
            probs.append(f"{cid}: bad finding value {k}={v!r}")
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


def expected_split(cases: list[dict[str, Any]]) -> dict[str, str]:
    """The documented split rule (fixed before any engine run).

    Take the conditions in the fixed order of CONDITIONS and number them 0..14. Within each
    condition sort the cases by id and alternate between the two sets. Even-numbered conditions
    start with "tuning", odd-numbered ones start with "locked", so conditions with an odd number
    of cases do not all tip the same way and the two sets stay about 50/50.
    """
    by_cond: dict[str, list[str]] = defaultdict(list)
    for c in cases:
        by_cond[c["gold"]["condition"]].append(c["id"])
    out: dict[str, str] = {}
    for k, cond in enumerate(CONDITIONS):
        first, second = ("tuning", "locked") if k % 2 == 0 else ("locked", "tuning")
        for i, cid in enumerate(sorted(by_cond.get(cond, []))):
            out[cid] = first if i % 2 == 0 else second
    return out


def markdown_table(cases: list[dict[str, Any]], split: dict[str, str]) -> str:
    """The per-case table used in README.md and docs/vignettes.md."""
    lines = [
        "| id | set | condition | disposition | red flags | source type | citation |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in sorted(cases, key=lambda c: c["id"]):
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
    for name, data in sets.items():
        present = {c["gold"]["condition"] for c in data}
        problems.extend(f"{name}: condition {k} missing" for k in CONDITIONS if k not in present)
    split = expected_split(everything)
    for name, data in sets.items():
        problems.extend(
            f"{c['id']} is in {name} but the rule puts it in {split[c['id']]}"
            for c in data
            if split.get(c["id"]) != name
        )
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
