"""The runner's care plan, when they have one: the items of their latest saved
self-assessment's result (spec/assessment.md ``care_plan``), titled from the clinical
knowledge base. The check-in shows them beside "exercises from your plan today"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class CarePlan:
    assessed_at: datetime
    items: tuple[str, ...]


def _titles() -> dict[str, str]:
    try:
        from heelwise.clinical import care_plan_catalogue

        return {c["item"]: c["title"] for c in care_plan_catalogue()}
    except Exception:  # the knowledge base is optional here: keys still read as titles
        return {}


def care_plan_get(*, user: Any) -> CarePlan | None:
    from django.apps import apps

    if not apps.is_installed("heelwise.assessment"):
        return None
    assessment = apps.get_model("assessment", "Assessment")
    row = (
        assessment.objects.filter(user=user)
        .order_by("-created")
        .values_list("created", "result")
        .first()
    )
    if row is None or not isinstance(row[1], dict):
        return None
    items = [i for i in row[1].get("care_plan") or [] if isinstance(i, dict)]
    keys: list[str] = [i["item"] for i in items if isinstance(i.get("item"), str)]
    if not keys:
        return None
    titles = _titles()
    return CarePlan(
        assessed_at=row[0],
        items=tuple(titles.get(k, k.replace("_", " ").capitalize()) for k in keys),
    )
