"""Booking use cases. Each is one atomic transaction; emails go through the outbox in it.

Double booking is impossible at the database level on PostgreSQL (exclusion constraints, see
migration 0002): a racing INSERT/UPDATE raises IntegrityError, mapped here to SlotTaken. On SQLite
the IMMEDIATE transaction serialises writers, so the availability re-check inside it is exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, OperationalError, transaction

from heelwise.booking import clock
from heelwise.booking.availability import (
    LONDON,
    BookingInputError,
    ServiceChanged,
    Slot,
    SlotTaken,
    day_slots,
    schedule_load,
    slot_validate,
)
from heelwise.booking.models import (
    Booking,
    Course,
    CoursePlan,
    OutboxMessage,
    ServicePolicy,
    WaitlistEntry,
    reference_new,
)
from heelwise.booking.outbox import (
    outbox_queue_for_booking,
    outbox_queue_waitlist_offer,
    outbox_supersede,
)
from heelwise.booking.selectors import service_refresh
from heelwise.clinics.models import Service, Site
from heelwise.common.models import AuditEvent
from heelwise.common.services import audit_record

if TYPE_CHECKING:
    from heelwise.assessment.models import Assessment

OVERLAP_CONSTRAINTS = ("booking_no_practitioner_overlap", "booking_no_room_overlap")
DEADLOCK_DETECTED = "40P01"
DEFAULT_NOTICE_HOURS = 24


@dataclass(frozen=True)
class PatientDetails:
    name: str
    email: str
    phone: str = ""
    notes: str = ""


class PolicyError(Exception):
    """The clinic's notice policy does not allow this change online (call the clinic)."""


def _is_overlap(exc: Exception) -> bool:
    """An exclusion-constraint violation, or the deadlock PostgreSQL reports when two
    transactions insert conflicting rows at the same moment (each waits for the other's
    uncommitted row): both mean someone else is taking this time."""
    if isinstance(exc, OperationalError):
        return getattr(exc.__cause__, "sqlstate", None) == DEADLOCK_DETECTED
    text = str(exc)
    return any(name in text for name in OVERLAP_CONSTRAINTS)


def _ordered(options: list[Slot], practitioner_id: int | None) -> list[tuple[Slot, int | None]]:
    pairs: list[tuple[Slot, int | None]] = []
    for slot in options:
        if practitioner_id is not None and slot.practitioner_id != practitioner_id:
            continue
        rooms: list[int | None] = list(slot.room_ids) or [None]
        pairs.extend((slot, room) for room in rooms)
    return pairs


def _insert(
    *,
    service: Service,
    site: Site | None,
    options: list[Slot],
    patient: PatientDetails,
    practitioner_id: int | None,
    course: Course | None,
    user: object,
    booked_by: object,
    assessment: Assessment | None = None,
) -> Booking:
    """Insert the booking with the first option the database accepts."""
    pairs = _ordered(options, practitioner_id)
    if not pairs:
        raise SlotTaken("That practitioner is not free at this time.")
    for attempt, (slot, room_id) in enumerate(pairs):
        booking = Booking(
            service=service,
            site=site,
            practitioner_id=slot.practitioner_id,
            room_id=room_id,
            start=slot.start,
            end=slot.end,
            blocked_until=slot.blocked_until,
            course=course,
            name=patient.name,
            email=patient.email,
            phone=patient.phone,
            notes=patient.notes,
            user=user if getattr(user, "is_authenticated", False) else None,  # type: ignore[misc]
            booked_by=booked_by if getattr(booked_by, "is_authenticated", False) else None,
            assessment=assessment,
        )
        last = attempt == len(pairs) - 1
        try:
            if last:
                booking.save(force_insert=True)
            else:
                with transaction.atomic():  # savepoint: fall through to the next option
                    booking.save(force_insert=True)
            return booking
        except (IntegrityError, OperationalError) as exc:
            if not _is_overlap(exc):
                raise
            if last:
                raise SlotTaken("This time has just been booked. Please choose another.") from exc
    raise SlotTaken("This time has just been booked. Please choose another.")


