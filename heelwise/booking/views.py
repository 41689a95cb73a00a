"""The patient booking flow: service -> clinic or remote -> day and time -> details -> confirm,
then the signed manage link (cancel, reschedule). Server-rendered; htmx only enhances paging."""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from heelwise.assessment.models import Assessment
from heelwise.assessment.selectors import (
    assessment_get_by_booking_token,
    assessment_get_for_viewer,
)
from heelwise.assessment.views import _result_ids as assessment_result_ids
from heelwise.booking import clock
from heelwise.booking.availability import (
    LONDON,
    BookingInputError,
    SlotTaken,
    local_today,
    slots_by_day,
    slots_list,
    start_problems,
)
from heelwise.booking.forms import (
    REMOTE,
    BookingRequestForm,
    PatientDetailsForm,
    WaitlistForm,
    form_error_lines,
    parse_start,
)
from heelwise.booking.links import manage_token, reference_from_token
from heelwise.booking.models import Booking
from heelwise.booking.selectors import (
    bookable_services,
    booking_get_by_submission,
    booking_get_by_token,
    service_get,
    sites_for_service,
    slots_free_for_patient,
)
from heelwise.booking.services import (
    NothingChanged,
    PatientDetails,
    PolicyError,
    booking_can_cancel_online,
    booking_can_reschedule_online,
    booking_cancel,
    booking_create,
    booking_reschedule,
    course_gap_problem,
    course_other_starts,
    waitlist_join,
)
from heelwise.clinics.models import Practitioner, Service, Site

WEEK = 7
SUBMISSION_KEY = re.compile(r"[0-9a-f]{32}")


def _booking_rate(group: str, request: HttpRequest) -> str:
    return str(settings.BOOKING_RATE)


CLINIC_PHONE = "+44 1234 380345"


def _service(slug: str) -> Service:
    try:
        return service_get(slug=slug)
    except Service.DoesNotExist as exc:
        raise Http404("No such service") from exc


def _site(service: Service, slug: str) -> Site | None:
    if service.is_remote:
        if slug != REMOTE:
            raise Http404("This service is by phone or video")
        return None
    site = Site.objects.filter(slug=slug, is_active=True).first()
    if site is None:
        raise Http404("No such clinic")
    return site


def _last_day(service: Service) -> date:
    """The last local day this service can be booked (its booking horizon)."""
    return local_today(clock.now()) + timedelta(days=service.horizon_days)


def _first_day(request: HttpRequest, service: Service) -> date:
    """The first day of the week of times to show: the ``date`` asked for, from today up to the
    service's booking horizon (a later date says so and shows the horizon's last week)."""
    today = local_today(clock.now())
    last = _last_day(service)
    raw = request.GET.get("date", "")
    try:
        chosen = date.fromisoformat(raw)
    except ValueError:
        if raw:
            messages.warning(request, "That date was not understood: showing times from today.")
        return today
    if chosen > last:
        messages.warning(
            request,
            f"{service.name} can be booked up to {service.horizon_days} days ahead "
            f"(until {last.day} {last:%B %Y}): showing the last week you can book.",
        )
        return max(today, last - timedelta(days=WEEK - 1))
    return max(chosen, today)


def _week(
    service: Service,
    site: Site | None,
    first_day: date,
    practitioner_id: int | None,
    *,
    moving: Booking | None = None,
    viewer: object = None,
) -> list[tuple[date, list[Any]]]:
    """A week of free times. ``moving``: the booking being rescheduled, whose own time (and
    buffer) does not block the times around it; its current start is not offered, nor the times
    of other bookings the person on the page (``viewer``) may be told are theirs."""
    others = course_other_starts(booking=moving) if moving is not None else []
    listed = [
        slot
        for slot in slots_list(
            service=service,
            site=site,
            first_day=first_day,
            days=WEEK,
            practitioner_id=practitioner_id,
            exclude_booking_id=moving.pk if moving is not None else None,
        )
        if moving is None
        or (
            slot.start != moving.start
            # a course session keeps its plan's spacing from the course's other sessions
            and not course_gap_problem(booking=moving, start=slot.start, others=others)
        )
    ]
    if moving is not None:  # not over the patient's own other appointments
        listed = slots_free_for_patient(listed, booking=moving, for_patient=True, viewer=viewer)
    found = slots_by_day(listed)
    return [
        (day, found.get(day, [])) for day in (first_day + timedelta(days=i) for i in range(WEEK))
    ]


