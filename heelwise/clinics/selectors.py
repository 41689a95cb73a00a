from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from heelwise.clinics.models import OpeningHours, Practitioner, Service, Site


def site_list() -> QuerySet[Site]:
    return Site.objects.filter(is_active=True).prefetch_related(
        Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens"))
    )


def site_get(*, slug: str) -> Site:
    return (
        site_list()
        .prefetch_related(
            Prefetch("practitioners", queryset=Practitioner.objects.filter(is_active=True))
        )
        .get(slug=slug)
    )


def service_list(*, bookable_only: bool = False) -> QuerySet[Service]:
    qs = Service.objects.filter(is_active=True)
    if bookable_only:
        qs = qs.filter(bookable_online=True)
    return qs


def practitioner_list() -> QuerySet[Practitioner]:
    return Practitioner.objects.filter(is_active=True).prefetch_related("sites")
