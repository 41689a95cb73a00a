"""The address rate limits count by: spoof-proof behind trusted proxies, never a crash."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory, override_settings

from heelwise.common.client_ip import client_ip


def _ip(forwarded: str | None, remote: str = "10.0.0.9") -> str:
    request = RequestFactory().get("/", REMOTE_ADDR=remote)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(request)


@override_settings(HEELWISE_TRUSTED_PROXIES=0)
def test_without_a_proxy_the_header_is_ignored() -> None:
    assert _ip("1.2.3.4") == "10.0.0.9"


@override_settings(HEELWISE_TRUSTED_PROXIES=1)
@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("203.0.113.7", "203.0.113.7"),
        # A client-sent value sits left of what our load balancer appended: it is not believed.
        ("6.6.6.6, 203.0.113.7", "203.0.113.7"),
        ("2001:db8::1", "2001:db8::1"),
        ("not-an-ip", "10.0.0.9"),
        ("", "10.0.0.9"),
        (None, "10.0.0.9"),
    ],
)
def test_behind_one_proxy_the_address_it_saw_is_used(forwarded: str | None, expected: str) -> None:
    assert _ip(forwarded) == expected


@override_settings(HEELWISE_TRUSTED_PROXIES=2)
def test_behind_two_proxies_the_outer_ones_view_is_used() -> None:
    assert _ip("6.6.6.6, 198.51.100.4, 10.1.1.1") == "198.51.100.4"
    assert _ip("198.51.100.4") == "198.51.100.4"


@pytest.mark.django_db
@override_settings(HEELWISE_TRUSTED_PROXIES=1)
def test_a_forwarded_list_on_a_rate_limited_form_is_not_a_500(client: Client) -> None:
    response = client.post(
        "/contact/",
        {"name": "x"},
        HTTP_X_FORWARDED_FOR="203.0.113.7, garbage",
    )
    assert response.status_code in {200, 422}
