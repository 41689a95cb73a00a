"""Oversized bodies are refused before anything reads them, everywhere but the import."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client, override_settings

from heelwise.website.models import Enquiry

pytestmark = pytest.mark.django_db


class CountingBody(io.BytesIO):
    """A request body that records how much of it was read."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.read_bytes = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.read_bytes += len(chunk)
        return chunk

    def readline(self, size: int | None = -1) -> bytes:
        chunk = super().readline(size)
        self.read_bytes += len(chunk)
        return chunk


@override_settings(HEELWISE_MAX_REQUEST_BYTES=10_000)
def test_an_oversized_form_post_is_a_413_with_nothing_read_or_stored() -> None:
    client = Client(enforce_csrf_checks=True)
    body = CountingBody(b"x" * 50_000)
    extra: dict[str, Any] = {"CONTENT_LENGTH": "50000", "wsgi.input": body}
    response = client.generic(
        "POST", "/contact/", content_type="multipart/form-data; boundary=zzz", **extra
    )
    assert response.status_code == 413
    assert "What you sent is too large" in response.content.decode()
    assert body.read_bytes == 0
    assert not Enquiry.objects.exists()


@override_settings(HEELWISE_MAX_REQUEST_BYTES=10_000)
def test_a_body_under_the_cap_reaches_the_form(client: Client) -> None:
    response = client.post("/contact/", {"name": "Dana"})
    assert response.status_code != 413


@override_settings(HEELWISE_MAX_REQUEST_BYTES=10_000)
def test_the_import_keeps_its_own_larger_limit(client: Client, alice: object) -> None:
    client.force_login(alice)  # type: ignore[arg-type]
    response = client.generic(
        "POST",
        "/recovery/import/",
        b"",
        content_type="multipart/form-data; boundary=zzz",
        CONTENT_LENGTH="50000",
    )
    assert response.status_code != 413


@override_settings(HEELWISE_MAX_REQUEST_BYTES=10_000)
def test_an_anonymous_import_post_gets_the_small_cap() -> None:
    """CSRF would spool the body to disk before the import's login check."""
    client = Client(enforce_csrf_checks=True)
    body = CountingBody(b"x" * 50_000)
    extra: dict[str, Any] = {"CONTENT_LENGTH": "50000", "wsgi.input": body}
    response = client.generic(
        "POST", "/recovery/import/", content_type="multipart/form-data; boundary=zzz", **extra
    )
    assert response.status_code == 413
    assert body.read_bytes == 0
    assert "up to 9 KB here" in response.content.decode()


def test_favicon_ico_leads_to_the_logo(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert str(response["Location"]).endswith("img/logo.svg")
