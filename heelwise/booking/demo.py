"""Demo availability for `make run`: weekly sessions for the demo practitioners at their sites
(including evening and weekend sessions), remote sessions for the discovery call, a lunch break,
per-service policies and a three-session treatment course. Idempotent."""

from __future__ import annotations

from datetime import time

from django.db import transaction

from heelwise.booking.models import Break, CoursePlan, ServicePolicy, WeeklyAvailability
from heelwise.clinics.models import Practitioner, Service, Site

# practitioner slug -> [(site slug or None for remote, weekday, starts, ends)]
WEEKLY: dict[str, list[tuple[str | None, int, time, time]]] = {
    "oliver-eaton": [
        ("london", 0, time(9), time(18)),
        ("london", 1, time(9), time(18)),
        ("manchester", 2, time(9), time(18)),
        ("manchester", 2, time(18), time(20, 30)),
        ("bedford", 3, time(9), time(18)),
        ("bedford", 3, time(18), time(20)),
        (None, 4, time(9), time(13)),
    ],
    "priya-shah": [
        ("london", 2, time(9), time(18)),
        ("london", 3, time(9), time(18)),
        ("london", 1, time(18), time(20, 30)),
        ("london", 3, time(18), time(20, 30)),
        ("london", 5, time(9), time(13)),
        ("london", 6, time(10), time(14)),
        (None, 0, time(9), time(17)),
        (None, 4, time(13), time(17)),
    ],
    "tom-walsh": [
        ("manchester", 0, time(9), time(18)),
        ("manchester", 1, time(9), time(18)),
        ("manchester", 5, time(9), time(13)),
        ("manchester", 6, time(10), time(13)),
        ("bedford", 4, time(9), time(18)),
        ("bedford", 0, time(18), time(20)),
        (None, 2, time(9), time(12)),
    ],
    "hannah-okafor": [
        ("bedford", 0, time(9), time(18)),
        ("bedford", 1, time(9), time(18)),
        ("london", 4, time(9), time(18)),
        (None, 3, time(14), time(17)),
    ],
}

POLICIES = {
    "discovery-call": {"grid_minutes": 15, "cancel_notice_hours": 2, "reschedule_notice_hours": 2},
    "initial-consultation": {"grid_minutes": 15},
    "treatment-session": {"grid_minutes": 15},
    "follow-up": {"grid_minutes": 15},
}


@transaction.atomic
def booking_demo_load() -> None:
    sites = {s.slug: s for s in Site.objects.all()}
    for slug, rows in WEEKLY.items():
        practitioner = Practitioner.objects.filter(slug=slug).first()
        if practitioner is None:
            continue
        for site_slug, weekday, starts, ends in rows:
            WeeklyAvailability.objects.update_or_create(
                practitioner=practitioner,
                site=sites.get(site_slug) if site_slug else None,
                weekday=weekday,
                starts=starts,
                defaults={"ends": ends},
            )
        Break.objects.update_or_create(
            practitioner=practitioner,
            weekday=None,
            starts=time(13),
            defaults={"ends": time(13, 30)},
        )
    for service_slug, values in POLICIES.items():
        service = Service.objects.filter(slug=service_slug).first()
        if service is not None:
            ServicePolicy.objects.update_or_create(service=service, defaults=values)
    treatment = Service.objects.filter(slug="treatment-session").first()
    if treatment is not None:
        CoursePlan.objects.update_or_create(
            slug="three-session-course",
            defaults={
                "name": "Three treatment sessions, two to three weeks apart",
                "service": treatment,
                "sessions": 3,
                "min_gap_days": 14,
                "max_gap_days": 21,
            },
        )
