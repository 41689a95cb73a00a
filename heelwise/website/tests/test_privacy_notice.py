"""The privacy notice says what the code does: the cookies it sets and the periods it keeps."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from heelwise.assessment.models import ANONYMOUS_RETENTION
from heelwise.assessment.views import RESULTS_COOKIE
from heelwise.booking.personal_data import WAITLIST_RETENTION

pytestmark = pytest.mark.django_db


def _text(client: Client) -> str:
    html = client.get("/privacy/").content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


class PrivacyNoticeTests:
    def test_it_names_every_cookie_the_site_sets(self, client: Client) -> None:
        text = _text(client)
        for cookie in ("csrftoken", "sessionid", RESULTS_COOKIE, "messages"):
            assert cookie in text
        assert "only use cookies that the site needs" in text
        assert (
            "if you log in, one that keeps you logged in" not in text
        )  # no longer the whole truth

    def test_it_states_the_anonymous_and_waiting_list_periods_the_code_applies(
        self, client: Client
    ) -> None:
        text = _text(client)
        hours = int(ANONYMOUS_RETENTION.total_seconds() // 3600)
        assert f"expire {hours} hours after your first answer" in text
        assert f"deleted automatically after {hours} hours" in text
        assert (
            "attach to a booking is shared with your clinician and kept with that booking" in text
        )
        assert (
            f"deleted automatically {WAITLIST_RETENTION.days} days after the day you asked for"
            in text
        )

    def test_it_says_what_account_deletion_does_to_appointments(self, client: Client) -> None:
        text = _text(client)
        assert "we cancel your upcoming appointments" in text
        assert "without your name, contact details or notes" in text
