"""Read paths for bookings; each selector owns its select_related."""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from typing import TYPE_CHECKING

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Lower, Replace

from heelwise.assessment.selectors import care_bookings
from heelwise.booking.availability import LONDON, Slot, local_day_bounds
from heelwise.booking.models import Booking, OutboxMessage, TimeOff, WeeklyAvailability
from heelwise.clinics.models import Closure, Practitioner, Service, Site

if TYPE_CHECKING:
    from heelwise.accounts.models import User


def reference_normal(reference: str) -> str:
    """References are issued in upper case; people type (and paste) them in any case."""
    return reference.strip().upper()


def booking_get(*, reference: str) -> Booking:
    return Booking.objects.select_related(
        "service", "site", "practitioner", "room", "course", "assessment"
    ).get(reference=reference_normal(reference))


def bookings_visible(*, viewer: User) -> QuerySet[Booking]:
    """The bookings whose personal details (name, contact, notes, shared assessment) ``viewer``
    may see on the staff pages: every one for a clinic administrator; for a clinician, those in
    their care (``care_bookings``: they are its practitioner, and it is not cancelled); none for
    anyone else."""
    from heelwise.accounts.models import User as UserModel

    if viewer.role == UserModel.Role.ADMIN:
        return Booking.objects.all()
    return care_bookings(viewer=viewer)


def booking_get_for_staff(*, reference: str, viewer: User) -> Booking:
    """One booking with its details, if ``viewer`` may see them; else Booking.DoesNotExist."""
    visible = bookings_visible(viewer=viewer).values("pk")
    return (
        Booking.objects.select_related(
            "service", "site", "practitioner", "room", "course", "assessment"
        )
        .filter(pk__in=visible)
        .get(reference=reference_normal(reference))
    )


def booking_cancelled_for_practitioner(*, reference: str, viewer: User) -> Booking | None:
    """The cancelled booking ``reference`` if ``viewer`` is its practitioner (it left their
    care when cancelled), so the pages can say it was cancelled rather than "not found";
    None for anyone else (a reference is not confirmed to exist)."""
    return (
        Booking.objects.filter(
            reference=reference_normal(reference),
            status=Booking.Status.CANCELLED,
            practitioner__user=viewer,
        )
        .only("reference", "start")
        .first()
    )


def booking_get_by_submission(*, key: str) -> Booking | None:
    """The booking made by the online confirm form with this one-time key (a random secret
    only the browser that was shown the form holds), or None."""
    if not key:
        return None
    return Booking.objects.filter(submission_key=key).first()


def booking_get_by_token(*, reference: str, uid_hex: str) -> Booking:
    return Booking.objects.select_related("service", "site", "practitioner", "room").get(
        reference=reference_normal(reference), uid=uid_hex
    )


def booking_list_for_calendar(
    *,
    first_day: date,
    days: int,
    viewer: User,
    site: Site | None = None,
    practitioner: Practitioner | None = None,
    include_cancelled: bool = False,
) -> QuerySet[Booking]:
    """Every booking in the range (the calendar shows when people are busy), each annotated
    ``in_care``: whether ``viewer`` may see its details (``bookings_visible``). Pages show the
    others as busy blocks only."""
    from heelwise.accounts.models import User as UserModel

    start, end = local_day_bounds(first_day, first_day + timedelta(days=days - 1))
    in_care = (
        Value(True)
        if viewer.role == UserModel.Role.ADMIN
        else Exists(bookings_visible(viewer=viewer).filter(pk=OuterRef("pk")))
    )
    qs = (
        Booking.objects.filter(start__lt=end, end__gt=start)
        .select_related("service", "site", "practitioner", "room")
        .annotate(in_care=in_care)
    )
    if site is not None:
        qs = qs.filter(site=site)
    if practitioner is not None:
        qs = qs.filter(practitioner=practitioner)
    if not include_cancelled:
        qs = qs.exclude(status=Booking.Status.CANCELLED)
    return qs.order_by("start", "practitioner__display_order")


