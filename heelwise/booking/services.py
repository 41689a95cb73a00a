"""Booking use cases. Each is one atomic transaction; emails go through the outbox in it.

Double booking is impossible at the database level on PostgreSQL (exclusion constraints, see
migration 0002): a racing INSERT/UPDATE raises IntegrityError, mapped here to SlotTaken. On SQLite
the IMMEDIATE transaction serialises writers, so the availability re-check inside it is exact.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, OperationalError, connection, transaction

from heelwise.booking import clock
from heelwise.booking.availability import (
    LONDON,
    NO_LONGER_FREE,
    BookingInputError,
    ServiceChanged,
    Slot,
    SlotTaken,
    day_slots,
    schedule_load,
    slot_validate,
    start_problems,
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
from heelwise.booking.selectors import (
    bookings_visible,
    patient_known_match,
    patient_match,
    service_refresh,
)
from heelwise.clinics.models import Service, Site
from heelwise.common.models import AuditEvent
from heelwise.common.services import audit_record

if TYPE_CHECKING:
    from heelwise.assessment.models import Assessment

OVERLAP_CONSTRAINTS = ("booking_no_practitioner_overlap", "booking_no_room_overlap")
DEADLOCK_DETECTED = "40P01"
SERIALIZATION_FAILURE = "40001"
DEFAULT_NOTICE_HOURS = 24


@dataclass(frozen=True)
class PatientDetails:
    name: str
    email: str
    phone: str = ""
    notes: str = ""


class PolicyError(Exception):
    """The clinic's notice policy does not allow this change online (call the clinic)."""


class NothingChanged(PolicyError):
    """A move to the booking's own time and practitioner (e.g. a double-clicked Move button):
    nothing is saved, emailed or offered."""


ALREADY_THERE = "It is already at that time; nothing was changed."


def _is_overlap(exc: Exception) -> bool:
    """An exclusion-constraint violation, or the deadlock PostgreSQL reports when two
    transactions insert conflicting rows at the same moment (each waits for the other's
    uncommitted row): both mean someone else is taking this time."""
    if isinstance(exc, OperationalError):
        return getattr(exc.__cause__, "sqlstate", None) == DEADLOCK_DETECTED
    text = str(exc)
    return any(name in text for name in OVERLAP_CONSTRAINTS)


def _is_lock_conflict(exc: Exception) -> bool:
    """PostgreSQL broke a deadlock (40P01) or a serialization conflict (40001) while taking
    locks: a last resort (locks are taken in one global order), answered as a taken time."""
    return isinstance(exc, OperationalError) and getattr(exc.__cause__, "sqlstate", None) in {
        DEADLOCK_DETECTED,
        SERIALIZATION_FAILURE,
    }


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
    submission_key: str = "",
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
            submission_key=submission_key,
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
                raise SlotTaken(NO_LONGER_FREE) from exc
    raise SlotTaken(NO_LONGER_FREE)


# --- one patient, one appointment at a time ------------------------------------------------------


