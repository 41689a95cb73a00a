from __future__ import annotations

import re
import secrets
from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from heelwise.runlog.importing import MAX_UPLOAD_BYTES
from heelwise.runlog.models import CheckIn, Run, Shoe
from heelwise.runlog.plausibility import date_problem, speed_problem
from heelwise.runlog.progression import load_rules
from heelwise.runlog.redflags import RED_FLAGS
from heelwise.runlog.services import DEFAULT_RETIRED, LONDON, checkin_version, run_version

PAIN_CHOICES = [(str(i), str(i)) for i in range(11)]
OPTIONAL_PAIN = [("", "No run today"), *PAIN_CHOICES]
SETTLED_CHOICES = [
    ("yes", "Yes, it settled"),
    ("no", "No, it still hurt this morning"),
    ("", "No pain yesterday or no run"),
]
SPORT_CHOICES = [
    ("running", "Run"),
    ("trail_running", "Trail run"),
    ("treadmill_running", "Treadmill run"),
    ("walking", "Walk"),
    ("hiking", "Hike"),
    ("cycling", "Cycle"),
    ("swimming", "Swim"),
    ("other", "Other cross-training"),
]


class CheckInForm(forms.Form):
    first_step_pain = forms.TypedChoiceField(
        label="Pain with your first steps this morning",
        choices=PAIN_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        help_text="0 is no pain, 10 is the worst pain you can imagine.",
    )
    run_pain_during = forms.TypedChoiceField(
        label="Pain during today's run or walk session",
        choices=OPTIONAL_PAIN,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    run_pain_after = forms.TypedChoiceField(
        label="Pain after today's session",
        choices=OPTIONAL_PAIN,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    settled = forms.ChoiceField(
        label="Had yesterday's pain settled by this morning?",
        choices=SETTLED_CHOICES,
        required=False,
        widget=forms.RadioSelect,
    )
    exercises = forms.ChoiceField(
        label="Exercises from your plan today",
        choices=CheckIn.Exercises.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    red_flags = forms.MultipleChoiceField(
        label="Since your last check-in, have you had any of these?",
        choices=[(f.key, f.question) for f in RED_FLAGS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # Which saved check-in the form showed: a check-in saved since is not silently replaced.
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    @classmethod
    def initial_from(cls, checkin: CheckIn | None) -> dict[str, Any]:
        if checkin is None:
            return {"version": ""}
        settled = {True: "yes", False: "no", None: ""}[checkin.settled_by_morning]
        return {
            "first_step_pain": str(checkin.first_step_pain),
            "run_pain_during": "" if checkin.run_pain_during is None else checkin.run_pain_during,
            "run_pain_after": "" if checkin.run_pain_after is None else checkin.run_pain_after,
            "settled": settled,
            "exercises": checkin.exercises,
            "red_flags": checkin.red_flags,
            "notes": checkin.notes,
            "version": checkin_version(checkin),
        }

    @property
    def settled_value(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data.get("settled") or "")


def shoe_label(shoe: Shoe) -> str:
    """A pair as it reads in a list: brand, name and the day it was added, so two pairs of the
    same name can be told apart."""
    added = timezone.localdate(shoe.created_at)
    return f"{shoe} (added {added:%-d %b %Y})"


class ShoeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return shoe_label(obj)


class RunForm(forms.Form):
    day = forms.DateField(
        label="Date", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    # No default time: a made-up one (it was 07:00) clashed with the first run of the day when a
    # second one was entered, and put the wrong time on the rest.
    start_time = forms.TimeField(
        label="Start time (UK)",
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text="When you started. Two activities on one day need different start times.",
        error_messages={"required": "Enter the time you started, for example 07:30."},
    )
    sport = forms.ChoiceField(label="Activity", choices=SPORT_CHOICES, initial="running")
    # Which saved state of the run an edit form showed (services.run_version); empty when new.
    version = forms.CharField(required=False, widget=forms.HiddenInput)
    minutes = forms.FloatField(
        label="Duration (minutes)",
        min_value=1,
        max_value=24 * 60,
        help_text="Decimals are kept to the second: 30.5 is 30 min 30 s.",
    )
    distance_km = forms.FloatField(
        label="Distance (km)", min_value=0, max_value=500, required=False
    )
    shoe = ShoeChoiceField(
        label="Shoes", queryset=Shoe.objects.none(), required=False, empty_label="Default pair"
    )
    notes = forms.CharField(label="Notes", required=False, max_length=500)

    def __init__(
        self, *args: Any, user: Any, today: date, run: Run | None = None, **kwargs: Any
    ) -> None:
        """``run``: the hand-entered run being edited (its pair stays a choice if retired)."""
        if run is not None:
            kwargs.setdefault("initial", self.initial_from(run))
        super().__init__(*args, **kwargs)
        self.today = today
        field = self.fields["shoe"]
        assert isinstance(field, ShoeChoiceField)
        in_use = Q(retired=False)
        if run is not None and run.shoe_id is not None:
            in_use |= Q(pk=run.shoe_id)
        field.queryset = Shoe.objects.filter(in_use, user=user)

    @classmethod
    def initial_from(cls, run: Run) -> dict[str, Any]:
        """The form filled in with a hand-entered run, to edit it."""
        uk = run.start.astimezone(LONDON)
        distance = None if run.distance_m is None else round(run.distance_m / 1000, 3)
        return {
            "day": uk.date(),
            "start_time": uk.time().replace(second=0, microsecond=0),
            "sport": run.sport,
            "minutes": round(run.duration_s / 60, 4),
            "distance_km": distance,
            "shoe": run.shoe_id,
            "notes": run.notes,
            "version": run_version(run),
        }

    def clean_day(self) -> date:
        value: date = self.cleaned_data["day"]
        problem = date_problem(value, today=self.today)
        if problem:
            raise ValidationError(problem)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        minutes, distance = data.get("minutes"), data.get("distance_km")
        if minutes is not None and distance is not None:
            # The same whole seconds the run is saved with (``duration_s``), so the form and the
            # service can never disagree about a run on the limit.
            problem = speed_problem(
                sport=data.get("sport") or "",
                distance_m=distance * 1000,
                duration_s=_whole_seconds(minutes),
            )
            if problem:
                self.add_error("distance_km", problem)
        return data

    @property
    def start(self) -> datetime:
        d = self.cleaned_data
        return datetime.combine(d["day"], d["start_time"], tzinfo=LONDON)

    @property
    def duration_s(self) -> float:
        """The duration as saved: to the second, as the help text says."""
        return _whole_seconds(self.cleaned_data["minutes"])


def _whole_seconds(minutes: float) -> float:
    return float(round(minutes * 60))


class ShoeForm(forms.ModelForm):
    class Meta:
        model = Shoe
        fields = ["name", "brand", "start_km", "retire_at_km", "is_default", "retired"]
        labels = {
            "start_km": "Distance already on them (km)",
            "retire_at_km": "Remind me to review them at (km)",
            "is_default": "Use for new runs by default",
            "retired": "Retired",
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("is_default") and data.get("retired"):
            self.add_error("is_default", DEFAULT_RETIRED)
        return data


class ShoeAddForm(ShoeForm):
    """The "Add a pair" form: a one-time key, so sending the same form twice adds one pair."""

    submission_key = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"submission_key": secrets.token_hex(16)})
        super().__init__(*args, **kwargs)

    def clean_submission_key(self) -> str:
        """A key that is not one this form made (an old page, a script) adds without the check."""
        value: str = self.cleaned_data.get("submission_key") or ""
        return value if re.fullmatch(r"[0-9a-f]{32}", value) else ""


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Activity file or export archive",
        help_text="FIT, GPX or TCX (also .gz), or a Strava or Garmin export .zip, up to 200 MB.",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError("This file is larger than 200 MB.")
        if upload.size == 0:
            raise ValidationError("This file is empty.")
        return upload


class ProgrammeForm(forms.Form):
    start_stage = forms.TypedChoiceField(label="Start at", coerce=int, choices=[], initial=0)
    started_on = forms.DateField(
        label="First session",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        help_text="Today, or the day of your first session if you began in the last 4 weeks.",
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"started_on": today, "start_stage": 0})
        super().__init__(*args, **kwargs)
        self.today = today
        field = self.fields["start_stage"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(s.index, f"{s.index + 1}. {s.title}") for s in load_rules().stages]

    def clean_started_on(self) -> date:
        value: date = self.cleaned_data["started_on"]
        if value > self.today or value < self.today - timedelta(days=28):
            raise ValidationError("Choose today or a day in the last 4 weeks.")
        return value