def booking_list_for_email(*, email: str) -> QuerySet[Booking]:
    """A patient's bookings (e.g. to attach a self-assessment to a discovery call)."""
    return Booking.objects.filter(email__iexact=email).select_related(
        "service", "site", "practitioner"
    )


def outbox_list(*, viewer: User) -> QuerySet[OutboxMessage]:
    """The email delivery log, newest first: every message for a clinic administrator; for a
    clinician, those about bookings they may see (``bookings_visible``), never waiting-list
    offers. The page shows it a page at a time."""
    from heelwise.accounts.models import User as UserModel

    qs = OutboxMessage.objects.select_related("booking", "booking__service", "waitlist_entry")
    if viewer.role != UserModel.Role.ADMIN:
        qs = qs.filter(booking__in=bookings_visible(viewer=viewer).values("pk"))
    return qs.order_by("-created", "-pk")


# Per-process cache of services by slug for the booking API's hot path. Never trusted blindly:
# every availability computation compares the object with the row it reads in the same query
# (``availability.service_fingerprint``) and callers reload on ``ServiceChanged``.
SERVICE_CACHE_SECONDS = 60.0
_service_cache: dict[str, tuple[float, Service]] = {}


def service_cached(*, slug: str) -> Service | None:
    hit = _service_cache.get(slug)
    if hit is not None and time.monotonic() - hit[0] < SERVICE_CACHE_SECONDS:
        return hit[1]
    return service_refresh(slug=slug)


def service_refresh(*, slug: str) -> Service | None:
    service = next(iter(Service.objects.select_related("policy").filter(slug=slug)[:1]), None)
    if service is None:
        _service_cache.pop(slug, None)
    else:
        _service_cache[slug] = (time.monotonic(), service)
    return service


def service_cache_clear() -> None:
    _service_cache.clear()


def bookable_services() -> QuerySet[Service]:
    return Service.objects.filter(is_active=True, bookable_online=True).select_related("policy")


def service_get(*, slug: str, staff: bool = False) -> Service:
    qs = Service.objects.filter(is_active=True).select_related("policy")
    if not staff:
        qs = qs.filter(bookable_online=True)
    return qs.get(slug=slug)


def sites_for_service(*, service: Service) -> QuerySet[Site]:
    """Sites where ``service`` can be booked: none for a remote (phone or video) service or an
    inactive one; for an in-person service, the active sites where an active practitioner has
    weekly availability (practitioners offer every in-person service)."""
    if service.is_remote or not service.is_active:
        return Site.objects.none()
    return (
        Site.objects.filter(
            is_active=True,
            practitioner_availability__isnull=False,
            practitioner_availability__practitioner__is_active=True,
        )
        .distinct()
        .order_by("display_order", "name")
    )


SEARCH_MIN_CHARS = 2
SEARCH_LIMIT = 50


def search_text(query: str) -> str:
    """The query without control or other invisible characters (a NUL would make PostgreSQL
    refuse the statement), tabs and line breaks as spaces, runs of spaces as one."""
    visible = "".join(ch for ch in query if ch.isspace() or unicodedata.category(ch)[0] != "C")
    return " ".join(visible.split())


def phone_core(text: str) -> str:
    """A phone number's digits without the UK prefix (+44, 0044, (0) or a leading 0), so
    "+44 7700 900123", "0044 7700 900123" and "07700 900123" all give "7700900123"."""
    digits = re.sub(r"\D", "", text)
    if text.lstrip().startswith("+") and digits.startswith("44"):
        digits = digits[2:]
    elif digits.startswith("0044"):
        digits = digits[4:]
    return digits.lstrip("0")


