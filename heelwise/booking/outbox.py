"""The email outbox: rows written in the same transaction as the booking change, sent by tasks.

* ``outbox_queue_*`` create OutboxMessage rows inside the caller's transaction. With a task
  backend that stores tasks in the same database (django-tasks-db), the send task is enqueued in
  that transaction too, so a crash after commit cannot lose it; with other backends the task is
  enqueued on commit and ``outbox_sweep`` (``manage.py booking_outbox``) picks up anything left.
* ``outbox_send`` claims a row with one conditional UPDATE (pending -> sending), so duplicate
  task runs, retries and the sweeper never send one message twice. A process that dies mid-send
  leaves the row in ``sending``; the sweeper marks it failed for staff to check rather than risk a
  second reminder (at most once, visible in the delivery log).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from email.mime.text import MIMEText
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat
from django.template.loader import render_to_string
from django_tasks import default_task_backend

from heelwise.booking import clock
from heelwise.booking.availability import LONDON
from heelwise.booking.ics import Method, booking_ical
from heelwise.booking.links import manage_url
from heelwise.booking.models import Booking, OutboxMessage, WaitlistEntry

logger = logging.getLogger(__name__)

REMINDER_BEFORE = timedelta(hours=24)
MAX_ATTEMPTS = 5
STALE_SENDING = timedelta(minutes=15)
Kind = OutboxMessage.Kind
Status = OutboxMessage.Status


def _dispatch(messages: list[OutboxMessage], *, now: datetime) -> None:
    from heelwise.booking.tasks import outbox_send_task

    if default_task_backend.supports_defer:
        # Database task queue: the task row commits (or rolls back) with the booking.
        for message in messages:
            task = outbox_send_task
            if message.send_after > now:
                task = task.using(run_after=message.send_after)
            task.enqueue(message.pk)
        return
    due = [m.pk for m in messages if m.send_after <= now]
    if due:
        transaction.on_commit(partial(_enqueue_now, due))


def _enqueue_now(message_ids: list[int]) -> None:
    from heelwise.booking.tasks import outbox_send_task

    for message_id in message_ids:
        outbox_send_task.enqueue(message_id)


def outbox_supersede(*, booking: Booking) -> int:
    """Pending messages about an older version of the booking will not be sent."""
    return OutboxMessage.objects.filter(
        booking=booking,
        status=Status.PENDING,
        kind__in=[Kind.CONFIRMATION, Kind.RESCHEDULED, Kind.REMINDER],
    ).update(status=Status.SUPERSEDED)


def outbox_queue_for_booking(
    *, booking: Booking, kind: str, now: datetime, previous_start: datetime | None = None
) -> list[OutboxMessage]:
    """The message for this change of ``booking`` plus, while it is active, its reminder.
    ``previous_start``: a move's old time, which the "moved" email states beside the new one."""
    messages = [
        OutboxMessage(
            kind=kind,
            booking=booking,
            sequence=booking.sequence,
            previous_start=previous_start,
            dedupe_key=f"{booking.uid}:{kind}:{booking.sequence}",
            send_after=now,
        )
    ]
    remind_at = booking.start - REMINDER_BEFORE
    if booking.status == Booking.Status.CONFIRMED and remind_at > now:
        messages.append(
            OutboxMessage(
                kind=Kind.REMINDER,
                booking=booking,
                sequence=booking.sequence,
                dedupe_key=f"{booking.uid}:reminder:{booking.start.isoformat()}",
                send_after=remind_at,
            )
        )
    if booking.sequence:
        # Moving back to an earlier start: retire the superseded rows' keys so the new ones fit.
        OutboxMessage.objects.filter(
            dedupe_key__in=[m.dedupe_key for m in messages], status=Status.SUPERSEDED
        ).update(dedupe_key=Concat(F("dedupe_key"), Value(":superseded:"), Cast("id", CharField())))
    created = OutboxMessage.objects.bulk_create(messages)
    _dispatch(created, now=now)
    return created


def outbox_queue_waitlist_offer(*, entry: WaitlistEntry, now: datetime) -> OutboxMessage:
    message = OutboxMessage.objects.create(
        kind=Kind.WAITLIST_OFFER,
        waitlist_entry=entry,
        dedupe_key=f"waitlist:{entry.pk}:{entry.offered_start}",
        send_after=now,
    )
    _dispatch([message], now=now)
    return message


# --- sending ---------------------------------------------------------------------------------


def _claim(message_id: int, now: datetime) -> bool:
    return bool(
        OutboxMessage.objects.filter(
            pk=message_id, status=Status.PENDING, send_after__lte=now
        ).update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )


