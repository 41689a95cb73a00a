"""The one place this app talks to the clinical engine (heelwise.clinical).

Answers travel through the web flow as a flat ``{key: value}`` mapping; the engine wants the
request shape of spec/assessment.md (``patient`` and ``findings`` objects). These helpers convert
between the two and evaluate a finding's ``enable_when`` the way the engine does (three-valued:
a question is asked unless its condition is known to be false).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from heelwise.clinical.knowledge_base import Finding, KnowledgeBase, load_knowledge_base
from heelwise.clinical.rules import Context

Answers = dict[str, Any]


def knowledge_base() -> KnowledgeBase:
    return load_knowledge_base()


def kb_version() -> str:
    return knowledge_base().version


def care_item(key: str) -> dict[str, Any]:
    """The knowledge base's full text of a care-plan item (results cite items by key)."""
    return _catalogue(kb_version()).get(key, {})


@lru_cache(maxsize=4)
def _catalogue(version: str) -> dict[str, dict[str, Any]]:
    return {c["item"]: c for c in knowledge_base().care_plan_catalogue()}


def finding(key: str) -> Finding:
    return knowledge_base().findings[key]


def to_request(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Flat answers -> ``{"patient": {...}, "findings": {...}}`` (unknown answers left out)."""
    kb = knowledge_base()
    patient: dict[str, Any] = {}
    findings: dict[str, Any] = {}
    for key, value in answers.items():
        if value is None:
            continue
        (patient if kb.findings[key].scope == "patient" else findings)[key] = value
    return {"patient": patient, "findings": findings}


def from_request(request: Mapping[str, Any]) -> Answers:
    out: Answers = {}
    for part in ("patient", "findings"):
        out.update({k: v for k, v in (request.get(part) or {}).items() if v is not None})
    return out


def is_enabled(f: Finding, answers: Mapping[str, Any]) -> bool:
    """A question is shown unless its ``enable_when`` is known to be false."""
    if f.enable_when is None:
        return True
    value, _because = f.enable_when.evaluate(Context(values=answers))
    return value is not False


def assess(answers: Mapping[str, Any]) -> dict[str, Any]:
    from heelwise.clinical import assess as engine_assess

    return engine_assess(to_request(answers))


def ranked_questions(answers: Mapping[str, Any]) -> list[str]:
    """Unanswered findings that would most change the result, best first (the engine's order)."""
    from heelwise.clinical import next_questions

    return list(next_questions(to_request(answers)))


def validate(request: Any) -> list[dict[str, str]]:
    """Every problem with an engine request (empty when valid)."""
    from heelwise.clinical import InvalidRequest, validate_request

    try:
        problems = validate_request(request)
    except InvalidRequest as exc:
        return list(exc.problems)
    return list(problems or [])