def booking_search(*, viewer: User, query: str, limit: int = SEARCH_LIMIT) -> list[Booking]:
    """Bookings ``viewer`` may see (``bookings_visible``) whose patient name, email, phone
    (spaces, dashes, brackets and the UK prefix +44/0044/0 ignored) or reference (any case)
    matches ``query``, newest first."""
    text = search_text(query)
    if len(text) < SEARCH_MIN_CHARS:
        return []
    match = Q(name__icontains=text) | Q(email__icontains=text) | Q(reference__iexact=text)
    qs = bookings_visible(viewer=viewer)
    if len(re.sub(r"\D", "", text)) >= 4 and not re.search(r"[A-Za-z@]", text):
        # Stored numbers keep their prefix; searching for the rest matches any way of writing
        # it (the national number is inside "+447700900123", "07700900123", "00447700...").
        bare: F | Replace = F("phone")
        for char in (" ", "-", "(", ")", ".", "+"):
            bare = Replace(bare, Value(char), Value(""))
        qs = qs.annotate(phone_digits=bare)
        core = phone_core(text)
        if core:
            match |= Q(phone_digits__contains=core)
    return list(
        qs.filter(match)
        .select_related("service", "site", "practitioner")
        .order_by("-start")[:limit]
    )


def booking_clashes(bookings: Iterable[Booking]) -> dict[int, str]:
    """Which of ``bookings`` fall in their practitioner's time off or their site's closure
    (added after they were booked): booking id -> "time off" or "closure". Two queries."""
    rows = [b for b in bookings if b.status == Booking.Status.CONFIRMED]
    if not rows:
        return {}
    first, last = min(b.start for b in rows), max(b.end for b in rows)
    time_off = list(
        TimeOff.objects.filter(
            practitioner_id__in={b.practitioner_id for b in rows}, start__lt=last, end__gt=first
        ).values_list("practitioner_id", "start", "end")
    )
    days = [b.start.astimezone(LONDON).date() for b in rows]
    closures = list(
        Closure.objects.filter(
            site_id__in={b.site_id for b in rows if b.site_id},
            first_day__lte=max(days),
            last_day__gte=min(days),
        ).values_list("site_id", "first_day", "last_day")
    )
    found: dict[int, str] = {}
    for b, day in zip(rows, days, strict=True):
        if any(p == b.practitioner_id and s < b.end and b.start < e for p, s, e in time_off):
            found[b.pk] = "time off"
        elif any(site == b.site_id and f <= day <= la for site, f, la in closures):
            found[b.pk] = "closure"
    return found


DOUBLE_BOOKING = "Possible double booking of one patient"


def _patient_keys(booking: Booking, account_email: str) -> set[str]:
    """What makes two bookings "the same patient" for ``patient_match``: the email in any case,
    the account, the account's email (``account_email``)."""
    keys = {"email:" + e for e in (booking.email.strip().lower(), account_email) if e}
    if booking.user_id is not None:
        keys.add(f"user:{booking.user_id}")
    return keys


def booking_duplicates(bookings: Iterable[Booking], *, viewer: User) -> dict[int, str]:
    """Which of ``bookings`` (confirmed) overlap, in appointment time, another live booking of
    the same patient (``patient_match``: the same email in any case, the same account or its
    email): booking id -> the marker staff see. A patient who is not proven to be that patient
    (anonymous, or matched only by an unverified email) is booked without being told anything
    (``services.patient_clash_check``), so staff check these by hand. The marker names the other
    booking ("... same email as <reference> at <time>") only if ``viewer`` may see both
    (``bookings_visible``); otherwise it says only "Possible double booking of one patient".
    At most four queries."""
    rows = [b for b in bookings if b.status == Booking.Status.CONFIRMED]
    if not rows:
        return {}
    from heelwise.accounts.models import User as UserModel

    users = {b.user_id for b in rows if b.user_id is not None}
    account_emails: dict[int | None, str] = {
        pk: email.strip().lower()
        for pk, email in UserModel.objects.filter(pk__in=users).values_list("pk", "email")
    }
    keyed = [(b, _patient_keys(b, account_emails.get(b.user_id, ""))) for b in rows]
    emails = {k.removeprefix("email:") for _, keys in keyed for k in keys if k[:6] == "email:"}
    others = list(
        Booking.objects.annotate(email_lower=Lower("email"), user_email_lower=Lower("user__email"))
        .filter(
            Q(email_lower__in=emails) | Q(user_email_lower__in=emails) | Q(user_id__in=users),
            status__in=Booking.ACTIVE_STATUSES,
            start__lt=max(b.end for b in rows),
            end__gt=min(b.start for b in rows),
        )
        .select_related("user")
        .order_by("start", "pk")
    )
    pairs: list[tuple[Booking, Booking]] = []
    for b, keys in keyed:
        other = next(
            (
                o
                for o in others
                if o.pk != b.pk
                and o.start < b.end
                and b.start < o.end
                and keys & _patient_keys(o, o.user.email.strip().lower() if o.user else "")
            ),
            None,
        )
        if other is not None:
            pairs.append((b, other))
    if not pairs:
        return {}
    shown = {pk for pair in pairs for pk in (pair[0].pk, pair[1].pk)}
    visible = set(bookings_visible(viewer=viewer).filter(pk__in=shown).values_list("pk", flat=True))
    found: dict[int, str] = {}
    for mine, theirs in pairs:
        if mine.pk in visible and theirs.pk in visible:
            same = mine.user_id is not None and theirs.user_id == mine.user_id
            start, end = theirs.start.astimezone(LONDON), theirs.end.astimezone(LONDON)
            found[mine.pk] = (
                f"{DOUBLE_BOOKING}: same {'account' if same else 'email'} as {theirs.reference} "
                f"at {start:%H:%M}-{end:%H:%M} on {start:%A} {start.day} {start:%B %Y}"
            )
        else:
            found[mine.pk] = DOUBLE_BOOKING
    return found


