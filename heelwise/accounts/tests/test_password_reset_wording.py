"""The password-reset email and pages say how long the link works as Django enforces it, and
name the clinic, not the server's address."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client, override_settings

from heelwise.accounts.models import User
from heelwise.accounts.templatetags.password_reset import lifetime_words


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (10800, "3 hours"),
        (3600, "1 hour"),
        (86400, "1 day"),
        (259200, "3 days"),
        (900, "15 minutes"),
    ],
)
def test_a_link_lifetime_is_said_in_words(seconds: int, words: str) -> None:
    assert lifetime_words(seconds) == words


@pytest.mark.django_db
class PasswordResetWordingTests:
    def test_the_email_subject_names_the_clinic_and_the_lifetime_matches(
        self, client: Client, alice: User
    ) -> None:
        client.post("/accounts/password-reset/", {"email": "alice@example.com"})
        (message,) = mail.outbox
        assert message.subject == "Reset your ProHealth Clinic password"
        assert "testserver" not in message.subject and "127.0.0.1" not in message.subject
        assert "the link works for 3 hours and only once" in message.body

    @override_settings(PASSWORD_RESET_TIMEOUT=60 * 60 * 24 * 2)
    def test_the_pages_follow_the_setting(self, client: Client, alice: User) -> None:
        response = client.post(
            "/accounts/password-reset/", {"email": "alice@example.com"}, follow=True
        )
        html = response.content.decode()
        assert "expires after 2 days" in html and "a few days" not in html
        assert "the link works for 2 days" in mail.outbox[0].body
        invalid = client.get("/accounts/password-reset/MQ/bad-token/").content.decode()
        assert "work once and only for 2 days" in invalid and "a few days" not in invalid

    def test_the_default_pages_say_3_hours(self, client: Client) -> None:
        html = client.get("/accounts/password-reset/sent/").content.decode()
        assert "expires after 3 hours" in html