def _ical_part(ics: bytes, method: Method) -> MIMEText:
    part = MIMEText(ics.decode("utf-8"), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="invite.ics")
    return part


SUBJECTS = {
    Kind.CONFIRMATION: "Booking confirmed: {ref}",
    Kind.RESCHEDULED: "Booking moved: {ref}",
    Kind.CANCELLATION: "Booking cancelled: {ref}",
    Kind.REMINDER: "Reminder: your appointment tomorrow ({ref})",
}


def _booking_email(message: OutboxMessage, now: datetime) -> EmailMultiAlternatives | None:
    booking = (
        Booking.objects.select_related("service", "site", "practitioner", "room")
        .filter(pk=message.booking_id or 0)
        .first()
    )
    if booking is None:
        return None
    if message.kind == Kind.REMINDER and (
        booking.status != Booking.Status.CONFIRMED or booking.sequence != message.sequence
    ):
        return None
    method: Method = "CANCEL" if booking.status == Booking.Status.CANCELLED else "REQUEST"
    link = manage_url(booking)
    context = {
        "booking": booking,
        "kind": message.kind,
        "local_start": booking.start.astimezone(LONDON),
        "previous_start": (
            message.previous_start.astimezone(LONDON) if message.previous_start else None
        ),
        "manage_url": link,
        "clinic_phone": booking.site.phone if booking.site else "+44 1234 380345",
    }
    body = render_to_string("booking/email/booking.txt", context)
    email = EmailMultiAlternatives(
        subject=SUBJECTS[Kind(message.kind)].format(ref=booking.reference),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[booking.email],
    )
    ics = booking_ical(booking=booking, method=method, now=now, manage_url=link)
    email.attach(_ical_part(ics, method))
    return email


def _waitlist_email(message: OutboxMessage) -> EmailMultiAlternatives | None:
    entry = (
        WaitlistEntry.objects.select_related("service", "site", "offered_practitioner")
        .filter(pk=message.waitlist_entry_id or 0)
        .first()
    )
    if entry is None or entry.offered_start is None:
        return None
    from django.urls import reverse

    site_part = entry.site.slug if entry.site else "remote"
    book_url = settings.SITE_URL + reverse("booking:details", args=[entry.service.slug, site_part])
    book_url += "?start=" + entry.offered_start.astimezone(LONDON).isoformat().replace("+", "%2B")
    body = render_to_string(
        "booking/email/waitlist_offer.txt",
        {
            "entry": entry,
            "local_start": entry.offered_start.astimezone(LONDON),
            "book_url": book_url,
        },
    )
    return EmailMultiAlternatives(
        subject=f"A {entry.service.name.lower()} slot has come free",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[entry.email],
    )


def outbox_send(*, message_id: int, now: datetime | None = None) -> bool:
    """Send one message if it is still pending and due. Returns True when this call sent it."""
    now = now or clock.now()
    if not _claim(message_id, now):
        return False
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        if message.booking_id is not None:
            email = _booking_email(message, now)
        else:
            email = _waitlist_email(message)
        if email is None:
            OutboxMessage.objects.filter(pk=message_id).update(status=Status.SUPERSEDED)
            return False
        email.send()
    except Exception as exc:  # the outside world failed: retry later, never lose the row
        status = Status.FAILED if message.attempts >= MAX_ATTEMPTS else Status.PENDING
        OutboxMessage.objects.filter(pk=message_id).update(
            status=status,
            last_error=type(exc).__name__,
            send_after=now + timedelta(minutes=2**message.attempts),
        )
        logger.warning("Outbox message %s failed (%s)", message_id, type(exc).__name__)
        if status == Status.PENDING and default_task_backend.supports_defer:
            from heelwise.booking.tasks import outbox_send_task

            retry_at = now + timedelta(minutes=2**message.attempts)
            outbox_send_task.using(run_after=retry_at).enqueue(message_id)
        return False
    OutboxMessage.objects.filter(pk=message_id).update(status=Status.SENT, sent_at=clock.now())
    return True


def outbox_sweep(*, now: datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Send every due pending message (the safety net), and flag sends interrupted mid-way."""
    now = now or clock.now()
    interrupted = OutboxMessage.objects.filter(
        status=Status.SENDING, claimed_at__lt=now - STALE_SENDING
    ).update(status=Status.FAILED, last_error="Interrupted while sending; check with the patient")
    due = list(
        OutboxMessage.objects.filter(status=Status.PENDING, send_after__lte=now)
        .order_by("send_after", "id")
        .values_list("pk", flat=True)[:limit]
    )
    sent = sum(1 for pk in due if outbox_send(message_id=pk, now=now))
    return {"due": len(due), "sent": sent, "interrupted": interrupted}
