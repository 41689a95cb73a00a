"""POST /api/v1/assessments errors: the API's shape plus spec/assessment.md's error.problems."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from heelwise.assessment.models import Assessment

pytestmark = pytest.mark.django_db
URL = "/api/v1/assessments"


def _error(response: Any, status: int) -> dict[str, Any]:
    """Every API error has detail and errors; the assessment's 400/422 add error.problems."""
    assert response.status_code == status, response.content
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["errors"], dict)
    assert not Assessment.objects.exists()  # the API stores nothing, and never on error
    return body


def _problems_match_errors(body: dict[str, Any]) -> None:
    """error.problems is exactly the spec's list of {field, message}; errors groups it."""
    problems = body["error"]["problems"]
    assert set(body) == {"detail", "errors", "error"}
    assert all(set(p) == {"field", "message"} for p in problems)
    grouped: dict[str, list[str]] = {}
    for p in problems:
        if p["field"] != "$":
            grouped.setdefault(p["field"], []).append(p["message"])
    assert body["errors"] == grouped


class AssessmentErrorsApiTests:
    def test_an_unknown_key_is_a_422_naming_it(self, client: Client) -> None:
        response = client.post(
            URL, {"findings": {"favourite_colour": "red"}}, content_type="application/json"
        )
        body = _error(response, 422)
        _problems_match_errors(body)
        assert set(body["errors"]) == {"findings.favourite_colour"}
        assert "findings.favourite_colour" in body["detail"]

    def test_a_wrong_type_is_a_422_naming_the_field(self, client: Client) -> None:
        response = client.post(URL, {"patient": {"age": "old"}}, content_type="application/json")
        body = _error(response, 422)
        _problems_match_errors(body)
        assert set(body["errors"]) == {"patient.age"}

    def test_a_body_that_is_not_an_object_is_a_422_saying_so(self, client: Client) -> None:
        body = _error(client.post(URL, "[]", content_type="application/json"), 422)
        _problems_match_errors(body)
        assert body["errors"] == {}
        assert body["error"]["problems"][0]["field"] == "$"
        assert "JSON object" in body["detail"]

    def test_malformed_json_is_a_400_naming_the_problem(self, client: Client) -> None:
        body = _error(client.post(URL, '{"patient": }', content_type="application/json"), 400)
        _problems_match_errors(body)
        expected = "request body is not valid JSON: Expecting value at line 1 column 13."
        assert body["detail"] == expected
        assert body["error"]["problems"] == [{"field": "$", "message": expected}]

    def test_an_empty_body_is_a_400(self, client: Client) -> None:
        response = client.generic("POST", URL, b"", CONTENT_TYPE="application/json")
        body = _error(response, 400)
        assert body["detail"] == "request body is empty: send a JSON object."

    def test_a_body_not_sent_as_json_is_a_415(self, client: Client) -> None:
        response = client.generic("POST", URL, json.dumps({}), CONTENT_TYPE="text/plain")
        body = _error(response, 415)
        assert set(body) == {"detail", "errors"}
        assert "Content-Type: application/json" in body["detail"]