def _week_nav(service: Service, first_day: date) -> dict[str, Any]:
    today = local_today(clock.now())
    next_day = first_day + timedelta(days=WEEK)
    return {
        "first_day": first_day,
        "prev_day": max(today, first_day - timedelta(days=WEEK)) if first_day > today else None,
        "next_day": next_day if next_day <= _last_day(service) else None,
        "last_day": _last_day(service),
    }


ASSESSMENT_SESSION_KEY = "booking_assessment_token"


def _assessment_for_visitor(request: HttpRequest, token: str) -> Assessment | None:
    """The assessment a booking token names, only if this visitor may see it: its owner
    (signed in), or while unsaved the browser that took it (``assessment_get_for_viewer``). A
    token alone (e.g. a link someone else was given) attaches nothing."""
    named = assessment_get_by_booking_token(token=token)
    if named is None:
        return None
    return assessment_get_for_viewer(
        public_id=named.public_id,
        user=request.user,
        session_ids=assessment_result_ids(request),
    )


def _shared_assessment(request: HttpRequest) -> Assessment | None:
    """The self-assessment this visitor chose to attach to the booking, if they still may see
    it (checked again at every step: a sign-out or an expired result drops it)."""
    token = request.session.get(ASSESSMENT_SESSION_KEY)
    return _assessment_for_visitor(request, token) if token else None


def start(request: HttpRequest) -> HttpResponse:
    """Choose a service. ``?assessment=<signed token>`` (from a self-assessment result) attaches
    that assessment to the booking if this visitor may see it; ``?service=<slug>`` skips
    straight to that service."""
    token = request.GET.get("assessment", "")
    if token:
        if _assessment_for_visitor(request, token) is not None:
            request.session[ASSESSMENT_SESSION_KEY] = token
        else:
            request.session.pop(ASSESSMENT_SESSION_KEY, None)
            messages.warning(
                request,
                "The self-assessment in this link cannot be shared from here: open its result "
                "in the browser you took it in (or sign in to the account it is saved to) and "
                "use its booking button. You can still book without it.",
            )
    wanted = request.GET.get("service", "")
    if wanted and any(s.slug == wanted for s in bookable_services()):
        return redirect("booking:site", service=wanted)
    return render(
        request,
        "booking/start.html",
        {"services": bookable_services(), "shared_assessment": _shared_assessment(request)},
    )


def choose_site(request: HttpRequest, service: str) -> HttpResponse:
    svc = _service(service)
    if svc.is_remote:
        return redirect("booking:times", service=svc.slug, site=REMOTE)
    return render(
        request, "booking/site.html", {"service": svc, "sites": sites_for_service(service=svc)}
    )


def times(request: HttpRequest, service: str, site: str) -> HttpResponse:
    svc = _service(service)
    where = _site(svc, site)
    first_day = _first_day(request, svc)
    practitioners = Practitioner.objects.filter(
        is_active=True, weekly_availability__site=where
    ).distinct()
    chosen = request.GET.get("practitioner", "")
    practitioner_id = int(chosen) if chosen.isdigit() else None
    context = {
        "service": svc,
        "site": where,
        "site_slug": site,
        "week": _week(svc, where, first_day, practitioner_id),
        **_week_nav(svc, first_day),
        "practitioners": practitioners,
        "practitioner_id": practitioner_id,
        "waitlist_form": WaitlistForm(initial={"day": first_day}),
    }
    return render(request, "booking/times.html", context)


