"""``heelwise evaluate VIGNETTES.json [--json]``: accuracy and triage safety on a vignette set."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from heelwise.clinical.evaluation import Report, VignetteError, evaluate_vignettes
from heelwise.clinical.knowledge_base import KnowledgeBaseError, load_knowledge_base


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Score the engine on a vignette set (top-1/top-3, triage safety)."
    parser.add_argument("file", help="vignette JSON file (a list of vignettes)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--verbose", action="store_true", help="list every case")
    parser.add_argument("--kb", default=None, help="knowledge-base directory (default: built in)")


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x * 100:.1f}%"


def _ci(ci: list[float] | None) -> str:
    return "" if ci is None else f"   (95% CI {ci[0] * 100:.1f}-{ci[1] * 100:.1f}%)"


def format_report(report: Report, name: str, verbose: bool = False) -> str:
    s = report.summary()
    lines = [
        f"Vignette set: {name} ({s['cases']} cases, {s['errors']} invalid)",
        "",
        f"  top-1 accuracy                    {_pct(s['top1'])}{_ci(s['top1_ci95'])}",
        f"  top-3 accuracy                    {_pct(s['top3'])}{_ci(s['top3_ci95'])}",
        f"  exact triage                      {_pct(s['triage_exact'])}",
        f"  safe triage (Gilbert 2020)        {_pct(s['triage_safe'])}",
        f"  safe triage, red-flag cases       {_pct(s['triage_safe_red_flag_cases'])}"
        f" (n={s['red_flag_cases']})",
        f"  under-triage, emergency/urgent    {s['under_triage_emergency_urgent']}"
        f" of {s['emergency_urgent_cases']}",
        f"  red-flag recall                   {_pct(s['red_flag_recall'])}",
        "",
        "Under-triaged cases (advice less urgent than gold):",
    ]
    if s["under_triage"]:
        for u in s["under_triage"]:
            extra = f" ({u['error']})" if u["error"] else ""
            lines.append(f"  {u['id']}: gold {u['gold']}, engine {u['predicted']}{extra}")
    else:
        lines.append("  none")
    lines += [
        "",
        f"  {'condition':<26} {'n':>3} {'top-1':>7} {'top-3':>7} {'safe':>7} {'exact':>7}",
    ]
    for row in s["per_condition"]:
        lines.append(
            f"  {row['condition']:<26} {row['cases']:>3} {_pct(row['top1']):>7}"
            f" {_pct(row['top3']):>7} {_pct(row['triage_safe']):>7} {_pct(row['triage_exact']):>7}"
        )
    if verbose:
        lines += ["", "Cases:"]
        for c in report.cases:
            mark = "ok " if c.top1 else ("~3 " if c.top3 else "MISS")
            lines.append(
                f"  {mark} {c.id}: gold {c.gold_condition}/{c.gold_disposition}; engine"
                f" {', '.join(c.top[:3])} / {c.disposition}"
                f" flags {sorted(c.red_flags)} (gold {sorted(c.gold_red_flags)})"
            )
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    try:
        with open(args.file, encoding="utf-8") as fh:
            vignettes: Any = json.load(fh)
    except OSError as exc:
        print(f"heelwise evaluate: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except json.JSONDecodeError as exc:
        print(f"heelwise evaluate: {args.file} is not valid JSON: {exc}", file=sys.stderr)
        return 2
    try:
        kb = load_knowledge_base(args.kb)
        report = evaluate_vignettes(vignettes, kb)
    except (VignetteError, KnowledgeBaseError) as exc:
        print(f"heelwise evaluate: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report.summary(), indent=2))
    else:
        sys.stdout.write(format_report(report, args.file, args.verbose))
    return 0