def bookings_in_time_off(
    *, practitioner_id: int, start: datetime, end: datetime
) -> QuerySet[Booking]:
    """Confirmed bookings of the practitioner over ``[start, end)`` (time off being added)."""
    return (
        Booking.objects.filter(
            practitioner_id=practitioner_id,
            status=Booking.Status.CONFIRMED,
            start__lt=end,
            end__gt=start,
        )
        .select_related("service", "site")
        .order_by("start")
    )


def bookings_in_closure(*, site_id: int, first_day: date, last_day: date) -> QuerySet[Booking]:
    """Confirmed bookings at the site on the local days ``first_day`` to ``last_day``."""
    last_day = min(last_day, date.max - timedelta(days=1))  # a far-off "until further notice"
    start, end = local_day_bounds(min(first_day, last_day), last_day)
    return (
        Booking.objects.filter(
            site_id=site_id, status=Booking.Status.CONFIRMED, start__lt=end, start__gte=start
        )
        .select_related("service", "practitioner")
        .order_by("start")
    )


def bookings_confirmed_ahead(
    *, now: datetime, site_id: int | None = None, room_id: int | None = None
) -> QuerySet[Booking]:
    """Confirmed bookings from ``now`` on at a site or in a room (one being deactivated)."""
    qs = Booking.objects.filter(status=Booking.Status.CONFIRMED, start__gte=now)
    if site_id is not None:
        qs = qs.filter(site_id=site_id)
    if room_id is not None:
        qs = qs.filter(room_id=room_id)
    return qs.select_related("service", "site").order_by("start")


def _covered(rules: list[WeeklyAvailability], booking: Booking) -> bool:
    """Whether ``booking`` lies inside the practitioner's weekly availability ``rules`` (joined
    where windows touch, as availability does)."""
    start, end = booking.start.astimezone(LONDON), booking.end.astimezone(LONDON)
    day = start.date()
    if end.date() != day and end.time() != datetime.min.time():
        return False
    end_time = end.time() if end.date() == day else datetime.max.time()
    windows = sorted(
        (r.starts, r.ends)
        for r in rules
        if r.practitioner_id == booking.practitioner_id
        and r.site_id == booking.site_id
        and r.weekday == day.weekday()
        and (r.valid_from is None or r.valid_from <= day)
        and (r.valid_until is None or day <= r.valid_until)
    )
    joined: list[list[dt_time]] = []
    for opens, closes in windows:
        if joined and opens <= joined[-1][1]:
            joined[-1][1] = max(joined[-1][1], closes)
        else:
            joined.append([opens, closes])
    return any(o <= start.time() and end_time <= c for o, c in joined)


