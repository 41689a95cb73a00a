"""Staff views: day and week calendars per site and per practitioner, booking on behalf of a
caller, marking attended or no-show, and the email delivery log.

Clinicians and clinic administrators only (least access): an administrator sees every booking;
a clinician sees the details of the bookings in their care (``selectors.bookings_visible``) and
everyone else's only as busy times. Any of them may book for a caller."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from heelwise.accounts.models import User
from heelwise.assessment.selectors import booking_token
from heelwise.booking import clock
from heelwise.booking.availability import (
    LONDON,
    BookingInputError,
    SlotTaken,
    local_today,
    slots_by_day,
    slots_list,
)
from heelwise.booking.forms import BookingRequestForm, CourseBookingForm, form_errors
from heelwise.booking.models import Booking
from heelwise.booking.selectors import (
    booking_get_for_staff,
    booking_list_for_calendar,
    bookings_visible,
    outbox_list,
)
from heelwise.booking.services import (
    PatientDetails,
    PolicyError,
    booking_cancel,
    booking_create,
    booking_mark,
    course_book,
)
from heelwise.clinics.models import Practitioner, Service, Site
from heelwise.common.models import AuditEvent
from heelwise.common.services import audit_record

View = Callable[..., HttpResponse]
# The calendar goes back to here at most (the clinic has no bookings before it); forwards, to
# the longest booking horizon of any service (nothing can be booked beyond it).
CALENDAR_EARLIEST = date(2000, 1, 1)


def staff_required(view: View) -> View:
    """Clinicians and clinic administrators (the role, not the admin-site flag ``is_staff``)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(user, "role", None) not in {User.Role.CLINICIAN, User.Role.ADMIN}:
            raise PermissionDenied("Clinic staff only")
        return view(request, *args, **kwargs)

    return wrapper


def _viewer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # staff_required let only signed-in staff through
    return user


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _day(request: HttpRequest, *, earliest: date, latest: date, what: str) -> date:
    """The ``date`` asked for, kept within [earliest, latest] with a message saying why."""
    today = local_today(clock.now())
    raw = request.GET.get("date", "")
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        if raw:
            messages.warning(
                request, "That date was not understood (use YYYY-MM-DD): showing today."
            )
        return min(max(today, earliest), latest)
    if day > latest:
        messages.warning(request, f"{what} go up to {_long(latest)}: showing that day.")
        return latest
    if day < earliest:
        messages.warning(request, f"{what} start on {_long(earliest)}: showing that day.")
        return earliest
    return day


def _longest_horizon() -> int:
    return Service.objects.aggregate(days=Max("horizon_days"))["days"] or 0


@dataclass(frozen=True)
class CalendarEntry:
    """One booking as the calendar may show it: busy time only, unless ``in_care``."""

    start: datetime
    end: datetime
    practitioner: str
    place: str
    in_care: bool
    reference: str = ""
    service: str = ""
    patient: str = ""
    status: str = ""
    status_label: str = ""


def _entry(b: Booking) -> CalendarEntry:
    place = "Remote"
    if b.site is not None:
        place = b.site.name + (f", {b.room.name}" if b.room is not None else "")
    busy = CalendarEntry(
        start=b.start.astimezone(LONDON),
        end=b.end.astimezone(LONDON),
        practitioner=b.practitioner.name,
        place=place,
        in_care=False,
    )
    if not getattr(b, "in_care", False):
        return busy
    return replace(
        busy,
        in_care=True,
        reference=b.reference,
        service=b.service.name,
        patient=b.name,
        status=b.status,
        status_label=b.get_status_display(),
    )


@staff_required
def calendar(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    view = "week" if request.GET.get("view") == "week" else "day"
    latest = local_today(clock.now()) + timedelta(days=_longest_horizon())
    day = _day(request, earliest=CALENDAR_EARLIEST, latest=latest, what="Bookings")
    first_day = day - timedelta(days=day.weekday()) if view == "week" else day
    days = 7 if view == "week" else 1
    site = Site.objects.filter(slug=request.GET.get("site", "")).first()
    practitioner = Practitioner.objects.filter(slug=request.GET.get("practitioner", "")).first()
    entries = [
        _entry(b)
        for b in booking_list_for_calendar(
            first_day=first_day, days=days, viewer=viewer, site=site, practitioner=practitioner
        )
    ]
    shown = sum(1 for e in entries if e.in_care)
    if shown:
        # Who saw which patients' names: one row per page view, naming no one.
        audit_record(
            actor=viewer,
            action=AuditEvent.Action.VIEW,
            object_type="booking_calendar",
            object_id=first_day.isoformat(),
            detail=(
                f"{view} view from {first_day.isoformat()}: {shown} bookings with patient "
                f"details (site={site.slug if site else 'all'}, "
                f"practitioner={practitioner.slug if practitioner else 'all'})"
            ),
        )
    columns = [
        (current, [e for e in entries if e.start.date() == current])
        for current in (first_day + timedelta(days=i) for i in range(days))
    ]
    step = timedelta(days=days)
    context = {
        "view": view,
        "day": day,
        "columns": columns,
        "site": site,
        "practitioner": practitioner,
        "sites": Site.objects.filter(is_active=True),
        "practitioners": Practitioner.objects.filter(is_active=True),
        "prev_day": first_day - step if first_day - step >= CALENDAR_EARLIEST else None,
        "next_day": first_day + step if first_day + step <= latest else None,
    }
    return render(request, "booking/staff/calendar.html", context)


def _booking(request: HttpRequest, reference: str) -> Booking:
    """The booking if the viewer may see its details; anyone else gets a 404 (not a 403, which
    would confirm that the reference exists)."""
    try:
        return booking_get_for_staff(reference=reference, viewer=_viewer(request))
    except Booking.DoesNotExist as exc:
        raise Http404("No such booking") from exc


def _after_change(request: HttpRequest, booking: Booking) -> HttpResponse:
    """Back to the booking, or to its day on the calendar once the viewer may no longer see it
    (e.g. a clinician who booked a caller in with a colleague, or cancelled a booking)."""
    if bookings_visible(viewer=_viewer(request)).filter(pk=booking.pk).exists():
        return redirect("booking_staff:booking", reference=booking.reference)
    day = booking.start.astimezone(LONDON).date().isoformat()
    return redirect(reverse("booking_staff:calendar") + f"?date={day}")


@staff_required
def booking_detail(request: HttpRequest, reference: str) -> HttpResponse:
    booking = _booking(request, reference)
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        object_type="booking",
        object_id=booking.pk,
        subject_user_id=booking.user_id,
    )
    return render(
        request,
        "booking/staff/booking.html",
        {
            "booking": booking,
            "local_start": booking.start.astimezone(LONDON),
            "messages_log": booking.messages.all(),
            "can_mark": booking.start <= clock.now() and booking.is_active,
            "assessment_url": (
                reverse("assessment:clinician", args=[booking_token(booking.assessment)])
                if booking.assessment is not None
                else None
            ),
        },
    )


