"""Score the engine on a vignette set (``heelwise evaluate VIGNETTES.json``).

Vignette format (a JSON list)::

    {"id": "V001", "source": {...}, "summary": "...",
     "request": {"patient": {...}, "findings": {...}},
     "gold": {"condition": KEY, "disposition": LEVEL, "red_flags": [KEY, ...]}}

Metrics: top-1 and top-3 accuracy of the differential; exact triage; "safe" triage as defined
by Gilbert et al. 2020 (advice at the gold level, more urgent, or at most one level less urgent,
and never less urgent when the gold level is emergency); the under-triage list (advice less
urgent than gold); red-flag recall; and a per-condition table.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from heelwise.clinical.engine import assess
from heelwise.clinical.knowledge_base import (
    CONDITION_KEYS,
    DISPOSITIONS,
    RED_FLAG_KEYS,
    KnowledgeBase,
    load_knowledge_base,
)
from heelwise.clinical.validation import InvalidRequest


class VignetteError(ValueError):
    """The vignette file is not in the documented format."""


def is_safe(predicted: str, gold: str) -> bool:
    """Gilbert et al. 2020: at gold, more urgent, or one level less (never less on emergency)."""
    p, g = DISPOSITIONS.index(predicted), DISPOSITIONS.index(gold)
    if g == DISPOSITIONS.index("emergency"):
        return p >= g
    return p >= g - 1


def wilson_interval(hits: int, n: int, z: float = 1.96) -> tuple[float, float] | None:
    """95% Wilson score interval for a proportion (stays inside 0-1 for small sets)."""
    if n == 0:
        return None
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass
class CaseResult:
    id: str
    gold_condition: str
    gold_disposition: str
    gold_red_flags: list[str]
    top: list[str]
    disposition: str
    red_flags: list[str]
    error: str | None = None

    @property
    def top1(self) -> bool:
        return bool(self.top) and self.top[0] == self.gold_condition

    @property
    def top3(self) -> bool:
        return self.gold_condition in self.top[:3]

    @property
    def exact(self) -> bool:
        return self.disposition == self.gold_disposition

    @property
    def safe(self) -> bool:
        return self.error is None and is_safe(self.disposition, self.gold_disposition)

    @property
    def under_triaged(self) -> bool:
        return self.error is not None or DISPOSITIONS.index(self.disposition) < DISPOSITIONS.index(
            self.gold_disposition
        )


@dataclass
class Report:
    cases: list[CaseResult] = field(default_factory=list)

    @staticmethod
    def _hits(cases: Sequence[CaseResult], attr: str) -> int:
        return sum(1 for c in cases if getattr(c, attr))

    def _rate(self, cases: Sequence[CaseResult], attr: str) -> float | None:
        if not cases:
            return None
        return self._hits(cases, attr) / len(cases)

    def _interval(self, cases: Sequence[CaseResult], attr: str) -> list[float] | None:
        ci = wilson_interval(self._hits(cases, attr), len(cases))
        return None if ci is None else [ci[0], ci[1]]

    def summary(self) -> dict[str, Any]:
        cases = self.cases
        red = [c for c in cases if c.gold_red_flags]
        acute = [c for c in cases if c.gold_disposition in ("emergency", "urgent")]
        flags_expected = sum(len(c.gold_red_flags) for c in cases)
        flags_found = sum(len(set(c.gold_red_flags) & set(c.red_flags)) for c in cases)
        return {
            "cases": len(cases),
            "errors": sum(1 for c in cases if c.error),
            "top1": self._rate(cases, "top1"),
            "top3": self._rate(cases, "top3"),
            "top1_ci95": self._interval(cases, "top1"),
            "top3_ci95": self._interval(cases, "top3"),
            "triage_exact": self._rate(cases, "exact"),
            "triage_safe": self._rate(cases, "safe"),
            "triage_safe_red_flag_cases": self._rate(red, "safe"),
            "red_flag_cases": len(red),
            "emergency_urgent_cases": len(acute),
            "under_triage_emergency_urgent": sum(1 for c in acute if c.under_triaged),
            "red_flag_recall": flags_found / flags_expected if flags_expected else None,
            "under_triage": [
                {
                    "id": c.id,
                    "gold": c.gold_disposition,
                    "predicted": c.disposition,
                    "error": c.error,
                }
                for c in cases
                if c.under_triaged
            ],
            "per_condition": self.per_condition(),
        }

    def per_condition(self) -> list[dict[str, Any]]:
        rows = []
        for key in CONDITION_KEYS:
            cs = [c for c in self.cases if c.gold_condition == key]
            if not cs:
                continue
            rows.append(
                {
                    "condition": key,
                    "cases": len(cs),
                    "top1": self._rate(cs, "top1"),
                    "top3": self._rate(cs, "top3"),
                    "triage_safe": self._rate(cs, "safe"),
                    "triage_exact": self._rate(cs, "exact"),
                }
            )
        return rows


def _check(v: Any, i: int) -> tuple[str, Mapping[str, Any], Mapping[str, Any]]:
    if not isinstance(v, Mapping):
        raise VignetteError(f"item {i + 1}: must be an object")
    vid = str(v.get("id", f"#{i + 1}"))
    gold = v.get("gold")
    request = v.get("request")
    if not isinstance(gold, Mapping) or not isinstance(request, Mapping):
        raise VignetteError(f"{vid}: needs 'request' and 'gold' objects")
    if gold.get("condition") not in CONDITION_KEYS:
        raise VignetteError(
            f"{vid}: gold condition {gold.get('condition')!r} is not a condition key"
        )
    if gold.get("disposition") not in DISPOSITIONS:
        raise VignetteError(f"{vid}: gold disposition {gold.get('disposition')!r} is not a level")
    bad = [f for f in gold.get("red_flags") or [] if f not in RED_FLAG_KEYS]
    if bad:
        raise VignetteError(f"{vid}: unknown red flag(s) {bad}")
    return vid, request, gold


def evaluate_vignettes(vignettes: Any, kb: KnowledgeBase | None = None) -> Report:
    """Run every vignette through ``assess`` and collect the comparison with its gold answer."""
    kb = kb or load_knowledge_base()
    if not isinstance(vignettes, list):
        raise VignetteError("the vignette file must hold a JSON list")
    report = Report()
    for i, v in enumerate(vignettes):
        vid, request, gold = _check(v, i)
        base = {
            "id": vid,
            "gold_condition": gold["condition"],
            "gold_disposition": gold["disposition"],
            "gold_red_flags": list(gold.get("red_flags") or []),
        }
        try:
            result = assess(request, kb)
        except InvalidRequest as exc:
            report.cases.append(
                CaseResult(**base, top=[], disposition="self_care", red_flags=[], error=str(exc))
            )
            continue
        report.cases.append(
            CaseResult(
                **base,
                top=[d["condition"] for d in result["differential"]],
                disposition=result["disposition"],
                red_flags=[f["key"] for f in result["red_flags"]],
            )
        )
    return report
