"""What every /api/v1/ endpoint shares: JSON 404 and 405, HEAD on GET routes, strict query
strings, and every error response in OpenAPI."""

from __future__ import annotations

import json
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
            ("post", "/api/v1/sites", "GET, HEAD"),
            ("delete", "/api/v1/services", "GET, HEAD"),
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


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """swagger-ui's parser refuses a duplicated key (Python's json keeps the last one)."""
    keys = [key for key, _value in pairs]
    assert len(keys) == len(set(keys)), keys
    return dict(pairs)


def test_the_openapi_document_loads_and_documents_every_error(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content, object_pairs_hook=_no_duplicate_keys)
    paths = schema["paths"]
    everywhere = {"404", "405", "422"}
    expected = {
        ("/api/v1/sites", "get"): {"200", *everywhere},
        ("/api/v1/services", "get"): {"200", *everywhere},
        ("/api/v1/bookings", "post"): {"201", "400", "403", "409", "415", "429", *everywhere},
        ("/api/v1/slots", "get"): {"200", *everywhere},
        ("/api/v1/assessments", "post"): {"200", "400", "403", "415", *everywhere},
    }
    assert {(p, m) for p, item in paths.items() for m in item} == set(expected)
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


class HeadTests:
    @pytest.mark.parametrize(
        "path", ["/api/v1/sites", "/api/v1/services", "/api/v1/openapi.json", "/api/v1/docs"]
    )
    def test_head_answers_like_get_without_the_body(
        self, client: Client, db: None, path: str
    ) -> None:
        get = client.get(path)
        head = _head(path)
        assert head.status_code == get.status_code == 200
        assert head.content == b""
        assert head["Content-Type"] == get["Content-Type"]
        assert head["Content-Length"] == str(len(get.content))

    def test_head_answers_a_get_routes_422_and_a_post_routes_405_without_the_body(
        self, client: Client, db: None
    ) -> None:
        bad = client.get("/api/v1/slots?date=2027-03-22")
        head = _head("/api/v1/slots", date="2027-03-22")
        assert (head.status_code, head.content) == (422, b"")
        assert head["Content-Length"] == str(len(bad.content))
        not_allowed = _head("/api/v1/bookings")
        assert (not_allowed.status_code, not_allowed["Allow"], not_allowed.content) == (
            405,
            "POST",
            b"",
        )
        assert client.head("/api/v1/nope").status_code == 404


def _head(path: str, **query: str) -> Any:
    """The API's own answer to HEAD, before any server or test client drops a body."""
    from django.test import RequestFactory
    from django.urls import resolve

    request = RequestFactory().head(path, query)
    return resolve(path).func(request)


class StrictQueryStringTests:
    @pytest.mark.parametrize("path", ["/api/v1/sites", "/api/v1/services"])
    def test_an_unknown_query_parameter_is_a_422_naming_it(
        self, client: Client, db: None, path: str
    ) -> None:
        response = client.get(path, {"foo": "bar", "x": "1"})
        assert response.status_code == 422
        body = response.json()
        assert body["errors"] == {
            "foo": ["Unknown field: check its spelling against /api/v1/docs."],
            "x": ["Unknown field: check its spelling against /api/v1/docs."],
        }
        assert body["detail"] == "Invalid request: check foo, x."

    def test_a_write_with_an_unknown_query_parameter_is_refused_before_it_runs(
        self, client: Client, db: None
    ) -> None:
        from heelwise.booking.models import Booking

        response = client.post("/api/v1/bookings?dry_run=1", {}, content_type="application/json")
        assert response.status_code == 422
        assert list(response.json()["errors"]) == ["dry_run"]
        assert not Booking.objects.exists()
