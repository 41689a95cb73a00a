"""Staff views: day and week calendars per site and per practitioner, booking on behalf of a
caller, marking attended or no-show, and the email delivery log. Staff or clinicians only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

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
from heelwise.booking.selectors import booking_get, booking_list_for_calendar, outbox_list
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


def staff_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (user.is_staff or getattr(user, "is_clinician", False)):
            raise PermissionDenied("Clinic staff only")
        return view(request, *args, **kwargs)

    return wrapper


def _day(request: HttpRequest) -> date:
    try:
        return date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return local_today(clock.now())


@staff_required
def calendar(request: HttpRequest) -> HttpResponse:
    view = "week" if request.GET.get("view") == "week" else "day"
    day = _day(request)
    first_day = day - timedelta(days=day.weekday()) if view == "week" else day
    days = 7 if view == "week" else 1
    site = Site.objects.filter(slug=request.GET.get("site", "")).first()
    practitioner = Practitioner.objects.filter(slug=request.GET.get("practitioner", "")).first()
    bookings = list(
        booking_list_for_calendar(
            first_day=first_day, days=days, site=site, practitioner=practitioner
        )
    )
    columns = []
    for i in range(days):
        current = first_day + timedelta(days=i)
        columns.append(
            (current, [b for b in bookings if b.start.astimezone(LONDON).date() == current])
        )
    step = timedelta(days=days)
    context = {
        "view": view,
        "day": day,
        "columns": columns,
        "site": site,
        "practitioner": practitioner,
        "sites": Site.objects.filter(is_active=True),
        "practitioners": Practitioner.objects.filter(is_active=True),
        "prev_day": first_day - step,
        "next_day": first_day + step,
    }
    return render(request, "booking/staff/calendar.html", context)


def _booking(reference: str) -> Booking:
    try:
        return booking_get(reference=reference)
    except Booking.DoesNotExist as exc:
        raise Http404("No such booking") from exc


@staff_required
def booking_detail(request: HttpRequest, reference: str) -> HttpResponse:
    booking = _booking(reference)
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        object_type="booking",
        object_id=booking.pk,
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
    booking = _booking(reference)
    action = request.POST.get("action", "")
    try:
        if action == "cancel":
            booking_cancel(booking=booking, by_staff=True)
        elif action in {Booking.Status.ATTENDED, Booking.Status.NO_SHOW}:
            booking_mark(booking=booking, status=action)
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
            detail=action,
        )
        messages.success(request, f"Booking {booking.reference}: {action.replace('_', '-')}.")
    return redirect("booking_staff:booking", reference=booking.reference)


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
    day = _day(request)
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
            messages.success(request, f"Booked {booking.reference}; the patient has been emailed.")
            return redirect("booking_staff:booking", reference=booking.reference)
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
                return redirect("booking_staff:booking", reference=first.reference)
            return redirect("booking_staff:calendar")
    status = 422 if form.errors else 200
    return render(request, "booking/staff/course.html", {"form": form}, status=status)


@staff_required
def deliveries(request: HttpRequest) -> HttpResponse:
    return render(request, "booking/staff/deliveries.html", {"messages_log": outbox_list()})
