"""What every /api/v1/ endpoint shares: JSON 404 and 405, and error responses in OpenAPI."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert body["errors"] == {}
    return body


class UnknownPathsAndMethodsTests:
    @pytest.mark.parametrize(
        "path", ["/api/v1/", "/api/v1/nope", "/api/v1/sites/", "/api/v1/bookings/ABC/cancel"]
    )
    def test_an_unknown_path_is_a_json_404(self, client: Client, path: str) -> None:
        for response in (
            client.get(path),
            client.post(path, {}, content_type="application/json"),
        ):
            body = _error(response, 404)
            assert (
                body["detail"] == f"No API endpoint at {path}; see /api/v1/docs for the endpoints."
            )

    def test_a_wrong_method_is_a_json_405_with_allow(self, client: Client) -> None:
        for method, path, allowed in [
            ("post", "/api/v1/sites", "GET"),
            ("delete", "/api/v1/services", "GET"),
            ("get", "/api/v1/assessments", "POST"),
            ("put", "/api/v1/bookings", "POST"),
        ]:
            response = getattr(client, method)(path)
            body = _error(response, 405)
            assert response["Allow"] == allowed
            assert body["detail"] == f"{method.upper()} is not allowed on {path}; use {allowed}."

    def test_pages_outside_the_api_keep_their_html_404(self, client: Client, db: None) -> None:
        response = client.get("/no-such-page/")
        assert response.status_code == 404
        assert response["Content-Type"].startswith("text/html")

    def test_the_interactive_docs_still_load(self, client: Client) -> None:
        response = client.get("/api/v1/docs")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")


def test_the_openapi_document_loads_and_documents_every_error(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    expected = {
        ("/api/v1/bookings", "post"): {"201", "400", "403", "409", "415", "422", "429"},
        ("/api/v1/slots", "get"): {"200", "422"},
        ("/api/v1/assessments", "post"): {"200", "400", "403", "415", "422"},
    }
    for (path, method), statuses in expected.items():
        responses = paths[path][method]["responses"]
        assert set(responses) == statuses, path
        for status in statuses - {"200", "201"}:
            ref = responses[status]["content"]["application/json"]["schema"]["$ref"]
            component = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
            assert {"detail", "errors"} <= set(component["properties"]), (path, status)
            assert "detail" in component["required"]
    booking_in = schema["components"]["schemas"]["BookingIn"]
    assert booking_in["additionalProperties"] is False
    assert "Content-Type: application/json" in schema["info"]["description"]