@staff_required
@require_POST
def booking_action(request: HttpRequest, reference: str) -> HttpResponse:
    booking = _booking(request, reference)
    action = request.POST.get("action", "")
    try:
        if action == "cancel":
            booking = booking_cancel(booking=booking, by_staff=True)
        elif action in {Booking.Status.ATTENDED, Booking.Status.NO_SHOW}:
            booking = booking_mark(booking=booking, status=action)
        else:
            raise PolicyError("Unknown action.")
    except (PolicyError, BookingInputError) as exc:
        messages.error(request, str(exc))
    else:
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.UPDATE,
            object_type="booking",
            object_id=booking.pk,
            subject_user_id=booking.user_id,
            detail=action,
        )
        messages.success(request, f"Booking {booking.reference}: {action.replace('_', '-')}.")
    return _after_change(request, booking)


@staff_required
@require_http_methods(["GET", "POST"])
def book_for_caller(request: HttpRequest) -> HttpResponse:
    """Book on behalf of someone on the phone: choose service, clinic and day, then a time."""
    services = Service.objects.filter(is_active=True)
    service = services.filter(
        slug=request.GET.get("service") or request.POST.get("service", "")
    ).first()
    site_slug = request.GET.get("site") or request.POST.get("site", "")
    site = Site.objects.filter(slug=site_slug).first()
    today = local_today(clock.now())
    horizon = service.horizon_days if service is not None else _longest_horizon()
    day = _day(
        request,
        earliest=today,
        latest=today + timedelta(days=horizon),
        what="Bookings for this service" if service is not None else "Bookings",
    )
    form = BookingRequestForm(request.POST or None, staff=True)
    if request.method == "POST" and form.is_valid():
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
                booked_by=request.user,
            )
        except SlotTaken as exc:
            messages.error(request, str(exc))
        except BookingInputError as exc:
            for field, errors in exc.errors.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                f"Booked {booking.reference} with {booking.practitioner.name}; "
                "the patient has been emailed.",
            )
            return _after_change(request, booking)
    slots: dict[date, Any] = {}
    if service is not None and (service.is_remote or site is not None):
        slots = slots_by_day(
            slots_list(
                service=service, site=None if service.is_remote else site, first_day=day, days=1
            )
        )
    context = {
        "services": services,
        "sites": Site.objects.filter(is_active=True),
        "service": service,
        "site": site,
        "day": day,
        "slots": slots.get(day, []),
        "form": form,
        "errors": form_errors(form) if form.is_bound else {},
    }
    return render(request, "booking/staff/book.html", context, status=422 if form.errors else 200)


@staff_required
@require_http_methods(["GET", "POST"])
def book_course(request: HttpRequest) -> HttpResponse:
    """Book a whole treatment course for a caller: every session, or none."""
    form = CourseBookingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            course = course_book(
                plan=cd["plan"],
                site=cd["site"],
                starts=form.starts(),
                patient=PatientDetails(
                    name=cd["name"], email=cd["email"], phone=cd["phone"], notes=cd["notes"]
                ),
                booked_by=request.user,
            )
        except SlotTaken as exc:
            form.add_error(None, f"{exc} Nothing was booked.")
        except BookingInputError as exc:
            for field, errors in exc.errors.items():
                target = f"session_{int(field.split('.')[1]) + 1}" if "." in field else None
                form.add_error(target, [*errors, "Nothing was booked."])
        else:
            first = course.bookings.order_by("start").first()
            messages.success(request, f"Course {course.reference} booked: every session.")
            if first is not None:
                return _after_change(request, first)
            return redirect("booking_staff:calendar")
    status = 422 if form.errors else 200
    return render(request, "booking/staff/course.html", {"form": form}, status=status)


@staff_required
def deliveries(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "booking/staff/deliveries.html",
        {"messages_log": outbox_list(viewer=_viewer(request))},
    )
