from __future__ import annotations

import re

import pytest
from django.test import Client

from heelwise.assessment.tests.helpers import PLANTAR_FASCIITIS, SAFETY_NO, walk

pytestmark = pytest.mark.django_db
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match is not None
    return match.group(1)


class CachedPageTests:
    def test_each_visitor_gets_a_working_csrf_token_from_a_cached_step(self) -> None:
        Client().get("/assessment/step/safety/")  # warm the page cache
        visitor = Client(enforce_csrf_checks=True)
        html = visitor.get("/assessment/step/safety/").content.decode()
        assert "__HEELWISE_CSRF_TOKEN__" not in html
        response = visitor.post(
            "/assessment/step/safety/", {**SAFETY_NO, "csrfmiddlewaretoken": _token(html)}
        )
        assert response.status_code == 302

    def test_an_anonymous_result_page_costs_one_query(
        self, client: Client, django_assert_num_queries
    ) -> None:
        url = walk(client, PLANTAR_FASCIITIS)["Location"]
        first = client.get(url).content.decode()
        with django_assert_num_queries(1):
            again = client.get(url).content.decode()
        # The same page, apart from the CSRF token of its forms, which Django masks afresh for
        # every response ("Change my answers" is a form).
        assert _CSRF.sub("", again) == _CSRF.sub("", first)
        assert "__HEELWISE_CSRF_TOKEN__" not in again

    def test_a_cached_result_is_still_private(self, client: Client) -> None:
        url = walk(client, PLANTAR_FASCIITIS)["Location"]
        client.get(url)
        assert Client().get(url).status_code == 404
