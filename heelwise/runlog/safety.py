"""What stops the return-to-run programme besides check-in red flags.

Other apps (the self-assessment, a clinician's record) register a source that returns, for a
user, the reasons running must not be progressed: for example "latest assessment: suspected
stress fracture". The runlog knows nothing about their models; they call
``register_blocker_source`` from their ``AppConfig.ready()``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: Conditions for which the pain-monitoring model must not be used (clinical reference, 5).
NO_RUN_THROUGH_PAIN = ("stress fracture", "rupture", "infection", "tumour")

BlockerSource = Callable[[Any], list[str]]
_SOURCES: list[BlockerSource] = []


def register_blocker_source(source: BlockerSource) -> None:
    if source not in _SOURCES:
        _SOURCES.append(source)


def programme_blockers(user: Any) -> list[str]:
    reasons: list[str] = []
    for source in _SOURCES:
        reasons.extend(source(user))
    return reasons


#: Conditions of the self-assessment's differential (spec/assessment.md keys) for which the
#: pain-guided programme must not run while they lead the differential.
BLOCKING_CONDITIONS = {
    "calcaneal_stress_fracture": "suspected heel bone stress fracture",
    "plantar_fascia_rupture": "suspected plantar fascia rupture",
    "infection": "possible infection",
    "tumour": "possible bone tumour",
}


def latest_assessment_blockers(user: Any) -> list[str]:
    """Reasons from the runner's latest saved self-assessment: a red flag it found, or a
    leading condition for which running through pain is unsafe. A newer assessment replaces
    an older one; nothing is inferred when there is none."""
    from django.apps import apps

    if not apps.is_installed("heelwise.assessment") or not getattr(user, "pk", None):
        return []
    assessment = apps.get_model("assessment", "Assessment")
    result = (
        assessment.objects.filter(user=user)
        .order_by("-created")
        .values_list("result", flat=True)
        .first()
    )
    if not isinstance(result, dict):
        return []
    reasons: list[str] = []
    if result.get("red_flags"):
        reasons.append("your latest self-assessment found a warning sign")
    differential = result.get("differential") or []
    leading = differential[0].get("condition") if differential else None
    if leading in BLOCKING_CONDITIONS:
        reasons.append(f"your latest self-assessment points to a {BLOCKING_CONDITIONS[leading]}")
    return reasons
