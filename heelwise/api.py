"""The JSON API at /api/v1/ (django-ninja; OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs).

Each app contributes a router; this module only assembles them.
"""

from __future__ import annotations

from ninja import NinjaAPI

from heelwise.assessment.api import router as assessment_router
from heelwise.booking.api import router as booking_router
from heelwise.clinics.api import router as clinics_router

api = NinjaAPI(
    title="Heelwise API",
    version="1.0.0",
    description=(
        "Clinic sites, services, free slots and bookings, and the heel-pain self-assessment. "
        "All times are ISO-8601 with the Europe/London offset."
    ),
    urls_namespace="api-v1",
)
api.add_router("/", clinics_router)
api.add_router("/", booking_router)
api.add_router("/", assessment_router)
