"""FHIR R4 resources for the self-assessment.

* ``questionnaire()`` publishes the knowledge base as a ``Questionnaire``: one group per
  questionnaire section, one item per finding, ``linkId`` = the finding key, ``enableWhen`` for
  conditional questions.
* ``questionnaire_response(answers)`` records a patient's answers as a ``QuestionnaireResponse``
  and ``answers_from_response`` reads them back (the stored response is the record of truth).
* ``validate_questionnaire`` / ``validate_response`` check a resource with the fhir.resources
  R4B models (R4B shares R4's Questionnaire and QuestionnaireResponse structure) and then the
  rules a schema cannot express (unique linkIds, enableWhen targets, answer types).

The knowledge base says "ask unless the condition is known to be false"; FHIR's enableWhen is
false when the question it depends on is unanswered, so each condition is published as
``enableBehavior: any`` of "the question has no answer" and the condition itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.conf import settings

from heelwise.assessment import engine
from heelwise.clinical.knowledge_base import Finding

ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
UNIT = "http://hl7.org/fhir/StructureDefinition/questionnaire-unit"
CODE_SYSTEM_BASE = "https://heelwise.org/fhir/CodeSystem/"
GROUP_PREFIX = "group-"


class FhirInvalid(ValueError):
    """A FHIR resource failed validation; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def questionnaire_url() -> str:
    return f"{settings.SITE_URL}/assessment/fhir/Questionnaire/heel-pain"


def _canonical() -> str:
    return f"{questionnaire_url()}|{engine.kb_version()}"


def _coding(f: Finding, value: str) -> dict[str, Any]:
    labels = dict(f.options)
    return {"system": CODE_SYSTEM_BASE + f.key, "code": value, "display": labels[value]}


def _answer_type(f: Finding) -> str:
    if f.type == "bool":
        return "boolean"
    if f.type == "enum":
        return "choice"
    return "integer" if f.integer else "decimal"


def _condition_parts(spec: Any) -> tuple[list[dict[str, Any]], str]:
    """Translate an enable_when spec into (FHIR enableWhen list, enableBehavior)."""
    if isinstance(spec, str):
        spec = {"var": spec, "eq": True}
    if "any" in spec:
        parts = [_comparison(p) for p in spec["any"]]
        return parts, "any"
    if "all" in spec:
        return [_comparison(p) for p in spec["all"]], "all"
    return [_comparison(spec)], "all"


