"""Staff views: day and week calendars per site and per practitioner, booking on behalf of a
caller, moving or cancelling a booking, marking attended or no-show, finding a patient's
bookings, and the email delivery log.

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
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from heelwise.accounts.models import User
from heelwise.assessment.selectors import booking_token
from heelwise.booking import clock
from heelwise.booking.availability import (
    LONDON,
    BookingInputError,
    Slot,
    SlotTaken,
    local_today,
    slots_by_day,
    slots_list,
)
from heelwise.booking.forms import (
    CourseBookingForm,
    SlotChoiceForm,
    StaffBookingForm,
    form_error_lines,
)
from heelwise.booking.links import manage_url
from heelwise.booking.models import Booking
from heelwise.booking.selectors import (
    SEARCH_MIN_CHARS,
    booking_cancelled_for_practitioner,
    booking_clashes,
    booking_duplicates,
    booking_get_for_staff,
    booking_list_for_calendar,
    booking_search,
    bookings_visible,
    outbox_list,
    search_text,
    slots_free_for_patient,
)
from heelwise.booking.services import (
    NothingChanged,
    PatientDetails,
    PolicyError,
    booking_cancel,
    booking_create,
    booking_mark,
    booking_reschedule,
    course_book,
    course_gap_problem,
    course_other_starts,
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
    raw = request.GET.get("date") or request.POST.get("date", "")
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
    clash: str = ""  # "time off" / "closure" added over this confirmed booking
    duplicate: str = ""  # "Possible double booking of one patient[: same email as ...]"


def _entry(b: Booking, clashes: dict[int, str], duplicates: dict[int, str]) -> CalendarEntry:
    place = "Remote"
    if b.site is not None:
        place = b.site.name + (f", {b.room.name}" if b.room is not None else "")
    busy = CalendarEntry(
        start=b.start.astimezone(LONDON),
        end=b.end.astimezone(LONDON),
        practitioner=b.practitioner.name,
        place=place,
        in_care=False,
        clash=clashes.get(b.pk, ""),
        duplicate=duplicates.get(b.pk, ""),
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
    bookings = list(
        booking_list_for_calendar(
            first_day=first_day, days=days, viewer=viewer, site=site, practitioner=practitioner
        )
    )
    clashes = booking_clashes(bookings)
    duplicates = booking_duplicates(bookings, viewer=viewer)
    entries = [_entry(b, clashes, duplicates) for b in bookings]
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


class CancelledBooking(Exception):
    """The viewer's own booking, which they may no longer see because it was cancelled."""

    def __init__(self, booking: Booking) -> None:
        super().__init__(booking.reference)
        self.booking = booking


def _booking(request: HttpRequest, reference: str) -> Booking:
    """The booking if the viewer may see its details; anyone else gets a 404 (not a 403, which
    would confirm that the reference exists). A clinician whose own booking has just been
    cancelled (e.g. a double-clicked Cancel) is told so instead (``CancelledBooking``)."""
    viewer = _viewer(request)
    try:
        return booking_get_for_staff(reference=reference, viewer=viewer)
    except Booking.DoesNotExist as exc:
        cancelled = booking_cancelled_for_practitioner(reference=reference, viewer=viewer)
        if cancelled is not None:
            raise CancelledBooking(cancelled) from exc
        raise Http404("No such booking") from exc