def booking_create(
    *,
    service: Service,
    site: Site | None,
    start: datetime,
    patient: PatientDetails,
    practitioner_id: int | None = None,
    user: object = None,
    booked_by: object = None,
    assessment: Assessment | None = None,
    now: datetime | None = None,
) -> Booking:
    """Book one appointment, or raise BookingInputError (422) / SlotTaken (409).

    ``assessment``: a self-assessment the patient chose to share with the clinician. The caller
    has checked that the person booking may see it (its owner, or the browser that took it); it
    is attached in the booking's transaction and the sharing is written to the audit trail.

    An optimistic check against committed bookings runs first, outside any transaction, so the
    many losers of a race answer 409 without taking locks; the winner then locks, re-checks with
    the same availability function and inserts (the exclusion constraints have the last word).
    ``service`` may be a cached object: if the stored service differs, it is reloaded once.
    """
    now = now or clock.now()
    for attempt in (1, 2):
        try:
            return _booking_create(
                service=service,
                site=site,
                start=start,
                patient=patient,
                practitioner_id=practitioner_id,
                user=user,
                booked_by=booked_by,
                assessment=assessment,
                now=now,
            )
        except ServiceChanged:
            fresh = service_refresh(slug=service.slug)
            if attempt == 2 or fresh is None or not fresh.is_active:
                raise BookingInputError({"service": ["Unknown service."]}) from None
            service = fresh
    raise AssertionError("unreachable")


def _booking_create(
    *,
    service: Service,
    site: Site | None,
    start: datetime,
    patient: PatientDetails,
    practitioner_id: int | None,
    user: object,
    booked_by: object,
    assessment: Assessment | None,
    now: datetime,
) -> Booking:
    if service.is_remote:
        site = None
    elif site is None:
        raise BookingInputError({"site": ["Choose a clinic for an in-person appointment."]})
    slot_validate(service=service, site=site, start=start, practitioner_id=practitioner_id, now=now)
    return _booking_create_locked(
        service=service,
        site=site,
        start=start,
        patient=patient,
        practitioner_id=practitioner_id,
        user=user,
        booked_by=booked_by,
        assessment=assessment,
        now=now,
    )


@transaction.atomic
def _booking_create_locked(
    *,
    service: Service,
    site: Site | None,
    start: datetime,
    patient: PatientDetails,
    practitioner_id: int | None,
    user: object,
    booked_by: object,
    assessment: Assessment | None,
    now: datetime,
) -> Booking:
    options = slot_validate(
        service=service, site=site, start=start, practitioner_id=practitioner_id, now=now, lock=True
    )
    try:
        booking = _insert(
            service=service,
            site=site,
            options=options,
            patient=patient,
            practitioner_id=practitioner_id,
            course=None,
            user=user,
            booked_by=booked_by,
            assessment=assessment,
        )
    except (IntegrityError, OperationalError) as exc:
        if _is_overlap(exc):
            raise SlotTaken("This time has just been booked. Please choose another.") from exc
        raise
    if assessment is not None:
        audit_record(
            actor=user,
            action=AuditEvent.Action.UPDATE,
            object_type="assessment",
            object_id=assessment.public_id,
            subject_user_id=assessment.user_id or booking.user_id,
            detail=f"shared with the practitioner of booking {booking.reference}",
        )
    outbox_queue_for_booking(booking=booking, kind=OutboxMessage.Kind.CONFIRMATION, now=now)
    return booking


# --- notice policy -------------------------------------------------------------------------------


def _policy(service: Service) -> ServicePolicy | None:
    try:
        return service.policy
    except ServicePolicy.DoesNotExist:
        return None


def cancel_deadline(booking: Booking) -> datetime:
    policy = _policy(booking.service)
    hours = policy.cancel_notice_hours if policy else DEFAULT_NOTICE_HOURS
    return booking.start - timedelta(hours=hours)


def reschedule_deadline(booking: Booking) -> datetime:
    policy = _policy(booking.service)
    hours = policy.reschedule_notice_hours if policy else DEFAULT_NOTICE_HOURS
    return booking.start - timedelta(hours=hours)


def booking_can_cancel_online(booking: Booking, *, now: datetime | None = None) -> bool:
    now = now or clock.now()
    return booking.status == Booking.Status.CONFIRMED and now <= cancel_deadline(booking)


