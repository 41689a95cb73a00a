"""``heelwise kb [--path DIR] [--findings] [--json]``: validate and summarise the knowledge base.

Exit 0 when the knowledge base loads; 1 with ``file: item: reason`` on standard error when it
does not. ``--findings`` prints the questionnaire metadata of every request key as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys

from heelwise.clinical.knowledge_base import KnowledgeBaseError, load_knowledge_base


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Validate and summarise the clinical knowledge base."
    parser.add_argument("--path", default=None, help="knowledge-base directory (default: built in)")
    parser.add_argument("--findings", action="store_true", help="print findings metadata as JSON")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")


def run(args: argparse.Namespace) -> int:
    try:
        kb = load_knowledge_base(args.path)
    except KnowledgeBaseError as exc:
        print(f"heelwise kb: INVALID: {exc}", file=sys.stderr)
        return 1
    if args.findings:
        print(json.dumps({"groups": kb.groups, "findings": kb.findings_metadata()}, indent=2))
        return 0
    summary = kb.summary()
    summary["unverified_value_differences"] = list(kb.unverified_differences)
    summary["claims_missing_from_verification"] = list(kb.unverified_claims)
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    print(f"Knowledge base OK: {summary['version']} ({summary['path']})")
    for key in (
        "findings",
        "conditions",
        "likelihood_entries",
        "likelihood_entries_verified",
        "red_flag_rules",
        "care_plan_items",
        "care_plan_items_verified",
        "sources",
        "claims_referenced",
        "claims_verified",
    ):
        print(f"  {key.replace('_', ' '):<30} {summary[key]}")
    if kb.unverified_claims:
        print(f"  claims not yet in verification.yaml: {', '.join(kb.unverified_claims)}")
    for diff in kb.unverified_differences:
        print(f"  unverified value differs: {diff}")
    return 0
