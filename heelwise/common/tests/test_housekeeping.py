from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from heelwise.website.models import Enquiry


def _enquiry(name: str) -> Enquiry:
    return Enquiry.objects.create(
        name=name, email=f"{name}@example.com", topic="other", message="A message", consent=True
    )


@pytest.mark.django_db
class HousekeepingTests:
    def test_it_deletes_only_enquiries_past_retention(self) -> None:
        old = _enquiry("old")
        Enquiry.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
        recent = _enquiry("recent")
        out = StringIO()
        call_command("housekeeping", stdout=out)
        assert list(Enquiry.objects.values_list("pk", flat=True)) == [recent.pk]
        assert "enquiries=1" in out.getvalue()

    def test_a_second_pass_finds_nothing_more(self) -> None:
        old = _enquiry("old")
        Enquiry.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
        call_command("housekeeping", stdout=StringIO())
        out = StringIO()
        call_command("housekeeping", stdout=out)
        assert "enquiries=0" in out.getvalue()


@pytest.mark.django_db
class HousekeepingSessionTests:
    def test_it_deletes_expired_sessions_only(self) -> None:
        from django.contrib.sessions.backends.db import SessionStore
        from django.contrib.sessions.models import Session

        expired = SessionStore()
        expired["heelwise_assessment"] = {"steps": {"safety": {"fever": "no"}}}
        expired.set_expiry(timezone.now() - timedelta(minutes=1))
        expired.create()
        live = SessionStore()
        live["anything"] = 1
        live.create()
        call_command("housekeeping", stdout=StringIO())
        assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


@pytest.mark.django_db
class HousekeepingWaitlistTests:
    def test_it_deletes_waiting_list_entries_thirty_days_after_their_day(
        self, demo_clinic: None, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from datetime import UTC, date, datetime

        from heelwise.booking import clock
        from heelwise.booking.models import WaitlistEntry
        from heelwise.clinics.models import Service

        monkeypatch.setattr(clock, "now", lambda: datetime(2027, 3, 10, 12, 0, tzinfo=UTC))
        service = Service.objects.get(slug="discovery-call")
        for day in (date(2027, 2, 7), date(2027, 2, 8)):
            WaitlistEntry.objects.create(service=service, day=day, name="N", email="n@example.com")
        out = StringIO()
        call_command("housekeeping", stdout=out)
        assert list(WaitlistEntry.objects.values_list("day", flat=True)) == [date(2027, 2, 8)]
        assert "waitlist_entries=1" in out.getvalue()