def booking_can_reschedule_online(booking: Booking, *, now: datetime | None = None) -> bool:
    now = now or clock.now()
    return booking.status == Booking.Status.CONFIRMED and now <= reschedule_deadline(booking)


# --- changes -------------------------------------------------------------------------------------


def _lock(booking: Booking) -> Booking:
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("service", "site", "practitioner")
        .get(pk=booking.pk)
    )


@transaction.atomic
def booking_cancel(
    *, booking: Booking, by_staff: bool = False, now: datetime | None = None
) -> Booking:
    now = now or clock.now()
    booking = _lock(booking)
    if booking.status != Booking.Status.CONFIRMED:
        raise PolicyError("Only a confirmed booking can be cancelled.")
    if not by_staff and not booking_can_cancel_online(booking, now=now):
        raise PolicyError("It is too late to cancel online. Please call the clinic.")
    booking.status = Booking.Status.CANCELLED
    booking.sequence += 1
    booking.save(update_fields=["status", "sequence", "updated"])
    outbox_supersede(booking=booking)
    outbox_queue_for_booking(booking=booking, kind=OutboxMessage.Kind.CANCELLATION, now=now)
    waitlist_offer_freed(
        service=booking.service,
        site=booking.site,
        day=booking.start.astimezone(LONDON).date(),
        now=now,
        freed_start=booking.start,
    )
    return booking


@transaction.atomic
def booking_reschedule(
    *,
    booking: Booking,
    start: datetime,
    practitioner_id: int | None = None,
    by_staff: bool = False,
    now: datetime | None = None,
) -> Booking:
    """Move a booking to a new free start (same service and site). Raises like booking_create."""
    now = now or clock.now()
    booking = _lock(booking)
    if booking.status != Booking.Status.CONFIRMED:
        raise PolicyError("Only a confirmed booking can be moved.")
    if not by_staff and not booking_can_reschedule_online(booking, now=now):
        raise PolicyError("It is too late to change this booking online. Please call the clinic.")
    old_start = booking.start
    old_day = old_start.astimezone(LONDON).date()
    options = slot_validate(
        service=booking.service,
        site=booking.site,
        start=start,
        practitioner_id=practitioner_id,
        exclude_booking_id=booking.pk,
        now=now,
        lock=True,
    )
    # Prefer keeping the same practitioner and room.
    options.sort(key=lambda s: s.practitioner_id != booking.practitioner_id)
    slot = options[0]
    rooms = list(slot.room_ids)
    if booking.room_id in rooms:
        rooms.remove(booking.room_id)
        rooms.insert(0, booking.room_id)
    booking.practitioner_id = slot.practitioner_id
    booking.room_id = rooms[0] if rooms else None
    booking.start, booking.end, booking.blocked_until = slot.start, slot.end, slot.blocked_until
    booking.sequence += 1
    try:
        with transaction.atomic():
            booking.save(
                update_fields=[
                    "practitioner",
                    "room",
                    "start",
                    "end",
                    "blocked_until",
                    "sequence",
                    "updated",
                ]
            )
    except (IntegrityError, OperationalError) as exc:
        if _is_overlap(exc):
            raise SlotTaken("This time has just been booked. Please choose another.") from exc
        raise
    outbox_supersede(booking=booking)
    outbox_queue_for_booking(booking=booking, kind=OutboxMessage.Kind.RESCHEDULED, now=now)
    waitlist_offer_freed(
        service=booking.service, site=booking.site, day=old_day, now=now, freed_start=old_start
    )
    return booking


@transaction.atomic
def booking_mark(*, booking: Booking, status: str, now: datetime | None = None) -> Booking:
    """Staff record the outcome: attended or no-show (only once the appointment has started)."""
    now = now or clock.now()
    if status not in {Booking.Status.ATTENDED, Booking.Status.NO_SHOW}:
        raise BookingInputError({"status": ["Mark a booking attended or no-show."]})
    booking = _lock(booking)
    if booking.status == Booking.Status.CANCELLED:
        raise PolicyError("A cancelled booking cannot be marked.")
    if booking.start > now:
        raise PolicyError("The appointment has not started yet.")
    booking.status = status
    booking.save(update_fields=["status", "updated"])
    return booking


