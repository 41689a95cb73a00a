"""Signing in, signing up and password resets resist abuse: no open redirect, limits on
guessing and on reset emails, and every sign-in in the audit trail."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from heelwise.accounts.models import User
from heelwise.common.models import AuditEvent


@pytest.fixture(autouse=True)
def fresh_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _sign_up(client: Client, next_url: str) -> str:
    response = client.post(
        f"/accounts/sign-up/?next={next_url}",
        {
            "full_name": "Dana Runner",
            "email": "dana@example.com",
            "password": "a-long-enough-passphrase",
            "agree": "on",
        },
    )
    assert response.status_code == 302
    return str(response["Location"])


@pytest.mark.django_db
class SignUpRedirectTests:
    @pytest.mark.parametrize(
        "target", ["https://evil.example/phish", "//evil.example/phish", "javascript:alert(1)"]
    )
    def test_an_offsite_next_is_ignored(self, client: Client, target: str) -> None:
        assert _sign_up(client, target) == "/accounts/"

    def test_a_page_on_this_site_is_followed(self, client: Client) -> None:
        assert _sign_up(client, "/recovery/") == "/recovery/"


@pytest.mark.django_db
class SignInLimitTests:
    def test_guessing_one_accounts_password_is_stopped_after_ten_tries(
        self, client: Client, alice: User
    ) -> None:
        for _ in range(10):
            response = client.post(
                "/accounts/login/", {"username": "alice@example.com", "password": "wrong"}
            )
            assert response.status_code == 200  # the form again, with its error
        response = client.post(
            "/accounts/login/", {"username": "alice@example.com", "password": "alice-password-1"}
        )
        assert response.status_code == 429
        assert "_auth_user_id" not in client.session
        assert "Too many sign-in attempts" in response.content.decode()
        assert "/accounts/password-reset/" in response.content.decode()

    def test_spaces_and_capitals_do_not_buy_fresh_guesses(
        self, client: Client, alice: User
    ) -> None:
        for i in range(10):
            email = "  ALICE@example.com " if i % 2 else "alice@EXAMPLE.com"
            client.post("/accounts/login/", {"username": email, "password": "wrong"})
        response = client.post(
            "/accounts/login/", {"username": " alice@example.com", "password": "wrong"}
        )
        assert response.status_code == 429

    def test_failing_on_purpose_from_elsewhere_does_not_lock_the_owner_out(
        self, client: Client, alice: User
    ) -> None:
        for _ in range(12):
            client.post(
                "/accounts/login/",
                {"username": "alice@example.com", "password": "wrong"},
                REMOTE_ADDR="198.51.100.66",
            )
        response = client.post(
            "/accounts/login/",
            {"username": "alice@example.com", "password": "alice-password-1"},
            REMOTE_ADDR="203.0.113.5",
        )
        assert response.status_code == 302

    def test_guessing_spread_over_many_addresses_still_meets_a_ceiling(
        self, client: Client, alice: User
    ) -> None:
        for i in range(50):
            client.post(
                "/accounts/login/",
                {"username": "alice@example.com", "password": "wrong"},
                REMOTE_ADDR=f"198.51.{i // 200}.{i % 200 + 1}",
            )
        response = client.post(
            "/accounts/login/",
            {"username": "alice@example.com", "password": "wrong"},
            REMOTE_ADDR="203.0.113.99",
        )
        assert response.status_code == 429

    def test_the_owner_lifts_an_account_pause_by_resetting_the_password(
        self, client: Client, alice: User
    ) -> None:
        for i in range(50):
            client.post(
                "/accounts/login/",
                {"username": "alice@example.com", "password": "wrong"},
                REMOTE_ADDR=f"198.51.100.{i + 1}",
            )
        owner = Client()
        paused = owner.post(
            "/accounts/login/",
            {"username": "alice@example.com", "password": "alice-password-1"},
            REMOTE_ADDR="203.0.113.5",
        )
        assert paused.status_code == 429
        assert "/accounts/password-reset/" in paused.content.decode()
        owner.post(
            "/accounts/password-reset/", {"email": "alice@example.com"}, REMOTE_ADDR="203.0.113.5"
        )
        link = re.search(
            r"http://testserver(/accounts/password-reset/\S+/)", str(mail.outbox[-1].body)
        )
        assert link
        form = owner.get(link.group(1), follow=True)
        assert form.status_code == 200
        done = owner.post(
            form.redirect_chain[-1][0],
            {"new_password1": "a-brand-new-passphrase", "new_password2": "a-brand-new-passphrase"},
        )
        assert done.status_code == 302
        signed_in = owner.post(
            "/accounts/login/",
            {"username": "alice@example.com", "password": "a-brand-new-passphrase"},
            REMOTE_ADDR="203.0.113.5",
        )
        assert signed_in.status_code == 302

    def test_successful_sign_ins_do_not_count_towards_the_pause(
        self, client: Client, alice: User
    ) -> None:
        for i in range(55):
            response = Client().post(
                "/accounts/login/",
                {"username": "alice@example.com", "password": "alice-password-1"},
                REMOTE_ADDR=f"198.51.100.{i + 1}",
            )
            assert response.status_code == 302

    def test_addresses_in_one_ipv6_64_share_an_allowance(self, client: Client, alice: User) -> None:
        for i in range(10):
            client.post(
                "/accounts/login/",
                {"username": "alice@example.com", "password": "wrong"},
                REMOTE_ADDR=f"2001:db8:1:2::{i + 1:x}",
            )
        response = client.post(
            "/accounts/login/",
            {"username": "alice@example.com", "password": "wrong"},
            REMOTE_ADDR="2001:db8:1:2::ffff",
        )
        assert response.status_code == 429

    def test_the_email_signs_in_whatever_its_capitals(self, client: Client) -> None:
        client.post(
            "/accounts/sign-up/",
            {
                "full_name": "Ann Runner",
                "email": "Ann.Runner@Example.com",
                "password": "a-long-enough-passphrase",
                "agree": "on",
            },
        )
        client.logout()
        response = client.post(
            "/accounts/login/",
            {"username": " Ann.Runner@Example.com", "password": "a-long-enough-passphrase"},
        )
        assert response.status_code == 302
        assert client.session["_auth_user_id"]

    def test_a_correct_password_signs_in_and_is_audited(self, client: Client, alice: User) -> None:
        response = client.post(
            "/accounts/login/", {"username": "alice@example.com", "password": "alice-password-1"}
        )
        assert response.status_code == 302
        event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN)
        assert event.actor_id == alice.pk
        assert event.subject_user_id == alice.pk
        assert "alice" not in event.detail

    def test_reset_emails_to_one_address_are_limited(self, client: Client, alice: User) -> None:
        for _ in range(3):
            response = client.post("/accounts/password-reset/", {"email": "alice@example.com"})
            assert response.status_code == 302
        response = client.post("/accounts/password-reset/", {"email": "alice@example.com"})
        assert response.status_code == 429
        assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_the_consent_box_error_says_what_to_do(client: Client) -> None:
    response = client.post(
        "/accounts/sign-up/",
        {"full_name": "Dana", "email": "dana@example.com", "password": "a-long-enough-passphrase"},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "Tick the box to agree to the privacy notice" in body
    assert "This field is required" not in body


@pytest.mark.django_db
def test_an_address_saved_through_a_form_is_stored_lower_case(alice: User) -> None:
    alice.email = "Alice.New@Example.COM"
    alice.full_clean(exclude=["password"])
    assert alice.email == "alice.new@example.com"


@pytest.mark.django_db
def test_a_patient_on_a_staff_page_gets_a_clear_403_page(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = client.get("/staff/bookings/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "This page is not open to your account" in body
    assert "alice@example.com" in body