def bookings_stranded_by_availability(
    *, rule: WeeklyAvailability, replacement: WeeklyAvailability | None, now: datetime
) -> list[Booking]:
    """Confirmed bookings from ``now`` on that the stored weekly availability ``rule`` covers
    and that the practitioner's availability would no longer cover once ``rule`` is replaced
    by ``replacement`` (the rule as edited) or deleted (``replacement`` None)."""
    others = list(
        WeeklyAvailability.objects.filter(practitioner_id=rule.practitioner_id).exclude(pk=rule.pk)
    )
    after = others + ([replacement] if replacement is not None else [])
    candidates = (
        Booking.objects.filter(
            Q(site__isnull=True) if rule.site_id is None else Q(site_id=rule.site_id),
            practitioner_id=rule.practitioner_id,
            status=Booking.Status.CONFIRMED,
            start__gte=now,
        )
        .select_related("service", "site")
        .order_by("start")
    )
    return [
        b
        for b in candidates
        if b.start.astimezone(LONDON).weekday() == rule.weekday
        and _covered([*others, rule], b)
        and not _covered(after, b)
    ]


def patient_match(*, email: str, user: object = None) -> Q:
    """Bookings of "the same patient" for the one-patient-one-place SAFETY rule only (never to
    show, export or erase anything: sign-up does not verify email addresses, see
    ``personal_data``): the email in any case, bookings linked to an account with that email,
    and for a known account ``user`` its bookings and bookings made with its email."""
    typed = email.strip()
    match = Q(pk__in=[])
    if typed:
        match |= Q(email__iexact=typed) | Q(user__email__iexact=typed)
    if getattr(user, "is_authenticated", False):
        match |= Q(user_id=getattr(user, "pk", None))
        account_email = str(getattr(user, "email", "") or "").strip()
        if account_email:
            match |= Q(email__iexact=account_email)
    return match


def patient_known_match(*, viewer: object, course_id: int | None) -> Q:
    """The bookings a patient (``viewer``, signed in or not) may be told about when one of
    theirs clashes: those linked to their own account, and the other sessions of the same
    course. Never matched by email (anyone can type any address)."""
    match = Q(pk__in=[])
    if getattr(viewer, "is_authenticated", False):
        match |= Q(user_id=getattr(viewer, "pk", None))
    if course_id is not None:
        match |= Q(course_id=course_id)
    return match


def patient_busy(
    *,
    booking: Booking,
    start: datetime,
    end: datetime,
    for_patient: bool = False,
    viewer: object = None,
) -> list[tuple[datetime, datetime]]:
    """The appointment times over ``[start, end)`` of the same patient's other live bookings:
    times a move of ``booking`` must not take (``services.patient_clash_check`` is the rule,
    checked again under lock). Staff pages: every booking ``patient_match`` finds. The
    patient's own reschedule page (``for_patient``, ``viewer`` the person on it): only those
    ``patient_known_match`` allows, so the list cannot reveal a stranger's appointments made
    with the same email address."""
    if for_patient:
        match = patient_known_match(viewer=viewer, course_id=booking.course_id)
    else:
        match = patient_match(email=booking.email, user=booking.user)
    return list(
        Booking.objects.filter(
            match, status__in=Booking.ACTIVE_STATUSES, start__lt=end, end__gt=start
        )
        .exclude(pk=booking.pk)
        .values_list("start", "end")
    )


def slots_free_for_patient(
    slots: list[Slot], *, booking: Booking, for_patient: bool = False, viewer: object = None
) -> list[Slot]:
    """``slots`` (availability ``Slot``s) without those overlapping the appointment times of the
    patient's other live bookings (``patient_busy``; ``for_patient``: the patient's page)."""
    if not slots:
        return slots
    busy = patient_busy(
        booking=booking,
        start=min(s.start for s in slots),
        end=max(s.end for s in slots),
        for_patient=for_patient,
        viewer=viewer,
    )
    return [s for s in slots if not any(b < s.end and s.start < e for b, e in busy)]