def cancelled_aware(view: View) -> View:
    """Answers ``CancelledBooking`` with the booking's day on the calendar and a message."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except CancelledBooking as gone:
            booking = gone.booking
            messages.info(
                request,
                f"Booking {booking.reference} was cancelled, so it can no longer be opened or "
                "changed; nothing was changed now.",
            )
            day = booking.start.astimezone(LONDON).date().isoformat()
            return redirect(reverse("booking_staff:calendar") + f"?date={day}")

    return wrapper


def _after_change(request: HttpRequest, booking: Booking) -> HttpResponse:
    """Back to the booking, or to its day on the calendar once the viewer may no longer see it
    (e.g. a clinician who booked a caller in with a colleague, or cancelled a booking)."""
    if bookings_visible(viewer=_viewer(request)).filter(pk=booking.pk).exists():
        return redirect("booking_staff:booking", reference=booking.reference)
    day = booking.start.astimezone(LONDON).date().isoformat()
    return redirect(reverse("booking_staff:calendar") + f"?date={day}")


@staff_required
@cancelled_aware
def booking_detail(request: HttpRequest, reference: str) -> HttpResponse:
    booking = _booking(request, reference)
    _audit(request, booking, AuditEvent.Action.VIEW)
    return render(
        request, "booking/staff/booking.html", _detail_context(booking, viewer=_viewer(request))
    )


def _audit(request: HttpRequest, booking: Booking, action: str, detail: str = "") -> None:
    """A staff member saw or changed this booking: who, what, which booking and whose patient
    (no personal data in ``detail``)."""
    audit_record(
        actor=request.user,
        action=action,
        object_type="booking",
        object_id=booking.pk,
        subject_user_id=booking.user_id,
        detail=detail,
    )


def _detail_context(booking: Booking, *, viewer: User) -> dict[str, Any]:
    now = clock.now()
    future = booking.start > now and booking.status == Booking.Status.CONFIRMED
    return {
        "booking": booking,
        "local_start": booking.start.astimezone(LONDON),
        "messages_log": booking.messages.all(),
        "can_mark": booking.start <= now and booking.is_active,
        "can_change": future,
        "manage_url": manage_url(booking) if future else None,
        "clash": booking_clashes([booking]).get(booking.pk, ""),
        "duplicate": booking_duplicates([booking], viewer=viewer).get(booking.pk, ""),
        "assessment_url": (
            reverse("assessment:clinician", args=[booking_token(booking.assessment)])
            if booking.assessment is not None
            else None
        ),
    }


@staff_required
@cancelled_aware
def booking_cancel_confirm(request: HttpRequest, reference: str) -> HttpResponse:
    """The confirmation step before a cancellation (a page, not a script: strict CSP)."""
    booking = _booking(request, reference)
    # The page shows the patient's name: audited like the booking page (no personal data).
    _audit(request, booking, AuditEvent.Action.VIEW, detail="cancel confirmation")
    return render(
        request, "booking/staff/cancel.html", _detail_context(booking, viewer=_viewer(request))
    )


@staff_required
@cancelled_aware
@require_http_methods(["GET", "POST"])
def booking_move(request: HttpRequest, reference: str) -> HttpResponse:
    """Move a booking to another free time, day or practitioner (same service and site): same
    reference and calendar invite (SEQUENCE + 1), the patient gets the "moved" email."""
    booking = _booking(request, reference)
    today = local_today(clock.now())
    day = _day(
        request,
        earliest=today,
        latest=today + timedelta(days=booking.service.horizon_days),
        what="Bookings for this service",
    )
    form = SlotChoiceForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        start, practitioner_id = form.cleaned_data["slot"]
        try:
            moved = booking_reschedule(
                booking=booking,
                start=start,
                practitioner_id=practitioner_id,
                by_staff=True,
                actor=request.user,
            )
        except NothingChanged as exc:  # e.g. a double-clicked Move button
            messages.info(request, str(exc))
            return redirect("booking_staff:booking", reference=booking.reference)
        except (PolicyError, SlotTaken) as exc:
            form.add_error(None, str(exc))
            status = 409
        except BookingInputError as exc:
            for errors in exc.errors.values():
                form.add_error(None, errors)
        else:
            _audit(request, moved, AuditEvent.Action.UPDATE, detail="moved")
            local = moved.start.astimezone(LONDON)
            messages.success(
                request,
                f"Booking {moved.reference} moved to {local:%A} {local.day} {local:%B %Y}, "
                f"{local:%H:%M} with {moved.practitioner.name}; the patient has been emailed.",
            )
            return _after_change(request, moved)
    if form.errors and status == 200:
        status = 422
    others = course_other_starts(booking=booking)
    slots = slots_free_for_patient(
        [
            slot
            for slot in _day_slots(booking.service, booking.site, day, moving=booking)
            if not (slot.start == booking.start and slot.practitioner_id == booking.practitioner_id)
            and not course_gap_problem(booking=booking, start=slot.start, others=others)
        ],
        booking=booking,
    )
    context = {
        **_detail_context(booking, viewer=_viewer(request)),
        "day": day,
        "options": _options(slots),
        "chosen": request.POST.get("slot", ""),
        "form": form,
        "error_lines": form_error_lines(form) if form.is_bound else [],
        "course_spacing": booking.course.plan if booking.course is not None and others else None,
    }
    return render(request, "booking/staff/move.html", context, status=status)


def _options(slots: list[Slot]) -> list[tuple[Slot, str]]:
    """Each slot with its radio value "<local start>|<practitioner id>"."""
    return [(s, f"{s.local_start.isoformat()}|{s.practitioner_id}") for s in slots]


def _day_slots(
    service: Service, site: Site | None, day: date, *, moving: Booking | None = None
) -> list[Slot]:
    """Every free (time, practitioner) on ``day`` for staff: no online notice, each
    practitioner listed when several are free at one time."""
    found = slots_by_day(
        slots_list(
            service=service,
            site=None if service.is_remote else site,
            first_day=day,
            days=1,
            exclude_booking_id=moving.pk if moving is not None else None,
            staff=True,
        ),
        every_practitioner=True,
    )
    return found.get(day, [])


@staff_required
@never_cache
@require_http_methods(["GET", "POST"])
def search(request: HttpRequest) -> HttpResponse:
    """Find bookings by patient name, email, phone or reference, among those the viewer may
    see. Audited (that a search ran and how many it found; never what was searched for).

    The query is POSTed (with the CSRF token) and the results are rendered in the answer: a
    name, email or phone number never goes into a URL, where load balancers' logs and the
    browser's history would keep it. A ``?q=`` in the address (an old bookmark) searches
    nothing and is not shown back."""
    viewer = _viewer(request)
    asked = request.method == "POST"
    query = search_text(request.POST.get("q", ""))[:100] if asked else ""
    if not asked and "q" in request.GET:
        messages.info(
            request,
            "Searches are no longer sent in the page address: type what you are looking for "
            "in the box below.",
        )
    too_short = len(query) < SEARCH_MIN_CHARS
    results = [] if too_short else booking_search(viewer=viewer, query=query)
    if not too_short:
        audit_record(
            actor=viewer,
            action=AuditEvent.Action.VIEW,
            object_type="booking_search",
            object_id="search",
            detail=f"search: {len(results)} results",
        )
    context = {
        "query": query,
        "asked": asked,
        "too_short": too_short,
        "results": [(b, b.start.astimezone(LONDON)) for b in results],
        "min_chars": SEARCH_MIN_CHARS,
    }
    return render(request, "booking/staff/search.html", context)


@staff_required
@cancelled_aware
@require_POST
def booking_action(request: HttpRequest, reference: str) -> HttpResponse:
    booking = _booking(request, reference)
    action = request.POST.get("action", "")
    if action == "cancel" and request.POST.get("confirm") != "yes":
        # The cancel button leads to the confirmation page; only its form sends confirm=yes.
        return redirect("booking_staff:cancel", reference=booking.reference)
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
        _audit(request, booking, AuditEvent.Action.UPDATE, detail=action)
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
    form = StaffBookingForm(request.POST or None)
    status = 200
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
                by_staff=True,
            )
        except SlotTaken as exc:
            form.add_error(None, str(exc))
            status = 409
        except BookingInputError as exc:
            for field, errors in exc.errors.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            _audit_created(request, [booking])
            messages.success(
                request,
                f"Booked {booking.reference} with {booking.practitioner.name}; "
                "the patient has been emailed.",
            )
            return _after_change(request, booking)
    if form.errors and status == 200:
        status = 422
    slots: list[Slot] = []
    if service is not None and (service.is_remote or site is not None):
        slots = _day_slots(service, site, day)
    context = {
        "services": services,
        "sites": Site.objects.filter(is_active=True),
        "service": service,
        "site": site,
        "day": day,
        "options": _options(slots),
        "chosen": request.POST.get("slot", ""),
        "form": form,
        "error_lines": form_error_lines(form) if form.is_bound else [],
    }
    return render(request, "booking/staff/book.html", context, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def book_course(request: HttpRequest) -> HttpResponse:
    """Book a whole treatment course for a caller: every session, or none."""
    form = CourseBookingForm(request.POST or None)
    status = 200
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
                by_staff=True,
            )
        except SlotTaken as exc:
            form.add_error(_session_field(exc.field), f"{exc} Nothing was booked.")
            status = 409
        except BookingInputError as exc:
            for field, errors in exc.errors.items():
                form.add_error(_session_field(field), [*errors, "Nothing was booked."])
        else:
            _audit_created(request, list(course.bookings.order_by("start")))
            first = course.bookings.order_by("start").first()
            messages.success(request, f"Course {course.reference} booked: every session.")
            if first is not None:
                return _after_change(request, first)
            return redirect("booking_staff:calendar")
    if form.errors and status == 200:
        status = 422
    return render(request, "booking/staff/course.html", {"form": form}, status=status)


def _audit_created(request: HttpRequest, bookings: list[Booking]) -> None:
    """One audit row per booking staff made for a caller (no personal data in it)."""
    for booking in bookings:
        course = f" (course {booking.course.reference})" if booking.course is not None else ""
        _audit(request, booking, AuditEvent.Action.CREATE, detail=f"created by staff{course}")


def _session_field(field: str | None) -> str | None:
    """``starts.<i>`` (the i-th session as entered, from Session 1) -> its form field."""
    if field and field.startswith("starts.") and field[7:].isdigit():
        return f"session_{int(field[7:]) + 1}"
    return None


@staff_required
def deliveries(request: HttpRequest) -> HttpResponse:
    # A page at a time (it used to stop at the newest 200 with no way to older ones).
    page = Paginator(outbox_list(viewer=_viewer(request)), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "booking/staff/deliveries.html",
        {"messages_log": page.object_list, "page": page},
    )
