"""The booking app's personal data: export, erasure on request, and the waiting list's retention.

A person's bookings are those linked to their account, that is, made while signed in.
Bookings and waiting-list entries made without signing in are NOT matched by
email address, because sign-up does not prove that the address belongs to whoever signed up:
matching by it would let a stranger who registers someone else's address download that person's
bookings (phone, notes) or cancel them by deleting "their" account. Such records are handled by
the clinic after an identity check, and the waiting list's own retention (below) bounds them.

Erasure (``booking_erase_for_user``, registered as the ``bookings`` provider of
``heelwise.accounts.personal_data``):

* future confirmed bookings are cancelled through ``booking_cancel``, as if the clinic had
  cancelled them: the slot is freed in the calendar (and offered to the waiting list) and the
  normal cancellation email with its iCalendar CANCEL goes out. It is sent during the erasure,
  while the booking still holds the address; any other message that has not gone is dropped;
* a self-assessment attached to one of these bookings without an account is deleted (one
  attached from the account is deleted by the ``assessments`` provider);
* every booking keeps only what the clinic must keep about an appointment (reference, date and
  time, service, site, room, practitioner and status, for its financial and activity records);
  the name, email, phone and notes are removed and the account link is cleared.

Retention (``waitlist_purge_stale``, run by ``manage.py housekeeping``): a waiting-list entry is
deleted ``WAITLIST_RETENTION`` after the day it asked for.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils import timezone

from heelwise.booking import clock
from heelwise.booking.availability import LONDON
from heelwise.booking.models import Booking, OutboxMessage, WaitlistEntry
from heelwise.booking.outbox import outbox_send
from heelwise.booking.services import booking_cancel

if TYPE_CHECKING:
    from heelwise.accounts.models import User

WAITLIST_RETENTION = timedelta(days=30)
ERASED_NAME = "(erased on request)"
ERASED_NOTICE = "Not sent: the patient's details were erased on request"
NOT_LINKED = (
    "Bookings and waiting-list entries made without signing in are not linked to your account, "
    "so they are not in this file and are not deleted with the account. Ask the clinic for them: "
    "it will check that the email address is yours first."
)


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _messages(messages: Any) -> list[dict[str, Any]]:
    """What was sent and when; the bodies are not stored (they are rendered when sent)."""
    return [
        {
            "kind": m.kind,
            "status": m.status,
            "send_after": _iso(m.send_after),
            "sent_at": _iso(m.sent_at),
        }
        for m in messages.all()
    ]


def booking_list_for_user(*, user: User) -> QuerySet[Booking]:
    """Every booking linked to this person's account (never matched by email: see above)."""
    return Booking.objects.filter(user=user).order_by("start")


def booking_list_upcoming_for_user(*, user: User, now: datetime | None = None) -> list[Booking]:
    """The person's confirmed bookings that have not started, soonest first (account pages)."""
    now = now or clock.now()
    return list(
        booking_list_for_user(user=user)
        .filter(status=Booking.Status.CONFIRMED, start__gt=now)
        .select_related("service", "site", "practitioner")
    )


def booking_export_for_user(user: User) -> dict[str, Any]:
    """Personal-data export (accounts.personal_data provider)."""
    bookings = booking_list_for_user(user=user).select_related(
        "service", "site", "practitioner", "room", "course", "assessment"
    )
    return {
        "not_included": NOT_LINKED,
        "bookings": [
            {
                "reference": b.reference,
                "service": b.service.name,
                "site": b.site.name if b.site else "remote",
                "practitioner": b.practitioner.name,
                "room": b.room.name if b.room else None,
                "start": b.start.astimezone(LONDON).isoformat(),
                "end": b.end.astimezone(LONDON).isoformat(),
                "status": b.status,
                "course": b.course.reference if b.course else None,
                "name": b.name,
                "email": b.email,
                "phone": b.phone,
                "notes": b.notes,
                "booked_by_staff": b.booked_by_id is not None,
                "shared_assessment": str(b.assessment.public_id) if b.assessment else None,
                "created": _iso(b.created),
                "messages": _messages(b.messages),
            }
            for b in bookings.prefetch_related("messages")
        ],
    }


def booking_erase_for_user(user: User) -> None:
    """Personal-data erasure (accounts.personal_data provider); runs inside ``user_delete``'s
    transaction. See the module docstring for what is kept and why."""
    from heelwise.assessment.models import Assessment

    now = clock.now()
    bookings = booking_list_for_user(user=user)
    for booking in bookings.filter(status=Booking.Status.CONFIRMED, start__gt=now):
        booking_cancel(booking=booking, by_staff=True, now=now)
    ids = list(bookings.values_list("pk", flat=True))
    pending = OutboxMessage.objects.filter(booking_id__in=ids, status=OutboxMessage.Status.PENDING)
    for message_id in pending.filter(
        kind=OutboxMessage.Kind.CANCELLATION, send_after__lte=now
    ).values_list("pk", flat=True):
        outbox_send(message_id=message_id, now=now)
    pending.update(status=OutboxMessage.Status.SUPERSEDED, last_error=ERASED_NOTICE)
    Assessment.objects.filter(bookings__in=ids, user__isnull=True).delete()
    Booking.objects.filter(pk__in=ids).update(
        name=ERASED_NAME,
        email="",
        phone="",
        notes="",
        user=None,
        assessment=None,
        updated=timezone.now(),
    )


def waitlist_purge_stale(*, today: date | None = None) -> int:
    """Delete waiting-list entries ``WAITLIST_RETENTION`` past the day they asked for."""
    today = today or clock.now().astimezone(LONDON).date()
    _, per_model = WaitlistEntry.objects.filter(day__lt=today - WAITLIST_RETENTION).delete()
    return per_model.get(WaitlistEntry._meta.label, 0)
