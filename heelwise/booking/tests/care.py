"""Test helper: a care relationship (a booking of a patient with a clinician as practitioner).

Pages that show a patient's data to a clinician decide from such bookings
(``heelwise.assessment.selectors.care_bookings``); the tests of those pages build them here.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone


def care_booking(patient: Any, clinician: Any, *, status: str = "confirmed") -> Any:
    """A discovery call of ``patient`` with ``clinician`` as its practitioner."""
    from heelwise.booking.models import Booking
    from heelwise.clinics.models import Practitioner, Service

    practitioner = (
        Practitioner.objects.filter(user=clinician).first()
        or Practitioner.objects.filter(user__isnull=True).order_by("pk").first()
    )
    assert practitioner is not None
    practitioner.user = clinician
    practitioner.save(update_fields=["user"])
    # An hour apart: PostgreSQL refuses overlapping bookings of one practitioner.
    start = timezone.now() + timedelta(days=3, hours=Booking.objects.count())
    return Booking.objects.create(
        service=Service.objects.get(slug="discovery-call"),
        practitioner=practitioner,
        start=start,
        end=start + timedelta(minutes=15),
        blocked_until=start + timedelta(minutes=15),
        name="Alice Runner",
        email="alice@example.com",
        user=patient,
        status=status,
    )
