"""Unfinished anonymous answers live no longer than the anonymous retention (24 hours)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from heelwise.assessment.flow import SESSION_KEY
from heelwise.assessment.models import ANONYMOUS_RETENTION
from heelwise.assessment.tests.helpers import PLANTAR_FASCIITIS

pytestmark = pytest.mark.django_db

STARTED = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)


class AnonymousSessionRetentionTests:
    def test_the_session_holding_answers_expires_24_hours_after_the_first_answer(
        self, client: Client, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(timezone, "now", lambda: STARTED)
        client.post("/assessment/step/safety/", PLANTAR_FASCIITIS["safety"])
        assert SESSION_KEY in client.session
        session = Session.objects.get()
        assert session.expire_date == STARTED + ANONYMOUS_RETENTION
        # Answering more later does not push the expiry on.
        monkeypatch.setattr(timezone, "now", lambda: STARTED + timedelta(hours=5))
        client.post("/assessment/step/about/", PLANTAR_FASCIITIS["about"])
        assert Session.objects.get().expire_date == STARTED + ANONYMOUS_RETENTION

    def test_housekeeping_deletes_abandoned_answers_after_the_retention(
        self, client: Client, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        real_now = timezone.now
        monkeypatch.setattr(timezone, "now", lambda: real_now() - timedelta(hours=25))
        client.post("/assessment/step/safety/", PLANTAR_FASCIITIS["safety"])
        assert Session.objects.count() == 1
        monkeypatch.setattr(timezone, "now", real_now)
        call_command("housekeeping", stdout=StringIO())
        assert not Session.objects.exists()

    def test_a_signed_in_patients_session_keeps_the_normal_length(
        self, client: Client, alice: object, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(timezone, "now", lambda: STARTED)
        client.force_login(alice)  # type: ignore[arg-type]
        client.post("/assessment/step/safety/", PLANTAR_FASCIITIS["safety"])
        session = Session.objects.get(session_key=client.session.session_key)
        assert SESSION_KEY in session.get_decoded()
        assert session.expire_date > STARTED + timedelta(days=7)

    def test_signing_in_part_way_gives_the_session_its_normal_length(
        self, client: Client, alice: object, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """login() keeps the session's 24-hour expiry unless it is reset; housekeeping would
        then sign the patient out after a day."""
        monkeypatch.setattr(timezone, "now", lambda: STARTED)
        client.post("/assessment/step/safety/", PLANTAR_FASCIITIS["safety"])
        response = client.post(
            "/accounts/login/", {"username": "alice@example.com", "password": "alice-password-1"}
        )
        assert response.status_code == 302
        session = Session.objects.get(session_key=client.session.session_key)
        assert session.expire_date > STARTED + timedelta(days=7)