def _comparison(spec: Any) -> dict[str, Any]:
    negate = False
    if isinstance(spec, str):
        spec = {"var": spec, "eq": True}
    if "not" in spec:
        negate, spec = True, spec["not"]
        if isinstance(spec, str):
            spec = {"var": spec, "eq": True}
    ops = {"eq": "=", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
    (op, value), *_ = ((k, v) for k, v in spec.items() if k != "var")
    if op not in ops:
        raise ValueError(f"enable_when operator {op!r} has no FHIR equivalent")
    operator = ops[op]
    if negate:
        operator = {"=": "!=", "!=": "="}.get(operator, operator)
    target = engine.finding(spec["var"])
    out: dict[str, Any] = {"question": spec["var"], "operator": operator}
    if target.type == "bool":
        out["answerBoolean"] = value
    elif target.type == "enum":
        out["answerCoding"] = _coding(target, value)
    elif target.integer:
        out["answerInteger"] = int(value)
    else:
        out["answerDecimal"] = value
    return out


def _enable_when(f: Finding) -> dict[str, Any]:
    if f.enable_when_spec is None:
        return {}
    parts, behaviour = _condition_parts(f.enable_when_spec)
    # "Ask unless known false": also enabled while the questions it depends on are unanswered.
    unanswered = [
        {"question": q, "operator": "exists", "answerBoolean": False}
        for q in dict.fromkeys(p["question"] for p in parts)
    ]
    if behaviour == "all" and len(parts) > 1:
        # FHIR cannot nest conditions; publish the strict form for multi-part "all" conditions.
        return {"enableWhen": parts, "enableBehavior": "all"}
    return {"enableWhen": unanswered + parts, "enableBehavior": "any"}


def _item(f: Finding) -> dict[str, Any]:
    item: dict[str, Any] = {"linkId": f.key, "text": f.question, "type": _answer_type(f)}
    if f.type == "enum":
        item["answerOption"] = [{"valueCoding": _coding(f, v)} for v, _label in f.options]
    extensions: list[dict[str, Any]] = []
    if f.type == "number":
        kind = "valueInteger" if f.integer else "valueDecimal"
        cast = int if f.integer else float
        if f.min is not None:
            extensions.append({"url": MIN_VALUE, kind: cast(f.min)})
        if f.max is not None:
            extensions.append({"url": MAX_VALUE, kind: cast(f.max)})
        if f.unit:
            extensions.append({"url": UNIT, "valueCoding": {"display": f.unit}})
    if extensions:
        item["extension"] = extensions
    item.update(_enable_when(f))
    if f.help:
        item["item"] = [
            {
                "linkId": f"{f.key}.help",
                "text": f.help,
                "type": "display",
                "extension": [
                    {
                        "url": ITEM_CONTROL,
                        "valueCodeableConcept": {
                            "coding": [
                                {
                                    "system": "http://hl7.org/fhir/questionnaire-item-control",
                                    "code": "help",
                                }
                            ]
                        },
                    }
                ],
            }
        ]
    return item


@lru_cache(maxsize=4)
def _questionnaire_for(version: str) -> dict[str, Any]:
    kb = engine.knowledge_base()
    groups = sorted(kb.groups, key=lambda g: g["order"])
    by_group: dict[str, list[Finding]] = {g["key"]: [] for g in groups}
    for f in sorted(kb.findings.values(), key=lambda f: f.order):
        by_group[f.group].append(f)
    return {
        "resourceType": "Questionnaire",
        "id": "heel-pain",
        "url": questionnaire_url(),
        "version": version,
        "name": "HeelwiseHeelPainSelfAssessment",
        "title": "Heel pain self-assessment",
        "status": "active",
        "subjectType": ["Patient"],
        "publisher": "Heelwise",
        "description": (
            "Questions a runner with heel pain answers (and, in the examination section, a "
            "clinician). Generated from the Heelwise clinical knowledge base; linkIds are the "
            "findings keys of the assessment request. It supports triage and self-care advice; "
            "it does not diagnose."
        ),
        "item": [
            {
                "linkId": GROUP_PREFIX + g["key"],
                "text": g["label"],
                "type": "group",
                "item": [_item(f) for f in by_group[g["key"]]],
            }
            for g in groups
            if by_group[g["key"]]
        ],
    }


def questionnaire() -> dict[str, Any]:
    """The whole knowledge base as a FHIR R4 Questionnaire (a fresh copy each call)."""
    import copy

    return copy.deepcopy(_questionnaire_for(engine.kb_version()))


def _answer(f: Finding, value: Any) -> dict[str, Any]:
    if f.type == "bool":
        return {"valueBoolean": bool(value)}
    if f.type == "enum":
        return {"valueCoding": _coding(f, value)}
    if f.integer:
        return {"valueInteger": int(value)}
    return {"valueDecimal": float(value)}


def questionnaire_response(
    answers: Mapping[str, Any], *, authored: datetime, status: str = "completed"
) -> dict[str, Any]:
    """The answers as a QuestionnaireResponse (unanswered questions are left out, as FHIR asks)."""
    kb = engine.knowledge_base()
    groups = sorted(kb.groups, key=lambda g: g["order"])
    items = []
    for g in groups:
        answered = sorted(
            (kb.findings[k] for k, v in answers.items() if v is not None),
            key=lambda f: f.order,
        )
        children = [
            {"linkId": f.key, "text": f.question, "answer": [_answer(f, answers[f.key])]}
            for f in answered
            if f.group == g["key"]
        ]
        if children:
            items.append({"linkId": GROUP_PREFIX + g["key"], "text": g["label"], "item": children})
    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": _canonical(),
        "status": status,
        "authored": authored.isoformat(),
        "item": items,
    }


def answers_from_response(response: Mapping[str, Any]) -> dict[str, Any]:
    """Read a stored QuestionnaireResponse back into flat answers."""
    kb = engine.knowledge_base()
    out: dict[str, Any] = {}
    for group in response.get("item", []):
        for item in group.get("item", []):
            f = kb.findings.get(item["linkId"])
            if f is None or not item.get("answer"):
                continue
            answer = item["answer"][0]
            if "valueBoolean" in answer:
                out[f.key] = answer["valueBoolean"]
            elif "valueCoding" in answer:
                out[f.key] = answer["valueCoding"]["code"]
            elif "valueInteger" in answer:
                out[f.key] = answer["valueInteger"]
            elif "valueDecimal" in answer:
                value = answer["valueDecimal"]
                out[f.key] = int(value) if float(value).is_integer() else float(value)
    return out


# --------------------------------------------------------------------------- validation


