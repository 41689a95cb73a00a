"""GET /api/v1/slots and POST /api/v1/bookings (spec/interfaces.md)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django_ratelimit.core import is_ratelimited
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict, field_validator

from heelwise.booking import clock
from heelwise.booking.availability import (
    LONDON,
    BookingInputError,
    ServiceChanged,
    SlotTaken,
    local_today,
    slots_list,
)
from heelwise.booking.forms import REMOTE, BookingRequestForm, form_errors
from heelwise.booking.links import manage_url
from heelwise.booking.models import Booking
from heelwise.booking.selectors import service_cached, service_refresh
from heelwise.booking.services import PatientDetails, booking_create
from heelwise.clinics.models import Site
from heelwise.common.api import ErrorOut

router = Router(tags=["booking"])
MAX_DAYS = 60


class PractitionerOut(Schema):
    id: int
    name: str


class SlotOut(Schema):
    start: str
    end: str
    practitioner: PractitionerOut
    site: str


class BookingIn(Schema):
    """Wrong types and unknown fields are a 422 naming the field (heelwise.common.api).

    Strict: a JSON value of the wrong type is refused, never coerced (``"practitioner": true``
    or ``1.0`` is "Must be a whole number.", not practitioner 1).
    """

    model_config = ConfigDict(extra="forbid", strict=True)

    service: str | None = None
    site: str | None = None
    start: str | None = None
    practitioner: int | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    notes: str | None = None

    @field_validator("practitioner", mode="before")
    @classmethod
    def _blank_practitioner_is_none(cls, value: Any) -> Any:
        return None if value == "" else value


class BookingOut(Schema):
    reference: str
    status: str
    service: str
    site: str
    start: str
    end: str
    practitioner: PractitionerOut
    manage_url: str
    ical_uid: str
    sequence: int


class SlotQuery(Schema):
    """Unknown or repeated query parameters are a 422 naming them (heelwise.common.api)."""

    service: str
    site: str | None = None
    date: str
    days: int = 1


def booking_out(booking: Booking) -> BookingOut:
    return BookingOut(
        reference=booking.reference,
        status=booking.status,
        service=booking.service.slug,
        site=booking.site.slug if booking.site else REMOTE,
        start=booking.start.astimezone(LONDON).isoformat(),
        end=booking.end.astimezone(LONDON).isoformat(),
        practitioner=PractitionerOut(id=booking.practitioner_id, name=booking.practitioner.name),
        manage_url=manage_url(booking),
        ical_uid=booking.ical_uid,
        sequence=booking.sequence,
    )


@router.get(
    "/slots",
    response={200: list[SlotOut], 422: ErrorOut},
    summary="Free start times (Europe/London offsets), each with its practitioner",
)
def slots(request: HttpRequest, query: Query[SlotQuery]) -> Status | JsonResponse:
    errors: dict[str, list[str]] = {}
    service = service_cached(slug=query.service)
    if service is not None and not (service.is_active and service.bookable_online):
        service = None
    if service is None:
        errors["service"] = ["Unknown service."]
    site: Site | None = None
    if query.site and query.site != REMOTE:
        site = Site.objects.filter(slug=query.site, is_active=True).first()
        if site is None:
            errors["site"] = ["Unknown clinic."]
    elif service is not None and not service.is_remote:
        errors["site"] = ["Choose a clinic for an in-person service."]
    try:
        first_day = date.fromisoformat(query.date)
    except ValueError:
        errors["date"] = ["Use YYYY-MM-DD."]
    else:
        today = local_today(clock.now())
        if first_day < today:
            errors["date"] = [f"date is in the past (today is {today.isoformat()} in the UK)."]
        elif service is not None:
            last = today + timedelta(days=service.horizon_days)
            if first_day > last:
                errors["date"] = [
                    f"date is beyond the booking horizon of {service.horizon_days} days "
                    f"(the last bookable day is {last.isoformat()})."
                ]
    if not 1 <= query.days <= MAX_DAYS:
        errors["days"] = [f"Between 1 and {MAX_DAYS}."]
    if errors or service is None:
        return Status(422, ErrorOut(detail="Invalid slot query.", errors=errors))
    try:
        found = slots_list(
            service=service,
            site=None if service.is_remote else site,
            first_day=first_day,
            days=query.days,
        )
    except ServiceChanged:
        fresh = service_refresh(slug=service.slug)
        if fresh is None or not (fresh.is_active and fresh.bookable_online):
            return Status(
                422,
                ErrorOut(detail="Invalid slot query.", errors={"service": ["Unknown service."]}),
            )
        service = fresh
        found = slots_list(
            service=service,
            site=None if service.is_remote else site,
            first_day=first_day,
            days=query.days,
        )
    site_slug = REMOTE if service.is_remote or site is None else site.slug
    # Thousands of slots for long ranges: build plain JSON (the schema above documents it).
    body = [
        {
            "start": slot.start.astimezone(LONDON).isoformat(),
            "end": slot.end.astimezone(LONDON).isoformat(),
            "practitioner": {"id": slot.practitioner_id, "name": slot.practitioner_name},
            "site": site_slug,
        }
        for slot in found
    ]
    return JsonResponse(body, safe=False)


def _clinic_staff(request: HttpRequest) -> bool:
    """A signed-in clinician or administrator (the staff role, not the admin-site flag)."""
    return bool(getattr(request.user, "is_clinician", False))


def _rate_limited(request: HttpRequest) -> bool:
    if _clinic_staff(request):
        return False
    return is_ratelimited(
        request, group="booking", key="ip", rate=settings.BOOKING_RATE, increment=True
    )


@router.post(
    "/bookings",
    response={
        201: BookingOut,
        400: ErrorOut,
        403: ErrorOut,
        409: ErrorOut,
        415: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
    },
    summary="Book a slot (anonymous booking allowed; rate limited per client)",
    description=(
        "201 with the booking, its reference and a signed cancel/reschedule link; 409 when the "
        "slot is no longer free; 422 naming every bad field (wrong values, wrong types, unknown "
        "fields); 400 when the body is not a JSON object; 415 without Content-Type: "
        "application/json; 403 when a request with a signed-in session fails the CSRF check; "
        "429 when this client has made too many booking requests."
    ),
)
def bookings_create(request: HttpRequest, payload: BookingIn) -> Status:
    if _rate_limited(request):
        return Status(
            429, ErrorOut(detail="Too many booking requests from this client. Please wait.")
        )
    data = {k: ("" if v is None else str(v)) for k, v in payload.dict().items()}
    staff = _clinic_staff(request)
    form = BookingRequestForm(data, staff=staff)
    if not form.is_valid():
        return Status(422, ErrorOut(detail="Invalid booking request.", errors=form_errors(form)))
    cd = form.cleaned_data
    try:
        booking = booking_create(
            service=cd["service"],
            site=cd["site"],
            start=cd["start"],
            practitioner_id=cd.get("practitioner"),
            patient=PatientDetails(
                name=cd["name"], email=cd["email"], phone=cd["phone"], notes=cd["notes"]
            ),
            user=None if staff else request.user,
            booked_by=request.user if staff else None,
            by_staff=staff,
        )
    except BookingInputError as exc:
        return Status(422, ErrorOut(detail="Invalid booking request.", errors=exc.errors))
    except SlotTaken as exc:
        return Status(409, ErrorOut(detail=str(exc)))
    return Status(201, booking_out(booking))