def _lock_key(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big", signed=True)


def patient_lock(*, email: str, user: object = None) -> None:
    """PostgreSQL: transaction-scoped advisory locks per patient (their email, any case; their
    account; and any account registered with that email), taken before any practitioner or room
    lock and in one global order, so two app servers booking the same person at the same moment
    (at two sites, with two practitioners, under two email addresses of one account) queue and
    the second sees the first's booking. The single-key lock space is separate from
    ``resources_lock``'s two-key one. SQLite's IMMEDIATE transactions already serialise
    writers."""
    if connection.vendor != "postgresql":
        return
    ordered = patient_lock_keys(email=email, user=user)
    sql = "SELECT " + ", ".join(["pg_advisory_xact_lock(%s)"] * len(ordered))
    with connection.cursor() as cursor:
        cursor.execute(sql, ordered)


def patient_lock_keys(*, email: str, user: object = None) -> list[int]:
    """``patient_lock``'s keys, sorted: the typed email, the account (if any) and its email,
    and every account registered with the typed email."""
    from django.contrib.auth import get_user_model

    typed = email.strip().lower()
    keys = {_lock_key("email:" + typed)}
    accounts: set[int] = set(
        get_user_model().objects.filter(email__iexact=typed).values_list("pk", flat=True)
    )
    if getattr(user, "is_authenticated", False):
        accounts.add(int(getattr(user, "pk", 0)))
        account_email = str(getattr(user, "email", "") or "").strip().lower()
        if account_email:
            keys.add(_lock_key("email:" + account_email))
    keys |= {_lock_key(f"user:{pk}") for pk in accounts}
    return sorted(keys)


def _describe(booking: Booking) -> str:
    start, end = booking.start.astimezone(LONDON), booking.end.astimezone(LONDON)
    where = booking.site.name if booking.site is not None else "remote (phone or video)"
    return (
        f"{start:%H:%M}-{end:%H:%M} on {start:%A} {start.day} {start:%B %Y} ({where}, "
        f"{booking.service.name}, reference {booking.reference})"
    )


STAFF_CLASH = "This patient already has an appointment at an overlapping time. Choose another time."


def patient_clash_check(
    *,
    email: str,
    user: object,
    start: datetime,
    end: datetime,
    by_staff: bool,
    viewer: object = None,
    course_id: int | None = None,
    exclude_booking_id: int | None = None,
    field: str = "start",
) -> None:
    """Refuse an appointment over ``[start, end)`` for a patient who already has a live booking
    whose appointment time overlaps, where the person acting is proven to be that patient or is
    staff. Buffers are not compared: they are the room's and the practitioner's turnaround time,
    not the patient's. Call inside the booking transaction, after ``patient_lock``.

    * Staff (``by_staff``): every live booking ``selectors.patient_match`` finds (the same email
      in any case, an account with that email, the same account or its email) is refused. The
      message describes the other booking's time, place, service and reference if it is one the
      staff member (``viewer``) may see (``bookings_visible``), else only that the patient has
      an appointment at an overlapping time (BookingInputError naming ``field``, HTTP 422).
    * A patient: refused, with the other booking described, only over a booking linked to their
      own signed-in account (``viewer``) or another session of the same course (``course_id``)
      (``selectors.patient_known_match``; BookingInputError, 422). An overlap matched only by
      email (anonymous, or another account's email) is NOT refused and changes nothing the
      person can observe: sign-up does not verify addresses, so a typed email proves nothing
      and a refusal would tell a stranger whether, when and where someone has an appointment.
      The booking is made as for any free time, and staff see it marked as a possible double
      booking (``selectors.booking_duplicates``)."""
    others = Booking.objects.filter(
        patient_match(email=email, user=user),
        status__in=Booking.ACTIVE_STATUSES,
        start__lt=end,
        end__gt=start,
    )
    if exclude_booking_id is not None:
        others = others.exclude(pk=exclude_booking_id)
    if not by_staff:
        others = others.filter(patient_known_match(viewer=viewer, course_id=course_id))
    other = others.select_related("site", "service").order_by("start").first()
    if other is None:
        return
    if not by_staff:
        raise BookingInputError(
            {field: [f"You already have a booking at {_describe(other)}. Choose another time."]}
        )
    from heelwise.accounts.models import User

    if isinstance(viewer, User) and bookings_visible(viewer=viewer).filter(pk=other.pk).exists():
        message = f"This patient already has a booking at {_describe(other)}. Choose another time."
    else:
        message = STAFF_CLASH
    raise BookingInputError({field: [message]})


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
    by_staff: bool = False,
    submission_key: str = "",
) -> Booking:
    """Book one appointment, or raise BookingInputError (422) / SlotTaken (409).

    ``submission_key``: the online confirm form's one-time key, stored on the booking so a
    second send of the same form can be recognised (``selectors.booking_get_by_submission``).

    ``by_staff``: clinic staff booking for a caller, who are not held to the online minimum
    notice (any future free time). Staff may not book a patient (same account or email) who
    already has a booking at an overlapping time, nor may a signed-in patient over a booking of
    their own account (``patient_clash_check``, 422 naming ``start``), checked under the
    patient's lock; an overlap matched only by a typed email is booked and flagged for staff.

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
                by_staff=by_staff,
                submission_key=submission_key,
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
    by_staff: bool,
    submission_key: str = "",
) -> Booking:
    if service.is_remote:
        site = None
    elif site is None:
        raise BookingInputError({"site": ["Choose a clinic for an in-person appointment."]})
    slot_validate(
        service=service,
        site=site,
        start=start,
        practitioner_id=practitioner_id,
        now=now,
        staff=by_staff,
    )
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
        by_staff=by_staff,
        submission_key=submission_key,
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
    by_staff: bool,
    submission_key: str = "",
) -> Booking:
    patient_lock(email=patient.email, user=user)
    patient_clash_check(
        email=patient.email,
        user=user,
        start=start,
        end=start + timedelta(minutes=service.minutes),
        by_staff=by_staff,
        viewer=booked_by if by_staff else user,
    )
    options = slot_validate(
        service=service,
        site=site,
        start=start,
        practitioner_id=practitioner_id,
        now=now,
        lock=True,
        staff=by_staff,
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
            submission_key=submission_key,
        )
    except (IntegrityError, OperationalError) as exc:
        if _is_overlap(exc):
            raise SlotTaken(NO_LONGER_FREE) from exc
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
    if booking.status == Booking.Status.CANCELLED:  # e.g. a double-clicked Cancel
        raise PolicyError(f"Booking {booking.reference} is already cancelled; nothing was changed.")
    if booking.status != Booking.Status.CONFIRMED:
        raise PolicyError("Only a confirmed booking can be cancelled.")
    if booking.start <= now:
        raise PolicyError(
            "This appointment has already started, so it cannot be cancelled: mark it attended "
            "or no-show instead."
        )
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
    actor: object = None,
    now: datetime | None = None,
) -> Booking:
    """Move a booking to a new free start (same service and site, same reference and invite
    UID, SEQUENCE + 1, the "moved" email). Raises like booking_create. ``by_staff``: staff
    moving it for the patient, without the online notice rules; an appointment that has already
    started cannot be moved. ``actor``: who is moving it (the staff member, or the person
    holding the manage link, signed in or not): decides whether an overlap with the patient's
    other booking is refused and what the refusal says (``patient_clash_check``)."""
    now = now or clock.now()
    booking = _lock(booking)
    if booking.status != Booking.Status.CONFIRMED:
        raise PolicyError("Only a confirmed booking can be moved.")
    if booking.start <= now:
        raise PolicyError(
            "This appointment has already started, so it cannot be moved: mark it attended or "
            "no-show instead."
        )
    if start == booking.start and practitioner_id in (None, booking.practitioner_id):
        raise NothingChanged(ALREADY_THERE)
    if not by_staff and not booking_can_reschedule_online(booking, now=now):
        raise PolicyError("It is too late to change this booking online. Please call the clinic.")
    old_start = booking.start
    old_day = old_start.astimezone(LONDON).date()
    # A time that can never be booked (past, off the grid, beyond the horizon: e.g. year 9999)
    # is refused before anything computes with it.
    problems = start_problems(service=booking.service, start=start, now=now, staff=by_staff)
    if problems:
        raise BookingInputError({"start": problems})
    patient_lock(email=booking.email, user=booking.user)
    if booking.course_id is not None:
        # Under the patient's lock, so two sessions of one course moved at once queue.
        gap = course_gap_problem(
            booking=booking, start=start, others=course_other_starts(booking=booking)
        )
        if gap:
            raise BookingInputError({"start": [gap]})
    patient_clash_check(
        email=booking.email,
        user=booking.user,
        start=start,
        end=start + timedelta(minutes=booking.service.minutes),
        by_staff=by_staff,
        viewer=actor,
        course_id=booking.course_id,
        exclude_booking_id=booking.pk,
    )
    options = slot_validate(
        service=booking.service,
        site=booking.site,
        start=start,
        practitioner_id=practitioner_id,
        exclude_booking_id=booking.pk,
        now=now,
        lock=True,
        staff=by_staff,
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
            raise SlotTaken(NO_LONGER_FREE) from exc
        raise
    outbox_supersede(booking=booking)
    outbox_queue_for_booking(
        booking=booking, kind=OutboxMessage.Kind.RESCHEDULED, now=now, previous_start=old_start
    )
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


def _course_gap_errors(plan: CoursePlan, starts: list[datetime]) -> dict[str, list[str]]:
    """Gaps between consecutive sessions in time order, each error on the later session as the
    person numbered it (``starts.<index in the list given>``)."""
    errors: dict[str, list[str]] = {}
    order = sorted(range(len(starts)), key=lambda i: starts[i])
    for before, after in zip(order, order[1:], strict=False):
        gap = (
            starts[after].astimezone(LONDON).date() - starts[before].astimezone(LONDON).date()
        ).days
        if not plan.min_gap_days <= gap <= plan.max_gap_days:
            errors.setdefault(f"starts.{after}", []).append(
                f"Sessions {before + 1} and {after + 1} are {gap} days apart; they must be "
                f"{plan.min_gap_days}-{plan.max_gap_days} days apart."
            )
    return errors


def course_other_starts(*, booking: Booking) -> list[datetime]:
    """The starts of the other live sessions of ``booking``'s course (none if not a course)."""
    if booking.course_id is None:
        return []
    return list(
        Booking.objects.filter(course_id=booking.course_id, status__in=Booking.ACTIVE_STATUSES)
        .exclude(pk=booking.pk)
        .order_by("start")
        .values_list("start", flat=True)
    )


