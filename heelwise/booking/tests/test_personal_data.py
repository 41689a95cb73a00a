"""The bookings personal-data provider: export, erasure on request and the waiting list's
retention (heelwise/booking/personal_data.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from email.mime.base import MIMEBase
from typing import Any

import pytest
from django.core import mail
from icalendar import Calendar

from heelwise.accounts.models import User
from heelwise.accounts.services import user_delete, user_export
from heelwise.assessment.models import Assessment
from heelwise.booking.availability import LONDON
from heelwise.booking.models import Booking, OutboxMessage, WaitlistEntry
from heelwise.booking.personal_data import (
    ERASED_NAME,
    booking_list_upcoming_for_user,
    waitlist_purge_stale,
)
from heelwise.booking.services import PatientDetails, booking_create, booking_mark, waitlist_join
from heelwise.booking.tests.conftest import DEFAULT_NOW
from heelwise.clinics.models import Service, Site

pytestmark = pytest.mark.django_db

ALICE = PatientDetails(
    name="Alice Runner",
    email="alice@example.com",
    phone="07700 900123",
    notes="Left heel, worse in the morning",
)


def _book(
    start: datetime, *, patient: PatientDetails = ALICE, user: Any = None, now: datetime
) -> Booking:
    return booking_create(
        service=Service.objects.get(slug="treatment-session"),
        site=Site.objects.get(slug="london"),
        start=start,
        patient=patient,
        user=user,
        now=now,
    )


def _join(day: date, *, name: str, email: str, phone: str = "") -> WaitlistEntry:
    return waitlist_join(
        service=Service.objects.get(slug="treatment-session"),
        site=Site.objects.get(slug="london"),
        day=day,
        name=name,
        email=email,
        phone=phone,
    )


@pytest.fixture
def history(clinic: None, alice: User, set_now: Callable[[datetime], None]) -> dict[str, Any]:
    """Alice's bookings: one attended last week and one upcoming, both from her account; and,
    made without signing in under her address (other case), an upcoming booking with an
    anonymous self-assessment and a waiting-list entry. Sign-up does not verify addresses, so
    those two may be someone else's. The clock then stands at DEFAULT_NOW."""
    earlier = DEFAULT_NOW - timedelta(days=9)
    set_now(earlier)
    past = _book(datetime(2027, 3, 8, 10, 0, tzinfo=LONDON), user=alice, now=earlier)
    set_now(DEFAULT_NOW)
    booking_mark(booking=past, status=Booking.Status.ATTENDED, now=DEFAULT_NOW)
    upcoming = _book(datetime(2027, 3, 15, 10, 0, tzinfo=LONDON), user=alice, now=DEFAULT_NOW)
    before_sign_up = _book(
        datetime(2027, 3, 16, 11, 0, tzinfo=LONDON),
        patient=PatientDetails(name="Alice Runner", email="Alice@Example.com", phone="07700900123"),
        now=DEFAULT_NOW,
    )
    shared = Assessment.objects.create(
        questionnaire_response={"resourceType": "QuestionnaireResponse"},
        result={},
        kb_version="test",
        disposition=Assessment.Disposition.SELF_CARE,
    )
    Booking.objects.filter(pk=before_sign_up.pk).update(assessment=shared)
    entry = _join(date(2027, 3, 17), name="Alice Runner", email="alice@example.com")
    mail.outbox.clear()
    return {
        "past": past,
        "upcoming": upcoming,
        "before_sign_up": before_sign_up,
        "shared": shared,
        "entry": entry,
    }


def _method(message: Any) -> str:
    part = next(a for a in message.attachments if isinstance(a, MIMEBase))
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return str(Calendar.from_ical(payload)["METHOD"])


class ExportTests:
    def test_it_exports_the_accounts_bookings_with_their_messages(
        self, history: dict[str, Any], alice: User
    ) -> None:
        data = user_export(user=alice)["bookings"]
        by_reference = {b["reference"]: b for b in data["bookings"]}
        assert set(by_reference) == {history["past"].reference, history["upcoming"].reference}
        past = by_reference[history["past"].reference]
        assert past["status"] == "attended"
        assert past["email"] == "alice@example.com"
        assert past["phone"] == "07700 900123"
        assert past["notes"] == "Left heel, worse in the morning"
        assert past["service"] == "Treatment session"
        assert past["start"] == "2027-03-08T10:00:00+00:00"
        assert {m["kind"] for m in past["messages"]} >= {"confirmation"}
        assert "not linked to your account" in data["not_included"]

    def test_registering_someone_elses_address_does_not_reach_their_bookings(
        self, history: dict[str, Any], alice: User
    ) -> None:
        """An unverified address is no proof: records made without signing in stay out."""
        data = user_export(user=alice)["bookings"]
        exported = json.dumps(data)
        assert history["before_sign_up"].reference not in exported
        assert "07700900123" not in exported
        assert "waiting_list" not in data