def _summary(service: Service, site: Site | None, start_at: datetime) -> dict[str, Any]:
    local = start_at.astimezone(LONDON)
    return {
        "service": service,
        "site": site,
        "site_slug": site.slug if site else REMOTE,
        "start": start_at,
        "local_start": local,
        "local_end": local + timedelta(minutes=service.minutes),
        "start_iso": local.isoformat(),
    }


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=_booking_rate, method="POST", block=True)
def details(request: HttpRequest, service: str, site: str) -> HttpResponse:
    """GET: the details form for a chosen time. POST: review (then confirm) the booking."""
    svc = _service(service)
    where = _site(svc, site)
    raw_start = request.POST.get("start") or request.GET.get("start", "")
    try:
        start_at = parse_start(raw_start)
    except Exception:
        messages.error(request, "Please choose a time from the list.")
        return redirect("booking:times", service=svc.slug, site=site)
    problems = start_problems(service=svc, start=start_at, now=clock.now())
    if problems:
        messages.error(request, problems[0])
        return redirect("booking:times", service=svc.slug, site=site)
    context = _summary(svc, where, start_at)
    context["shared_assessment"] = _shared_assessment(request)
    if request.method == "GET":
        context["form"] = PatientDetailsForm(
            initial=_known_details(request), phone_required=svc.is_remote
        )
        return render(request, "booking/details.html", context)
    form = PatientDetailsForm(request.POST, phone_required=svc.is_remote)
    if not form.is_valid():
        context["form"] = form
        return render(request, "booking/details.html", context, status=422)
    if request.POST.get("step") != "confirm":
        context["form"] = form
        context["submission_key"] = secrets.token_hex(16)
        return render(request, "booking/confirm.html", context)
    return _confirm(request, svc, where, start_at, form)


def _submission_key(request: HttpRequest) -> str:
    """The confirm form's one-time key (32 hex digits), or "" if missing or malformed."""
    key = request.POST.get("submission_key", "")
    return key if SUBMISSION_KEY.fullmatch(key) else ""


def _known_details(request: HttpRequest) -> dict[str, str]:
    """A signed-in person's name and email, to pre-fill the details form."""
    user = request.user
    if not user.is_authenticated:
        return {}
    return {"name": getattr(user, "full_name", ""), "email": getattr(user, "email", "")}


def _confirm(
    request: HttpRequest,
    svc: Service,
    where: Site | None,
    start_at: datetime,
    form: PatientDetailsForm,
) -> HttpResponse:
    data = {**form.cleaned_data, "service": svc.slug, "site": where.slug if where else REMOTE}
    data["start"] = start_at.isoformat()
    # After a refusal, back to the week of the chosen day (not this week).
    back = reverse("booking:times", kwargs={"service": svc.slug, "site": data["site"]}) + (
        f"?date={start_at.astimezone(LONDON).date().isoformat()}"
    )
    full = BookingRequestForm(data)
    if not full.is_valid():
        for line in form_error_lines(full):
            messages.error(request, line)
        return redirect(back)
    cd = full.cleaned_data
    key = _submission_key(request)
    sent = booking_get_by_submission(key=key)
    if sent is not None:  # the same form sent again (a double click): the booking it made
        return redirect("booking:done", token=manage_token(sent))
    try:
        booking = booking_create(
            service=svc,
            site=where,
            start=cd["start"],
            patient=PatientDetails(
                name=cd["name"], email=cd["email"], phone=cd["phone"], notes=cd["notes"]
            ),
            user=request.user,
            assessment=_shared_assessment(request),
            submission_key=key,
        )
    except (SlotTaken, BookingInputError, IntegrityError) as exc:
        # Sent twice at once: the first send made it while this one waited for the lock.
        sent = booking_get_by_submission(key=key)
        if sent is not None:
            return redirect("booking:done", token=manage_token(sent))
        if isinstance(exc, IntegrityError):
            raise
        if isinstance(exc, SlotTaken):
            messages.error(request, f"Sorry: {exc}")
        else:
            messages.error(request, " ".join(m for ms in exc.errors.values() for m in ms))
        return redirect(back)
    request.session.pop(ASSESSMENT_SESSION_KEY, None)
    return redirect("booking:done", token=manage_token(booking))


