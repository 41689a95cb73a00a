"""Emails through the outbox: invites calendars read correctly, reminders exactly once, and no
booking or email lost to a crash between commit and send."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.mime.base import MIMEBase
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from icalendar import Calendar

from heelwise.booking import outbox
from heelwise.booking.availability import LONDON
from heelwise.booking.models import Booking, OutboxMessage
from heelwise.booking.outbox import outbox_send, outbox_sweep
from heelwise.booking.services import (
    PatientDetails,
    booking_cancel,
    booking_create,
    booking_reschedule,
)
from heelwise.clinics.models import Service, Site

pytestmark = pytest.mark.django_db


class WorkerCrashedError(Exception):
    """Stands in for the process dying after the booking commits, before any email is sent."""


def _invite(message: Any) -> Calendar:
    parts = [a for a in message.attachments if isinstance(a, MIMEBase)]
    assert len(parts) == 1
    part = parts[0]
    assert part.get_content_type() == "text/calendar"
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    cal = Calendar.from_ical(payload)
    assert part.get_param("method") == str(cal["METHOD"])
    return cal


def _event(cal: Calendar) -> Any:
    return next(c for c in cal.walk("VEVENT"))


def _book(patient: PatientDetails, start: datetime, service: str = "treatment-session") -> Booking:
    return booking_create(
        service=Service.objects.get(slug=service),
        site=Site.objects.get(slug="london"),
        start=start,
        patient=patient,
    )


class InviteTests:
    def test_invites_keep_one_uid_and_raise_sequence_request_then_cancel(
        self,
        clinic: None,
        patient: PatientDetails,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        start = datetime(2027, 3, 28, 10, 0, tzinfo=LONDON)  # first Sunday of BST
        with django_capture_on_commit_callbacks(execute=True):
            booking = _book(patient, start)
        with django_capture_on_commit_callbacks(execute=True):
            booking_reschedule(booking=booking, start=datetime(2027, 3, 28, 11, 0, tzinfo=LONDON))
        with django_capture_on_commit_callbacks(execute=True):
            booking_cancel(booking=booking)
        assert len(mail.outbox) == 3
        cals = [_invite(m) for m in mail.outbox]
        assert [str(c["METHOD"]) for c in cals] == ["REQUEST", "REQUEST", "CANCEL"]
        events = [_event(c) for c in cals]
        assert len({str(e["UID"]) for e in events}) == 1
        assert [int(e["SEQUENCE"]) for e in events] == [0, 1, 2]
        assert [str(e["STATUS"]) for e in events] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]

    @pytest.mark.parametrize(
        ("now", "local_start", "utc_start"),
        [
            (datetime(2027, 3, 10, 8, tzinfo=UTC), datetime(2027, 3, 27, 10, 0), "10:00"),
            (datetime(2027, 3, 10, 8, tzinfo=UTC), datetime(2027, 3, 28, 10, 0), "09:00"),
            (datetime(2027, 10, 1, 8, tzinfo=UTC), datetime(2027, 10, 30, 10, 0), "09:00"),
            (datetime(2027, 10, 1, 8, tzinfo=UTC), datetime(2027, 10, 31, 10, 0), "10:00"),
        ],
    )
    def test_invite_times_read_back_to_the_booked_instant_across_clock_changes(
        self,
        clinic: None,
        patient: PatientDetails,
        set_now: Callable[[datetime], None],
        django_capture_on_commit_callbacks: Any,
        now: datetime,
        local_start: datetime,
        utc_start: str,
    ) -> None:
        set_now(now)
        start = local_start.replace(tzinfo=LONDON)
        with django_capture_on_commit_callbacks(execute=True):
            booking = _book(patient, start)
        raw = mail.outbox[0].attachments[0].get_payload(decode=True).decode()
        assert f"DTSTART;TZID=Europe/London:{local_start:%Y%m%dT%H%M%S}" in raw
        cal = _invite(mail.outbox[0])
        vtz = next(c for c in cal.walk("VTIMEZONE"))
        assert str(vtz["TZID"]) == "Europe/London"
        assert {c.name for c in vtz.subcomponents} == {"STANDARD", "DAYLIGHT"}
        event = _event(cal)
        dtstart = event.decoded("DTSTART")
        assert dtstart.astimezone(UTC) == booking.start
        assert f"{booking.start:%H:%M}" == utc_start
        assert event.decoded("DTEND").astimezone(UTC) == booking.end


class ReminderTests:
    def test_reminder_is_sent_once_at_24_hours_and_never_again(
        self,
        clinic: None,
        patient: PatientDetails,
        set_now: Callable[[datetime], None],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        start = datetime(2027, 3, 24, 10, 0, tzinfo=LONDON)
        with django_capture_on_commit_callbacks(execute=True):
            booking = _book(patient, start)
        assert len(mail.outbox) == 1
        reminder = OutboxMessage.objects.get(booking=booking, kind="reminder")
        assert reminder.send_after == start - timedelta(hours=24)
        assert outbox_sweep(now=start - timedelta(hours=25))["sent"] == 0
        assert outbox_sweep(now=start - timedelta(hours=24))["sent"] == 1
        # A duplicate task run, a second sweeper and a restart all find nothing to send.
        assert outbox_send(message_id=reminder.pk, now=start - timedelta(hours=23)) is False
        assert outbox_sweep(now=start - timedelta(hours=23))["sent"] == 0
        assert len(mail.outbox) == 2
        assert "Reminder" in mail.outbox[1].subject
        reminder.refresh_from_db()
        assert reminder.status == "sent" and reminder.attempts == 1

    def test_rescheduling_supersedes_the_old_reminder(
        self, clinic: None, patient: PatientDetails, django_capture_on_commit_callbacks: Any
    ) -> None:
        start = datetime(2027, 3, 24, 10, 0, tzinfo=LONDON)
        new_start = datetime(2027, 3, 24, 15, 0, tzinfo=LONDON)
        with django_capture_on_commit_callbacks(execute=True):
            booking = _book(patient, start)
            booking_reschedule(booking=booking, start=new_start)
        reminders = OutboxMessage.objects.filter(booking=booking, kind="reminder")
        assert sorted(r.status for r in reminders) == ["pending", "superseded"]
        outbox_sweep(now=new_start)
        sent = [m for m in mail.outbox if "Reminder" in m.subject]
        assert len(sent) == 1
        assert _event(_invite(sent[0])).decoded("DTSTART").astimezone(UTC) == new_start

    def test_a_cancelled_booking_gets_no_reminder(
        self, clinic: None, patient: PatientDetails, django_capture_on_commit_callbacks: Any
    ) -> None:
        start = datetime(2027, 3, 24, 10, 0, tzinfo=LONDON)
        with django_capture_on_commit_callbacks(execute=True):
            booking = _book(patient, start)
            booking_cancel(booking=booking)
        outbox_sweep(now=start)
        assert not [m for m in mail.outbox if "Reminder" in m.subject]


class CrashTests:
    def test_a_crash_after_commit_loses_neither_booking_nor_email(
        self,
        clinic: None,
        patient: PatientDetails,
        monkeypatch: pytest.MonkeyPatch,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        def crash(message_ids: list[int]) -> None:
            raise WorkerCrashedError("killed between commit and send")

        monkeypatch.setattr(outbox, "_enqueue_now", crash)
        with pytest.raises(WorkerCrashedError), django_capture_on_commit_callbacks(execute=True):
            booking = _book(patient, datetime(2027, 3, 24, 10, 0, tzinfo=LONDON))
        booking = Booking.objects.get()
        assert mail.outbox == []
        assert OutboxMessage.objects.get(kind="confirmation").status == "pending"
        call_command("booking_outbox")  # the sweeper after restart
        call_command("booking_outbox")
        assert len(mail.outbox) == 1
        assert booking.reference in mail.outbox[0].subject

    def test_a_failed_send_is_retried_and_sent_once(
        self,
        clinic: None,
        patient: PatientDetails,
        monkeypatch: pytest.MonkeyPatch,
        set_now: Callable[[datetime], None],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        from django.core.mail.backends.locmem import EmailBackend

        real = EmailBackend.send_messages
        calls = {"n": 0}

        def flaky(self: EmailBackend, messages: Any) -> int:
            calls["n"] += 1
            if calls["n"] == 1:
                raise ConnectionError("SMTP down")
            return real(self, messages)

        monkeypatch.setattr(EmailBackend, "send_messages", flaky)
        with django_capture_on_commit_callbacks(execute=True):
            _book(patient, datetime(2027, 3, 24, 10, 0, tzinfo=LONDON))
        message = OutboxMessage.objects.get(kind="confirmation")
        assert message.status == "pending" and message.last_error == "ConnectionError"
        later = message.send_after + timedelta(seconds=1)
        assert outbox_sweep(now=later)["sent"] == 1
        assert outbox_sweep(now=later)["sent"] == 0
        assert len(mail.outbox) == 1

    def test_an_interrupted_send_is_flagged_not_repeated(
        self, clinic: None, patient: PatientDetails
    ) -> None:
        booking = _book(patient, datetime(2027, 3, 24, 10, 0, tzinfo=LONDON))
        message = OutboxMessage.objects.get(booking=booking, kind="confirmation")
        now = message.send_after
        OutboxMessage.objects.filter(pk=message.pk).update(status="sending", claimed_at=now)
        result = outbox_sweep(now=now + timedelta(hours=1))
        assert result["interrupted"] == 1
        message.refresh_from_db()
        assert message.status == "failed" and "Interrupted" in message.last_error
        assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_database_queue_commits_tasks_with_the_booking_and_a_restarted_worker_sends_once(
    clinic: None, patient: PatientDetails
) -> None:
    from django_tasks_db.models import DBTaskResult

    booking = _book(patient, datetime(2027, 3, 24, 10, 0, tzinfo=LONDON))
    tasks = DBTaskResult.objects.all()
    assert tasks.count() == 2  # confirmation now, reminder deferred to start - 24 h
    assert {t.run_after for t in tasks} >= {booking.start - timedelta(hours=24)}
    assert mail.outbox == []  # nothing sent inside the request
    call_command("db_worker", batch=True, no_startup_delay=True)  # a fresh worker
    confirmation = OutboxMessage.objects.get(kind="confirmation")
    assert confirmation.status == "sent"
    # Replaying the same task (a duplicate delivery) sends nothing more.
    outbox_send(message_id=confirmation.pk)
    assert [m.subject for m in mail.outbox] == [f"Booking confirmed: {booking.reference}"]
