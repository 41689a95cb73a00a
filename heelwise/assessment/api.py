"""``POST /api/v1/assessments``: the assessment request of spec/assessment.md -> its result.

Stateless: the API assesses and answers; nothing from the request is stored.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from heelwise.assessment import engine

router = Router(tags=["assessment"])


@router.post(
    "/assessments",
    response={200: dict[str, Any], 400: dict[str, Any], 422: dict[str, Any]},
    summary="Assess heel pain from patient details and findings",
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
    """Every key is optional; an unknown key or a bad value is a 422 naming every bad field.

    Decision support only: the result ranks possibilities and sets an urgency; no diagnosis.
    """
    try:
        payload = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        problem = {"field": "$", "message": "the body is not valid JSON"}
        return Status(400, {"error": {"problems": [problem]}})
    problems = engine.validate(payload)
    if problems:
        return Status(422, {"error": {"problems": problems}})
    from heelwise.clinical import assess

    return Status(200, assess(payload))
