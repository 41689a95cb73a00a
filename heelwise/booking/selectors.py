"""Read paths for bookings; each selector owns its select_related."""

from __future__ import annotations

import time
from datetime import date, timedelta

from django.db.models import QuerySet

from heelwise.booking.availability import local_day_bounds
from heelwise.booking.models import Booking, OutboxMessage
from heelwise.clinics.models import Practitioner, Service, Site


def booking_get(*, reference: str) -> Booking:
    return Booking.objects.select_related(
        "service", "site", "practitioner", "room", "course", "assessment"
    ).get(reference=reference)


def booking_get_by_token(*, reference: str, uid_hex: str) -> Booking:
    return Booking.objects.select_related("service", "site", "practitioner", "room").get(
        reference=reference, uid=uid_hex
    )


def booking_list_for_calendar(
    *,
    first_day: date,
    days: int,
    site: Site | None = None,
    practitioner: Practitioner | None = None,
    include_cancelled: bool = False,
) -> QuerySet[Booking]:
    start, end = local_day_bounds(first_day, first_day + timedelta(days=days - 1))
    qs = Booking.objects.filter(start__lt=end, end__gt=start).select_related(
        "service", "site", "practitioner", "room"
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


def outbox_list(*, limit: int = 200) -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.select_related("booking", "booking__service", "waitlist_entry")[
        :limit
    ]


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
