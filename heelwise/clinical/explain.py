"""Render an assessment result for a person in a terminal (``heelwise assess --explain``)."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

WIDTH = 78
_HEAD = {
    "emergency": "EMERGENCY - call 999 or go to the emergency department now",
    "urgent": "URGENT - see a clinician today, or within 48 hours where a red flag below says so",
    "soon": "SOON - see a clinician within about 1-2 weeks",
    "self_care": "SELF-CARE - manage it yourself; review if not clearly better by about 6 weeks",
}


def _wrap(text: str, indent: str = "  ") -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ")


def _bar(p: float, width: int = 20) -> str:
    n = round(p * width)
    return "#" * n + "." * (width - n)


def render(result: dict[str, Any], top: int = 5, questions: Mapping[str, str] | None = None) -> str:
    """A readable, plain-text version of one result."""
    lines: list[str] = []
    title = "Heelwise assessment" + (f" {result['id']}" if result.get("id") else "")
    lines += [title, "=" * len(title), ""]
    lines.append("What to do: " + _HEAD[result["disposition"]])
    because = result.get("disposition_because") or {}
    escalations = result.get("escalations") or []
    escalation_keys = {e["key"] for e in escalations}
    reasons = [
        f"{'escalation' if k in escalation_keys else 'red flag'} {k}"
        for k in because.get("red_flags", [])
    ] + [
        "the pattern is not typical of plantar fasciitis"
        if key == "atypical_pattern"
        else f"{key} is likely"
        for key in because.get("conditions", [])
    ]
    if reasons:
        lines += _wrap("because: " + "; ".join(reasons), "  ")
    # Red flags ("!"), then escalations ("~"): not red flags, but they set the level too.
    marked = [("!", f) for f in result["red_flags"]] + [("~", e) for e in escalations]
    for mark, item in marked:
        lines.append("")
        lines += _wrap(f"{mark} {item['key']} ({item['disposition']}): {item['message']}", "")
        lines.append(f"    because: {', '.join(item['because'])}")
    lines += ["", f"Most likely causes (top {top} of {len(result['differential'])}):"]
    for d in result["differential"][:top]:
        lines.append(f"  {d['probability'] * 100:5.1f}%  {_bar(d['probability'])}  {d['name']}")
        moved = [
            f"{w['finding']}={_fmt(w['value'])} {'+' if w['weight'] > 0 else ''}{w['weight']:.2f}"
            f" [{w['source']}]"
            for w in d["why"][:4]
        ]
        if moved:
            lines += _wrap("why: " + "; ".join(moved), "          ")
    if result.get("stage"):
        st = result["stage"]
        lines += ["", f"Plantar heel pain stage {st['stage']}: {st['label']}"]
        lines += _wrap("because: " + "; ".join(st["because"]))
    if result["next_questions"]:
        lines += ["", "Questions that would help most next:"]
        for key in result["next_questions"]:
            text = (questions or {}).get(key)
            lines += _wrap(f"- {text} ({key})" if text else f"- {key}")
    if result["care_plan"]:
        lines += ["", "Care plan:"]
        for item in result["care_plan"]:
            ev = item["evidence"]
            check = "checked" if ev["verified"] else "not yet checked against the source"
            lines.append(f"  - {item['title']} (weeks {item['weeks'][0]}-{item['weeks'][1]})")
            lines += _wrap(f"dose: {item['dose']}", "      ")
            lines += _wrap(f"evidence: {ev['grade']} [{ev['source']}, {check}]", "      ")
    if result.get("care_plan_excluded"):
        lines += ["", "Left out of the care plan:"]
        by_reason: dict[str, list[str]] = {}
        for ex in result["care_plan_excluded"]:
            by_reason.setdefault(ex["reason"], []).append(ex["title"])
        for reason, titles in by_reason.items():
            lines += _wrap(f"- {', '.join(titles)}: {reason}")
    lines += [
        "",
        f"Knowledge base: {result['knowledge_base']}. Weights are natural-log likelihood ratios.",
        "This is decision support, not a diagnosis. If you are worried, contact a clinician.",
        "",
    ]
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


def render_error(error: dict[str, Any]) -> str:
    lines = [f"Line {error['line']}: the request is invalid"]
    lines.extend(f"  - {p['field']}: {p['message']}" for p in error["problems"])
    return "\n".join(lines) + "\n"