def _long_day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def course_gap_problem(*, booking: Booking, start: datetime, others: list[datetime]) -> str | None:
    """Why moving a course session to ``start`` breaks its plan's spacing (the local days
    between it and the neighbouring live sessions before and after it), or None. ``others``:
    ``course_other_starts`` (loaded once, so pages can filter a week of times with it)."""
    if booking.course_id is None or not others:
        return None
    plan = booking.course.plan  # type: ignore[union-attr]
    low, high = plan.min_gap_days, plan.max_gap_days
    day = start.astimezone(LONDON).date()
    days = sorted(other.astimezone(LONDON).date() for other in others)
    before = [d for d in days if d <= day]
    after = [d for d in days if d > day]
    problems = []
    if before and not low <= (day - before[-1]).days <= high:
        problems.append(
            f"{(day - before[-1]).days} days after the session on {_long_day(before[-1])}"
        )
    if after and not low <= (after[0] - day).days <= high:
        problems.append(f"{(after[0] - day).days} days before the session on {_long_day(after[0])}")
    if not problems:
        return None
    return (
        f"Sessions of this course must be {low}-{high} days apart: {_long_day(day)} is "
        f"{' and '.join(problems)}. Choose another day."
    )


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
    by_staff: bool = False,
    now: datetime | None = None,
) -> Course:
    """Book every session of a course, or none: any failure rolls the whole course back.

    ``starts`` in the order the person entered them: errors name ``starts.<index>`` and
    SlotTaken says "Session <index + 1>", whatever the order of the dates."""
    now = now or clock.now()
    service = plan.service
    errors: dict[str, list[str]] = {}
    if len(starts) != plan.sessions:
        errors["starts"] = [f"This course has {plan.sessions} sessions."]
    # A time that can never be booked (past, off the grid, beyond the horizon) is refused
    # before anything computes with it (a year-9999 time would overflow the clash check).
    for index, start in enumerate(starts):
        problems = start_problems(service=service, start=start, now=now, staff=by_staff)
        if problems:
            errors[f"starts.{index}"] = problems
    if not errors:
        errors.update(_course_gap_errors(plan, starts))
    if errors:
        raise BookingInputError(errors)
    patient_lock(email=patient.email, user=user)
    course = Course.objects.create(plan=plan)
    # Sessions in time order, so every course takes its (practitioner, day) and (room, day)
    # locks in one global order, whatever order they were typed in: two courses booked at
    # once queue instead of deadlocking. Errors still name the session as entered.
    for index in sorted(range(len(starts)), key=lambda i: starts[i]):
        start = starts[index]
        field = f"starts.{index}"
        try:
            booking = _course_session(
                service=service,
                site=site,
                start=start,
                patient=patient,
                practitioner_id=practitioner_id,
                course=course,
                user=user,
                booked_by=booked_by,
                by_staff=by_staff,
                field=field,
                now=now,
            )
        except BookingInputError as exc:
            raise BookingInputError({field: [m for ms in exc.errors.values() for m in ms]}) from exc
        except SlotTaken as exc:
            raise SlotTaken(f"Session {index + 1}: {exc}", field=field) from exc
        except (IntegrityError, OperationalError) as exc:
            if _is_overlap(exc) or _is_lock_conflict(exc):
                raise SlotTaken(f"Session {index + 1}: {NO_LONGER_FREE}", field=field) from exc
            raise
        outbox_queue_for_booking(booking=booking, kind=OutboxMessage.Kind.CONFIRMATION, now=now)
    return course


def _course_session(
    *,
    service: Service,
    site: Site | None,
    start: datetime,
    patient: PatientDetails,
    practitioner_id: int | None,
    course: Course,
    user: object,
    booked_by: object,
    by_staff: bool,
    field: str,
    now: datetime,
) -> Booking:
    """One session of ``course_book``, under the patient's lock."""
    patient_clash_check(
        email=patient.email,
        user=user,
        start=start,
        end=start + timedelta(minutes=service.minutes),
        by_staff=by_staff,
        viewer=booked_by if by_staff else user,
        course_id=course.pk,
        field=field,
    )
    options = slot_validate(
        service=service,
        site=site,
        start=start,
        practitioner_id=practitioner_id,
        now=now,
        lock=True,
        staff=by_staff,
    )
    return _insert(
        service=service,
        site=None if service.is_remote else site,
        options=options,
        patient=patient,
        practitioner_id=practitioner_id,
        course=course,
        user=user,
        booked_by=booked_by,
    )


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
    "ALREADY_THERE",
    "BookingInputError",
    "NothingChanged",
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
    "course_gap_problem",
    "course_other_starts",
    "patient_clash_check",
    "patient_lock",
    "reference_new",
    "waitlist_join",
    "waitlist_offer_freed",
]