class ErasureTests:
    def test_it_cancels_future_bookings_with_the_normal_notice_and_drops_reminders(
        self,
        history: dict[str, Any],
        alice: User,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        upcoming = history["upcoming"]
        assert OutboxMessage.objects.filter(
            booking=upcoming, kind="reminder", status="pending"
        ).exists()
        with django_capture_on_commit_callbacks(execute=True):
            user_delete(user=alice)
        upcoming.refresh_from_db()
        assert upcoming.status == Booking.Status.CANCELLED  # the calendar slot is free
        # The normal cancellation email (with its iCalendar CANCEL), once, before the address
        # was erased; nothing else is left to send about the account's bookings.
        [message] = mail.outbox
        assert message.to[0].lower() == "alice@example.com"
        assert message.subject.startswith("Booking cancelled")
        assert _method(message) == "CANCEL"
        assert not OutboxMessage.objects.filter(booking=upcoming, status="pending").exists()
        assert OutboxMessage.objects.filter(kind="cancellation", status="sent").count() == 1

    def test_it_keeps_only_the_non_personal_facts_of_each_booking(
        self, history: dict[str, Any], alice: User
    ) -> None:
        user_delete(user=alice)
        past = Booking.objects.select_related("service", "site", "practitioner").get(
            pk=history["past"].pk
        )
        assert (past.name, past.email, past.phone, past.notes) == (ERASED_NAME, "", "", "")
        assert past.user_id is None
        assert past.status == Booking.Status.ATTENDED
        assert past.start == datetime(2027, 3, 8, 10, 0, tzinfo=LONDON)
        assert past.service.slug == "treatment-session"
        assert past.site is not None and past.site.slug == "london"
        assert past.practitioner_id == history["past"].practitioner_id

    def test_deleting_an_account_cannot_cancel_bookings_made_without_it(
        self, history: dict[str, Any], alice: User
    ) -> None:
        """Otherwise anyone could cancel a stranger's appointment by signing up with their
        address and deleting the account."""
        user_delete(user=alice)
        before_sign_up = Booking.objects.get(pk=history["before_sign_up"].pk)
        assert before_sign_up.status == Booking.Status.CONFIRMED
        assert before_sign_up.email == "Alice@Example.com"
        assert before_sign_up.assessment_id == history["shared"].pk
        assert WaitlistEntry.objects.filter(pk=history["entry"].pk).exists()

    def test_other_peoples_bookings_are_untouched(
        self, history: dict[str, Any], alice: User
    ) -> None:
        dana = _book(
            datetime(2027, 3, 15, 11, 0, tzinfo=LONDON),
            patient=PatientDetails(name="Dana Other", email="dana@example.com"),
            now=DEFAULT_NOW,
        )
        user_delete(user=alice)
        dana.refresh_from_db()
        assert (dana.name, dana.email, dana.status) == (
            "Dana Other",
            "dana@example.com",
            "confirmed",
        )


class UpcomingTests:
    def test_it_lists_the_accounts_confirmed_future_bookings(
        self, history: dict[str, Any], alice: User
    ) -> None:
        upcoming = booking_list_upcoming_for_user(user=alice, now=DEFAULT_NOW)
        assert [b.pk for b in upcoming] == [history["upcoming"].pk]


class WaitlistRetentionTests:
    def test_it_deletes_entries_thirty_days_after_the_day_they_asked_for(
        self, clinic: None
    ) -> None:
        today = date(2027, 3, 10)
        stale = _join(today - timedelta(days=31), name="Old", email="old@example.com")
        kept = _join(today - timedelta(days=30), name="Recent", email="recent@example.com")
        assert waitlist_purge_stale(today=today) == 1
        assert list(WaitlistEntry.objects.values_list("pk", flat=True)) == [kept.pk]
        assert not WaitlistEntry.objects.filter(pk=stale.pk).exists()
        assert waitlist_purge_stale(today=today) == 0
