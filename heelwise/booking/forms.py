"""Input validation shared by the JSON API and the booking pages: every bad field is named."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone

from heelwise.booking import clock
from heelwise.booking.availability import start_problems
from heelwise.booking.models import CoursePlan
from heelwise.clinics.models import Service, Site

PHONE_CHARS_RE = re.compile(r"^\+?[0-9()\-.\s]+$")
REMOTE = "remote"
PHONE_FORMAT_ERROR = (
    "Enter a UK phone number (e.g. 07700 900123 or 020 7946 0018) or an international one "
    "starting with + and the country code (e.g. +44 7700 900123)."
)
PHONE_NEEDED_ERROR = "Enter a phone number: the clinician will call you on it."
STAFF_PHONE_NEEDED_ERROR = "Enter the caller's phone number: the clinician will call them on it."


def phone_problem(value: str) -> str | None:
    """Why ``value`` is not a UK or international phone number (None when it is one).

    UK numbers have 10 or 11 digits starting with 0; international ones start with + (or 00)
    and the country code and have 8 to 15 digits (ITU-T E.164)."""
    if not PHONE_CHARS_RE.match(value):
        return PHONE_FORMAT_ERROR
    digits = re.sub(r"\D", "", value)
    if value.startswith("+") or digits.startswith("00"):
        international = digits if value.startswith("+") else digits[2:]
        valid = not international.startswith("0") and 8 <= len(international) <= 15
    else:
        valid = digits.startswith("0") and 10 <= len(digits) <= 11
    return None if valid else PHONE_FORMAT_ERROR


def parse_start(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.strip().replace(" ", "+").replace("Z", "+00:00"))
    except ValueError as exc:
        raise forms.ValidationError(
            "Give an ISO-8601 time with its offset, e.g. 2027-03-29T10:00:00+01:00."
        ) from exc
    if timezone.is_naive(parsed):
        raise forms.ValidationError(
            "Give the time with its UTC offset, e.g. 2027-03-29T10:00:00+01:00."
        )
    return parsed


class PatientDetailsForm(forms.Form):
    name = forms.CharField(label="Full name", max_length=150)
    email = forms.EmailField(label="Email address", max_length=254)
    phone = forms.CharField(
        label="Phone number",
        max_length=30,
        required=False,
        help_text="So the clinic can reach you about your appointment.",
    )
    notes = forms.CharField(
        label="Anything we should know?",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, phone_required: bool = False, **kwargs: Any) -> None:
        """``phone_required``: a phone or video service, where the clinician calls the
        patient (the pages mark the field required; ``BookingRequestForm`` enforces it)."""
        super().__init__(*args, **kwargs)
        if phone_required:
            phone = self.fields["phone"]
            phone.required = True
            phone.help_text = "The clinician will call you on this number."
            phone.error_messages["required"] = PHONE_NEEDED_ERROR

    def clean_name(self) -> str:
        name = " ".join(str(self.cleaned_data["name"]).split())
        if not name:
            raise forms.ValidationError("Enter your name.")
        return name

    def clean_phone(self) -> str:
        phone = " ".join(str(self.cleaned_data.get("phone") or "").split())
        problem = phone_problem(phone) if phone else None
        if problem:
            raise forms.ValidationError(problem)
        return phone


class BookingRequestForm(PatientDetailsForm):
    """A whole booking request (API body, or the pages' final confirm step)."""

    service = forms.CharField(label="Service", max_length=50)
    site = forms.CharField(label="Clinic", max_length=50, required=False)
    start = forms.CharField(
        label="Time", max_length=40, error_messages={"required": "Choose a time."}
    )
    practitioner = forms.IntegerField(label="Practitioner", required=False, min_value=1)
    phone_needed_error = PHONE_NEEDED_ERROR

    def __init__(self, *args: Any, now: datetime | None = None, staff: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.now = now or clock.now()
        self.staff = staff

    def clean_service(self) -> Service:
        from heelwise.booking.selectors import service_cached

        service = service_cached(slug=str(self.cleaned_data["service"]).strip())
        if service is None or not service.is_active or not (self.staff or service.bookable_online):
            raise forms.ValidationError("Unknown service.")
        return service

    def clean_site(self) -> Site | None:
        slug = str(self.cleaned_data.get("site") or "").strip()
        if not slug or slug == REMOTE:
            return None
        site = Site.objects.filter(slug=slug, is_active=True).first()
        if site is None:
            raise forms.ValidationError("Unknown clinic.")
        return site

    def clean_start(self) -> datetime:
        return parse_start(str(self.cleaned_data["start"]))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        service = data.get("service")
        start = data.get("start")
        if isinstance(service, Service):
            if not service.is_remote and data.get("site") is None and "site" not in self.errors:
                self.add_error("site", "Choose a clinic for an in-person appointment.")
            if service.is_remote and not data.get("phone") and "phone" not in self.errors:
                self.add_error("phone", self.phone_needed_error)
            if isinstance(start, datetime):
                problems = start_problems(
                    service=service, start=start, now=self.now, staff=self.staff
                )
                for problem in problems:
                    self.add_error("start", problem)
        return data


class StaffBookingForm(BookingRequestForm):
    """Staff booking for a caller: the chosen time is one radio ``slot`` = "<start>|<practitioner
    id>", so the receptionist picks the practitioner when several are free at that time. Not
    held to the online minimum notice (``staff``). Errors speak to the staff member, not the
    patient."""

    phone_needed_error = STAFF_PHONE_NEEDED_ERROR

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        if data is not None:
            data = data.copy()
            start, _, practitioner = str(data.get("slot", "")).partition("|")
            if start:
                data["start"] = start
                data["practitioner"] = practitioner
        super().__init__(data, staff=True, **kwargs)


class SlotChoiceForm(forms.Form):
    """Staff moving a booking: the new time, "<start>|<practitioner id>" from the list."""

    slot = forms.CharField(
        label="New time", max_length=60, error_messages={"required": "Choose a new time."}
    )

    def clean_slot(self) -> tuple[datetime, int | None]:
        start, _, practitioner = str(self.cleaned_data["slot"]).partition("|")
        if practitioner and not practitioner.isdigit():
            raise forms.ValidationError("Choose a new time from the list.")
        return parse_start(start), int(practitioner) if practitioner else None


class WaitlistForm(forms.Form):
    day = forms.DateField(
        label="Day you would like",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    name = forms.CharField(label="Full name", max_length=150)
    email = forms.EmailField(label="Email address", max_length=254)
    phone = forms.CharField(label="Phone number", max_length=30, required=False)

    def __init__(self, *args: Any, horizon_days: int | None = None, **kwargs: Any) -> None:
        """``horizon_days``: the service's booking horizon (no day beyond it can free up)."""
        super().__init__(*args, **kwargs)
        self.horizon_days = horizon_days

    def clean_day(self) -> Any:
        from datetime import timedelta

        from heelwise.booking.availability import local_today

        day = self.cleaned_data["day"]
        today = local_today(clock.now())
        if day < today:
            raise forms.ValidationError("Choose today or a later day.")
        if self.horizon_days is not None and (day - today).days > self.horizon_days:
            last = today + timedelta(days=self.horizon_days)
            raise forms.ValidationError(
                f"This service can be booked up to {self.horizon_days} days ahead: choose a "
                f"day up to {last.day} {last:%B %Y}."
            )
        return day


MAX_COURSE_SESSIONS = 6


class CourseBookingForm(PatientDetailsForm):
    """Staff: book every session of a treatment course at once (local Europe/London times)."""

    plan = forms.ModelChoiceField(
        queryset=CoursePlan.objects.select_related("service"), label="Course"
    )
    site = forms.ModelChoiceField(queryset=Site.objects.filter(is_active=True), label="Clinic")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(1, MAX_COURSE_SESSIONS + 1):
            self.fields[f"session_{i}"] = forms.DateTimeField(
                label=f"Session {i}",
                required=i == 1,
                help_text=("" if i == 1 else f"Only for a course of {i} or more sessions."),
                error_messages={"required": "Enter the date and time of the first session."},
                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
            )

    def clean(self) -> dict[str, Any]:
        """Sessions are filled in from Session 1 with none skipped, exactly as many as the
        course has, so every error can name the session as the person numbered it."""
        data = super().clean() or {}
        filled = [i for i in range(1, MAX_COURSE_SESSIONS + 1) if data.get(f"session_{i}")]
        for i in range(1, max(filled, default=0)):
            if i not in filled and f"session_{i}" not in self.errors:
                self.add_error(
                    f"session_{i}", f"Enter Session {i} (fill in the sessions in order)."
                )
        plan = data.get("plan")
        if (
            isinstance(plan, CoursePlan)
            and filled
            and not self.errors
            and len(filled) != plan.sessions
        ):
            self.add_error(
                None,
                f"{plan.name} has {plan.sessions} sessions: fill in Session 1 to "
                f"Session {plan.sessions}.",
            )
        return data

    def session_fields(self) -> list[Any]:
        return [self[f"session_{i}"] for i in range(1, MAX_COURSE_SESSIONS + 1)]

    def starts(self) -> list[datetime]:
        return [
            self.cleaned_data[f"session_{i}"]
            for i in range(1, MAX_COURSE_SESSIONS + 1)
            if self.cleaned_data.get(f"session_{i}")
        ]


def form_errors(form: forms.Form) -> dict[str, list[str]]:
    """Errors by field name (the API's 422 body)."""
    return {field: [str(m) for m in messages] for field, messages in form.errors.items()}


def form_error_lines(form: forms.Form) -> list[str]:
    """Errors for people: each prefixed with its field's label (none for whole-form errors)."""
    lines: list[str] = []
    for field, messages in form.errors.items():
        label = form.fields[field].label if field in form.fields else None
        lines.extend(f"{label}: {m}" if label else str(m) for m in messages)
    return lines