# --- treatment courses ---------------------------------------------------------------------------


@transaction.atomic
def course_book(
    *,
    plan: CoursePlan,
    site: Site | None,
    starts: list[datetime],
    patient: PatientDetails,
    practitioner_id: int | None = None,
    user: object = None,
    booked_by: object = None,
    now: datetime | None = None,
) -> Course:
    """Book every session of a course, or none: any failure rolls the whole course back."""
    now = now or clock.now()
    service = plan.service
    errors: dict[str, list[str]] = {}
    if len(starts) != plan.sessions:
        errors["starts"] = [f"This course has {plan.sessions} sessions."]
    ordered = sorted(starts)
    for i in range(1, len(ordered)):
        gap = (ordered[i].astimezone(LONDON).date() - ordered[i - 1].astimezone(LONDON).date()).days
        if not plan.min_gap_days <= gap <= plan.max_gap_days:
            errors.setdefault("starts", []).append(
                f"Sessions {i} and {i + 1} must be "
                f"{plan.min_gap_days}-{plan.max_gap_days} days apart."
            )
    if errors:
        raise BookingInputError(errors)
    course = Course.objects.create(plan=plan)
    for index, start in enumerate(ordered):
        try:
            options = slot_validate(
                service=service,
                site=site,
                start=start,
                practitioner_id=practitioner_id,
                now=now,
                lock=True,
            )
        except BookingInputError as exc:
            raise BookingInputError({f"starts.{index}": exc.errors["start"]}) from exc
        try:
            booking = _insert(
                service=service,
                site=None if service.is_remote else site,
                options=options,
                patient=patient,
                practitioner_id=practitioner_id,
                course=course,
                user=user,
                booked_by=booked_by,
            )
        except (IntegrityError, OperationalError) as exc:
            if _is_overlap(exc):
                raise SlotTaken(f"Session {index + 1} has just been booked.") from exc
            raise
        outbox_queue_for_booking(booking=booking, kind=OutboxMessage.Kind.CONFIRMATION, now=now)
    return course


# --- waitlist ------------------------------------------------------------------------------------


@transaction.atomic
def waitlist_join(
    *,
    service: Service,
    site: Site | None,
    day: date,
    name: str,
    email: str,
    phone: str = "",
) -> WaitlistEntry:
    entry = WaitlistEntry(
        service=service,
        site=None if service.is_remote else site,
        day=day,
        name=name,
        email=email,
        phone=phone,
    )
    entry.full_clean()
    entry.save()
    return entry


def waitlist_offer_freed(
    *,
    service: Service,
    site: Site | None,
    day: date,
    now: datetime,
    freed_start: datetime | None = None,
) -> WaitlistEntry | None:
    """Offer the freed slot (else the day's first free one) to the first person waiting for
    that service, site and day."""
    entry = (
        WaitlistEntry.objects.select_for_update(skip_locked=True)
        .filter(service=service, site=site, day=day, status=WaitlistEntry.Status.WAITING)
        .order_by("created", "id")
        .first()
    )
    if entry is None:
        return None
    schedule = schedule_load(service=service, site=site, first_day=day, last_day=day)
    free = [s for s in day_slots(schedule, day, now=now) if s.free]
    if not free:
        return None
    offer = next((s for s in free if s.start == freed_start), free[0])
    entry.status = WaitlistEntry.Status.OFFERED
    entry.offered_start = offer.start
    entry.offered_practitioner_id = offer.practitioner_id
    entry.offered_at = now
    entry.save(update_fields=["status", "offered_start", "offered_practitioner", "offered_at"])
    outbox_queue_waitlist_offer(entry=entry, now=now)
    return entry


__all__ = [
    "BookingInputError",
    "PatientDetails",
    "PolicyError",
    "SlotTaken",
    "booking_can_cancel_online",
    "booking_can_reschedule_online",
    "booking_cancel",
    "booking_create",
    "booking_mark",
    "booking_reschedule",
    "course_book",
    "reference_new",
    "waitlist_join",
    "waitlist_offer_freed",
]