def _booking_from_token(token: str) -> Booking:
    try:
        reference, uid_hex = reference_from_token(token)
        return booking_get_by_token(reference=reference, uid_hex=uid_hex)
    except (signing.BadSignature, Booking.DoesNotExist, ValueError) as exc:
        raise Http404("This booking link is not valid.") from exc


def _manage_context(booking: Booking, token: str) -> dict[str, Any]:
    now = clock.now()
    return {
        "booking": booking,
        "token": token,
        "local_start": booking.start.astimezone(LONDON),
        "local_end": booking.end.astimezone(LONDON),
        "can_cancel": booking_can_cancel_online(booking, now=now),
        "can_reschedule": booking_can_reschedule_online(booking, now=now),
        "clinic_phone": booking.site.phone if booking.site else CLINIC_PHONE,
        "clinic_email": settings.DEFAULT_FROM_EMAIL,
    }


def done(request: HttpRequest, token: str) -> HttpResponse:
    booking = _booking_from_token(token)
    return render(request, "booking/done.html", _manage_context(booking, token))


def manage(request: HttpRequest, token: str) -> HttpResponse:
    booking = _booking_from_token(token)
    return render(request, "booking/manage.html", _manage_context(booking, token))


@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a confirmation page (the cancel link opened from an email or the manage page);
    POST (its button): cancel."""
    booking = _booking_from_token(token)
    if request.method == "GET":
        return render(request, "booking/cancel.html", _manage_context(booking, token))
    try:
        booking_cancel(booking=booking)
    except PolicyError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Booking {booking.reference} is cancelled. We have emailed you.")
    return redirect("booking:manage", token=token)


@require_http_methods(["GET", "POST"])
def reschedule(request: HttpRequest, token: str) -> HttpResponse:
    booking = _booking_from_token(token)
    status = 200
    if request.method == "POST":
        try:
            start_at = parse_start(request.POST.get("start", ""))
        except forms.ValidationError:
            messages.error(request, "Please choose a time from the list.")
            status = 422
        else:
            status = _reschedule_post(request, booking, start_at)
            if status == 302:
                return redirect("booking:manage", token=token)
        booking = _booking_from_token(token)
    context = _manage_context(booking, token)
    if context["can_reschedule"]:
        first_day = _first_day(request, booking.service)
        context.update(
            week=_week(
                booking.service, booking.site, first_day, None, moving=booking, viewer=request.user
            ),
            **_week_nav(booking.service, first_day),
        )
    return render(request, "booking/reschedule.html", context, status=status)


def _reschedule_post(request: HttpRequest, booking: Booking, start_at: datetime) -> int:
    """Move the booking; the status for the page: 302 when moved (or already there), 409 when
    the time is taken or the notice rules refuse it, 422 for a time that cannot be booked."""
    try:
        booking_reschedule(booking=booking, start=start_at, actor=request.user)
    except NothingChanged as exc:  # e.g. a double-clicked button
        messages.info(request, str(exc))
        return 302
    except (PolicyError, SlotTaken) as exc:
        messages.error(request, str(exc))
        return 409
    except BookingInputError as exc:
        messages.error(request, " ".join(m for ms in exc.errors.values() for m in ms))
        return 422
    messages.success(request, "Your booking has been moved. We have emailed you.")
    return 302


@require_POST
@ratelimit(key="ip", rate=_booking_rate, method="POST", block=True)
def waitlist(request: HttpRequest, service: str, site: str) -> HttpResponse:
    svc = _service(service)
    where = _site(svc, site)
    form = WaitlistForm(request.POST, horizon_days=svc.horizon_days)
    if not form.is_valid():
        for line in form_error_lines(form):
            messages.error(request, line)
        return redirect("booking:times", service=svc.slug, site=site)
    cd = form.cleaned_data
    waitlist_join(
        service=svc,
        site=where,
        day=cd["day"],
        name=cd["name"],
        email=cd["email"],
        phone=cd["phone"],
    )
    messages.success(
        request,
        f"You are on the waiting list for {cd['day']:%A %d %B}. "
        "If a time frees up we will email you.",
    )
    return redirect(
        reverse("booking:times", kwargs={"service": svc.slug, "site": site})
        + f"?date={cd['day'].isoformat()}"
    )
