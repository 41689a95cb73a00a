"""``POST /api/v1/assessments``: the assessment request of spec/assessment.md -> its result.

Stateless: the API assesses and answers; nothing from the request is stored.

Errors have the API's one shape (``detail`` and ``errors`` by field, heelwise.common.api); the 400
and 422 bodies also carry ``error.problems``, the invalid-request shape of spec/assessment.md.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from heelwise.assessment import engine
from heelwise.common.api import ErrorOut, InvalidJsonBody, error_body, json_body

router = Router(tags=["assessment"])


class ProblemOut(Schema):
    field: str
    message: str


class ProblemsOut(Schema):
    problems: list[ProblemOut]


class AssessmentErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}
    error: ProblemsOut


WHOLE_BODY = "$"


def _invalid(status: int, detail: str, problems: list[dict[str, str]]) -> Status[dict[str, Any]]:
    """``errors`` by field (the whole body, field "$", is said in ``detail`` instead)."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        if problem["field"] != WHOLE_BODY:
            errors.setdefault(problem["field"], []).append(problem["message"])
    return Status(status, {**error_body(detail, errors), "error": {"problems": problems}})


@router.post(
    "/assessments",
    response={
        200: dict[str, Any],
        400: AssessmentErrorOut,
        403: ErrorOut,
        415: ErrorOut,
        422: AssessmentErrorOut,
    },
    summary="Assess heel pain from patient details and findings",
    description=(
        "Every key is optional; an unknown key or a bad value is a 422 naming every bad field "
        "(in `errors` and in `error.problems`). 400 when the body is not valid JSON; 415 "
        "without Content-Type: application/json. Decision support only: the result ranks "
        "possibilities and sets an urgency; no diagnosis."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"type": "object", "additionalProperties": True},
                    "example": {
                        "patient": {"age": 42, "sex": "female", "runner": True},
                        "findings": {"pain_location": "plantar_medial", "first_step_pain": True},
                    },
                }
            },
        }
    },
)
def assessment_create(request: HttpRequest) -> Status[dict[str, Any]]:
    try:
        payload = json_body(request)
    except InvalidJsonBody as exc:
        return _invalid(400, str(exc), [{"field": WHOLE_BODY, "message": str(exc)}])
    problems = engine.validate(payload)
    if problems:
        fields = [p["field"] for p in problems if p["field"] != WHOLE_BODY]
        whole = [p["message"] for p in problems if p["field"] == WHOLE_BODY]
        detail = (
            f"Invalid assessment request: check {', '.join(dict.fromkeys(fields))}."
            if fields
            else whole[0]
        )
        return _invalid(422, detail, problems)
    from heelwise.clinical import assess

    return Status(200, assess(payload))