def _model_errors(model: Any, resource: Mapping[str, Any]) -> list[str]:
    from pydantic import ValidationError

    try:
        model.model_validate(dict(resource))
    except ValidationError as exc:
        return [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
    return []


def _walk(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for item in items:
        out.append(item)
        out.extend(_walk(item.get("item", [])))
    return out


# Required bindings of R4 that the pydantic models do not enforce (they type codes as strings).
PUBLICATION_STATUS = {"draft", "active", "retired", "unknown"}
ITEM_TYPES = {
    "group",
    "display",
    "boolean",
    "decimal",
    "integer",
    "date",
    "dateTime",
    "time",
    "string",
    "text",
    "url",
    "choice",
    "open-choice",
    "attachment",
    "reference",
    "quantity",
}
ENABLE_OPERATORS = {"exists", "=", "!=", ">", "<", ">=", "<="}
RESPONSE_STATUS = {"in-progress", "completed", "amended", "entered-in-error", "stopped"}


def _binding_problems(resource: Mapping[str, Any], allowed_status: set[str]) -> list[str]:
    problems = []
    if resource.get("status") not in allowed_status:
        problems.append(f"status: must be one of {sorted(allowed_status)}")
    return problems


def validate_questionnaire(resource: Mapping[str, Any]) -> None:
    """Raise ``FhirInvalid`` unless ``resource`` is a valid R4 Questionnaire."""
    from fhir.resources.R4B.questionnaire import Questionnaire

    problems = _model_errors(Questionnaire, resource)
    problems += _binding_problems(resource, PUBLICATION_STATUS)
    if resource.get("resourceType") != "Questionnaire":
        problems.append("resourceType: must be Questionnaire")
    items = _walk(list(resource.get("item", [])))
    for item in items:
        if not item.get("linkId") or item.get("type") not in ITEM_TYPES:
            problems.append(f"{item.get('linkId')!r}: needs a linkId and an R4 item type")
        for cond in item.get("enableWhen", []):
            if cond.get("operator") not in ENABLE_OPERATORS:
                problems.append(f"{item.get('linkId')}: bad enableWhen operator")
        several = len(item.get("enableWhen", [])) > 1
        if several and item.get("enableBehavior") not in ("all", "any"):
            problems.append(f"{item.get('linkId')}: several enableWhen need enableBehavior")
    link_ids = [str(i.get("linkId")) for i in items]
    dupes = {x for x in link_ids if link_ids.count(x) > 1}
    problems += [f"duplicate linkId {x!r}" for x in sorted(dupes)]
    by_id = {i.get("linkId"): i for i in items}
    for item in items:
        for cond in item.get("enableWhen", []):
            if cond["question"] not in by_id:
                problems.append(f"{item['linkId']}: enableWhen names unknown {cond['question']!r}")
        if item["type"] == "choice" and not item.get("answerOption"):
            problems.append(f"{item['linkId']}: a choice item needs answerOption")
    if problems:
        raise FhirInvalid(problems)


_VALUE_FOR_TYPE = {
    "boolean": "valueBoolean",
    "choice": "valueCoding",
    "integer": "valueInteger",
    "decimal": "valueDecimal",
}


def validate_response(
    resource: Mapping[str, Any], questionnaire_resource: Mapping[str, Any]
) -> None:
    """Raise ``FhirInvalid`` unless ``resource`` is a valid R4 QuestionnaireResponse whose
    answers fit the questionnaire (known linkIds, right answer types, options, min/max)."""
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

    problems = _model_errors(QuestionnaireResponse, resource)
    problems += _binding_problems(resource, RESPONSE_STATUS)
    if resource.get("resourceType") != "QuestionnaireResponse":
        problems.append("resourceType: must be QuestionnaireResponse")
    items = {i["linkId"]: i for i in _walk(list(questionnaire_resource.get("item", [])))}
    for group in resource.get("item", []):
        if group["linkId"] not in items:
            problems.append(f"unknown group {group['linkId']!r}")
        for answered in group.get("item", []):
            q = items.get(answered["linkId"])
            if q is None:
                problems.append(f"unknown question {answered['linkId']!r}")
                continue
            expected = _VALUE_FOR_TYPE[q["type"]]
            for answer in answered.get("answer", []):
                if expected not in answer:
                    problems.append(f"{answered['linkId']}: answer must be {expected}")
                    continue
                problems += _answer_problems(q, answer[expected])
    if problems:
        raise FhirInvalid(problems)


def _answer_problems(q: Mapping[str, Any], value: Any) -> list[str]:
    link = q["linkId"]
    if q["type"] == "choice":
        codes = {o["valueCoding"]["code"] for o in q["answerOption"]}
        return (
            [] if value.get("code") in codes else [f"{link}: {value.get('code')!r} not an option"]
        )
    bounds = {e["url"]: next(v for k, v in e.items() if k != "url") for e in q.get("extension", [])}
    if MIN_VALUE in bounds and value < bounds[MIN_VALUE]:
        return [f"{link}: {value} is below the minimum {bounds[MIN_VALUE]}"]
    if MAX_VALUE in bounds and value > bounds[MAX_VALUE]:
        return [f"{link}: {value} is above the maximum {bounds[MAX_VALUE]}"]
    return []
