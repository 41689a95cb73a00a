"""Reads for the public pages: the clinics' selectors plus what the website shows beside them
(practitioners at each site and upcoming closures), all prefetched so page cost is bounded."""

from __future__ import annotations

from datetime import date

from django.db.models import Prefetch, QuerySet

from heelwise.clinics.models import Closure, Practitioner, Site
from heelwise.clinics.selectors import site_list


def site_list_public(*, today: date) -> QuerySet[Site]:
    return site_list().prefetch_related(
        Prefetch(
            "practitioners",
            queryset=Practitioner.objects.filter(is_active=True).order_by("display_order", "name"),
            to_attr="public_practitioners",
        ),
        Prefetch(
            "closures",
            queryset=Closure.objects.filter(last_day__gte=today).order_by("first_day"),
            to_attr="upcoming_closures",
        ),
    )


def site_get_public(*, slug: str, today: date) -> Site:
    return site_list_public(today=today).get(slug=slug)
