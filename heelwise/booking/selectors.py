"""Read paths for bookings; each selector owns its select_related."""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, QuerySet, Value

from heelwise.assessment.selectors import care_bookings
from heelwise.booking.availability import local_day_bounds
from heelwise.booking.models import Booking, OutboxMessage
from heelwise.clinics.models import Practitioner, Service, Site

if TYPE_CHECKING:
    from heelwise.accounts.models import User


def booking_get(*, reference: str) -> Booking:
    return Booking.objects.select_related(
        "service", "site", "practitioner", "room", "course", "assessment"
    ).get(reference=reference)


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
        .get(reference=reference)
    )


def booking_get_by_token(*, reference: str, uid_hex: str) -> Booking:
    return Booking.objects.select_related("service", "site", "practitioner", "room").get(
        reference=reference, uid=uid_hex
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


def outbox_list(*, viewer: User, limit: int = 200) -> QuerySet[OutboxMessage]:
    """The email delivery log: every message for a clinic administrator; for a clinician, those
    about bookings they may see (``bookings_visible``), never waiting-list offers."""
    from heelwise.accounts.models import User as UserModel

    qs = OutboxMessage.objects.select_related("booking", "booking__service", "waitlist_entry")
    if viewer.role != UserModel.Role.ADMIN:
        qs = qs.filter(booking__in=bookings_visible(viewer=viewer).values("pk"))
    return qs[:limit]


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
    """Sites where someone offers this in-person service (any weekly availability there)."""
    return (
        Site.objects.filter(is_active=True, practitioner_availability__isnull=False)
        .distinct()
        .order_by("display_order", "name")
    )
