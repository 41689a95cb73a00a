"""Recovery-tracking use cases: check-ins, manual runs, shoes, the programme, export/erase.
Imports live in ``importing.py``. Every service is keyword-only and acts for one user."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from heelwise.common.models import AuditEvent
from heelwise.common.services import audit_record
from heelwise.runlog.models import CheckIn, ImportJob, Programme, Run, Shoe
from heelwise.runlog.plausibility import date_problem, speed_problem
from heelwise.runlog.progression import load_rules
from heelwise.runlog.redflags import BY_KEY

LONDON = ZoneInfo("Europe/London")
MAX_TZ_OFFSET_S = 14 * 3600


def local_today() -> date:
    return timezone.now().astimezone(LONDON).date()


def local_date_for(start: datetime, tz_offset_s: int | None) -> date:
    """The activity's own calendar date: its recorded UTC offset when known, else UK time."""
    if tz_offset_s is not None and abs(tz_offset_s) <= MAX_TZ_OFFSET_S:
        return (start.astimezone(UTC) + timedelta(seconds=tz_offset_s)).date()
    return start.astimezone(LONDON).date()


def kind_for_sport(sport: str) -> str:
    from heelwise.parsers.models import RUNNING_SPORTS

    return Run.Kind.RUN if sport in RUNNING_SPORTS else Run.Kind.CROSS_TRAINING


# --- Check-ins ---------------------------------------------------------------------------------


class CheckInExistsError(Exception):
    """The day's check-in was saved (in another tab, or by a second click) after the form that
    is being saved was shown; ``checkin`` is the saved one, left unchanged."""

    def __init__(self, checkin: CheckIn) -> None:
        super().__init__("a check-in for this day was saved after the form was shown")
        self.checkin = checkin


def checkin_version(checkin: CheckIn | None) -> str:
    """Which saved state of a day's check-in a form showed ("" when there was none)."""
    return "" if checkin is None else checkin.updated_at.isoformat()


def _checkin_for_update(user: Any, day: date) -> CheckIn | None:
    return CheckIn.objects.select_for_update().filter(user=user, date=day).first()


@transaction.atomic
def checkin_save(
    *,
    user: Any,
    day: date,
    first_step_pain: int,
    run_pain_during: int | None = None,
    run_pain_after: int | None = None,
    settled_by_morning: bool | None = None,
    exercises: str = "",
    notes: str = "",
    red_flags: list[str] | tuple[str, ...] = (),
    expected_version: str | None = None,
) -> CheckIn:
    """Create or update the runner's check-in for ``day`` (one per day).

    ``expected_version`` is ``checkin_version`` of the check-in the form showed: when the day's
    check-in has changed since (another tab, a second submit), it is not overwritten but raised
    as ``CheckInExistsError``, unless this save would change nothing. ``None``: no such check.
    Two requests saving the same day at once both succeed, the later one updating."""
    unknown = set(red_flags) - set(BY_KEY)
    if unknown:
        raise ValueError(f"unknown red flags: {sorted(unknown)}")
    values: dict[str, Any] = {
        "first_step_pain": first_step_pain,
        "run_pain_during": run_pain_during,
        "run_pain_after": run_pain_after,
        "settled_by_morning": settled_by_morning,
        "exercises": exercises,
        "notes": notes,
        **{f"flag_{key}": key in red_flags for key in BY_KEY},
    }
    CheckIn(user=user, date=day, **values).full_clean(
        validate_unique=False, validate_constraints=False
    )
    checkin = _checkin_for_update(user, day)
    if checkin is None:
        try:
            with transaction.atomic():
                return CheckIn.objects.create(user=user, date=day, **values)
        except IntegrityError:  # another request saved this day a moment ago
            checkin = CheckIn.objects.select_for_update().get(user=user, date=day)
    changes = any(getattr(checkin, k) != v for k, v in values.items())
    if expected_version is not None and expected_version != checkin_version(checkin) and changes:
        raise CheckInExistsError(checkin)
    for key, value in values.items():
        setattr(checkin, key, value)
    checkin.updated_at = timezone.now()
    checkin.save()
    return checkin


# --- Shoes -------------------------------------------------------------------------------------


def _clear_default(user: Any, keep: Shoe | None) -> None:
    qs = Shoe.objects.filter(user=user, is_default=True)
    if keep is not None and keep.pk:
        qs = qs.exclude(pk=keep.pk)
    qs.update(is_default=False)


class ShoeAlreadyAddedError(Exception):
    """The same "Add a pair" form was sent again; ``shoe`` is the pair it added the first time."""

    def __init__(self, shoe: Shoe) -> None:
        super().__init__("this form already added a pair of shoes")
        self.shoe = shoe


SHOE_SAVE_ATTEMPTS = 3
DEFAULT_RETIRED = (
    'A retired pair cannot be your default: untick "Use for new runs by default" or "Retired".'
)


def _shoe_added_by(user: Any, submission_key: str) -> Shoe | None:
    if not submission_key:
        return None
    return Shoe.objects.filter(user=user, submission_key=submission_key).first()


@transaction.atomic
def shoe_save(
    *,
    user: Any,
    shoe: Shoe | None = None,
    name: str,
    brand: str = "",
    start_km: float = 0,
    retire_at_km: int = 650,
    is_default: bool = False,
    retired: bool = False,
    submission_key: str = "",
) -> Shoe:
    """Create (``shoe=None``) or update one of the runner's shoes. A retired pair cannot be the
    default (ValidationError); making a pair the default clears the flag on the others
    (retried if another request made a pair the default at the same moment).
    ``submission_key``, the add form's one-time key, makes sending the same form twice add one
    pair (``ShoeAlreadyAddedError``)."""
    if is_default and retired:
        raise ValidationError({"is_default": DEFAULT_RETIRED})
    if shoe is None:
        if added := _shoe_added_by(user, submission_key):
            raise ShoeAlreadyAddedError(added)
        shoe = Shoe(user=user, submission_key=submission_key)
    elif shoe.user_id != user.pk:
        raise PermissionError("not this runner's shoe")
    shoe.name, shoe.brand = name, brand
    shoe.start_km, shoe.retire_at_km = start_km, retire_at_km
    shoe.retired = retired
    shoe.is_default = is_default
    shoe.full_clean(validate_constraints=False)  # the constraints are the database's, below
    for attempt in range(1, SHOE_SAVE_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                if shoe.is_default:
                    _clear_default(user, shoe)
                shoe.save()
            return shoe
        except IntegrityError:
            if added := _shoe_added_by(user, shoe.submission_key):
                raise ShoeAlreadyAddedError(added) from None
            if attempt == SHOE_SAVE_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


# --- Runs --------------------------------------------------------------------------------------


#: What one activity of each sport is called in a sentence ("a second run").
SPORT_NOUNS = {
    "running": "run",
    "trail_running": "trail run",
    "treadmill_running": "treadmill run",
    "walking": "walk",
    "hiking": "hike",
    "cycling": "ride",
    "swimming": "swim",
}


class RunExistsError(Exception):
    """The runner already has an activity of this sport starting at this time. The message
    names the time and day and says what to change."""

    def __init__(self, *, sport: str, start: datetime) -> None:
        noun = SPORT_NOUNS.get(sport, "activity")
        article = "an" if noun[0] in "aeiou" else "a"
        uk = start.astimezone(LONDON)
        super().__init__(
            f"You already logged {article} {noun} starting at {uk:%H:%M} on {uk:%-d %b %Y}: "
            f"change the start time if this is a second {noun}."
        )


def _run_fill(
    run: Run,
    *,
    start: datetime,
    duration_s: float,
    distance_m: float | None,
    sport: str,
    shoe: Shoe | None,
    notes: str,
) -> Run:
    """Set a hand-entered run's fields, check them like the form does, and save it."""
    user = run.user
    if shoe is not None and shoe.user_id != user.pk:
        raise PermissionError("not this runner's shoe")
    kind = kind_for_sport(sport)
    if shoe is None and kind == Run.Kind.RUN:
        shoe = Shoe.objects.filter(user=user, is_default=True, retired=False).first()
    run.start, run.local_date = start, local_date_for(start, None)
    run.sport, run.kind = sport, kind
    run.distance_m, run.duration_s, run.moving_s = distance_m, duration_s, duration_s
    run.shoe = shoe if kind == Run.Kind.RUN else None
    run.notes = notes
    run.full_clean(validate_constraints=False)
    problem = date_problem(run.local_date, today=local_today()) or speed_problem(
        sport=sport, distance_m=distance_m, duration_s=duration_s
    )
    if problem:
        raise ValidationError(problem)
    others = Run.objects.filter(user=user, sport=sport, start=start)
    if run.pk:
        others = others.exclude(pk=run.pk)
    if others.exists():
        raise RunExistsError(sport=sport, start=start)
    try:
        with transaction.atomic():
            run.save()
    except IntegrityError as exc:  # the same form sent twice at once
        raise RunExistsError(sport=sport, start=start) from exc
    return run


@transaction.atomic
def run_create(
    *,
    user: Any,
    start: datetime,
    duration_s: float,
    distance_m: float | None,
    sport: str = "running",
    shoe: Shoe | None = None,
    notes: str = "",
) -> Run:
    """A run entered by hand; ``start`` is aware. Uses the default shoe when none is given.
    Raises ValidationError for a date in the future or before 1990 or an impossible speed, and
    RunExistsError when the same sport and start are already logged (also under a race)."""
    run = Run(user=user, source=Run.Source.MANUAL)
    return _run_fill(
        run,
        start=start,
        duration_s=duration_s,
        distance_m=distance_m,
        sport=sport,
        shoe=shoe,
        notes=notes,
    )


class RunChangedError(Exception):
    """The run was changed (in another tab or device) after the edit form was opened."""


def run_version(run: Run) -> str:
    """A fingerprint of what an edit form shows of a run: a form opened before another edit
    carries an older one, so the later save cannot silently undo the other (runs have no
    'updated' time)."""
    parts = (
        run.start.isoformat(),
        run.duration_s,
        run.distance_m,
        run.sport,
        run.shoe_id,
        run.notes,
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


class RunNotEditableError(Exception):
    """Only runs entered by hand can be edited: an imported one holds what the file recorded."""


@transaction.atomic
def run_update(
    *,
    user: Any,
    run: Run,
    start: datetime,
    duration_s: float,
    distance_m: float | None,
    sport: str = "running",
    shoe: Shoe | None = None,
    notes: str = "",
    expected_version: str | None = None,
) -> Run:
    """Change a run entered by hand, with the checks of ``run_create`` (its own start does not
    count as a duplicate). Imported runs raise RunNotEditableError; ``expected_version`` (the
    ``run_version`` the form showed) that no longer matches raises RunChangedError."""
    if run.user_id != user.pk:
        raise PermissionError("not this runner's run")
    if run.source != Run.Source.MANUAL:
        raise RunNotEditableError("only runs entered by hand can be edited")
    if expected_version is not None:
        current = Run.objects.select_for_update().get(pk=run.pk)
        if run_version(current) != expected_version:
            raise RunChangedError(
                "This activity was changed somewhere else after you opened this form, so "
                "nothing was saved. The form now shows the saved version: make your change again."
            )
    return _run_fill(
        run,
        start=start,
        duration_s=duration_s,
        distance_m=distance_m,
        sport=sport,
        shoe=shoe,
        notes=notes,
    )


@transaction.atomic
def run_set_shoe(*, user: Any, run: Run, shoe: Shoe | None) -> Run:
    if run.user_id != user.pk or (shoe is not None and shoe.user_id != user.pk):
        raise PermissionError("not this runner's run or shoe")
    run.shoe = shoe
    run.save(update_fields=["shoe"])
    return run


@transaction.atomic
def run_delete(*, user: Any, run: Run) -> None:
    if run.user_id != user.pk:
        raise PermissionError("not this runner's run")
    run.delete()


# --- Programme ---------------------------------------------------------------------------------


@transaction.atomic
def programme_start(*, user: Any, started_on: date, start_stage: int = 0) -> Programme:
    """(Re)start the walk-run programme; history before ``started_on`` is not replayed."""
    rules = load_rules()
    if not 0 <= start_stage < len(rules.stages):
        raise ValueError("no such stage")
    programme, _ = Programme.objects.update_or_create(
        user=user,
        defaults={
            "started_on": started_on,
            "start_stage": start_stage,
            "rules_version": rules.version,
            "active": True,
        },
    )
    audit_record(
        actor=user,
        action="update",
        object_type="runlog.programme",
        object_id=programme.pk,
        subject_user_id=user.pk,
        detail=f"return-to-run programme started at stage {start_stage}",
    )
    return programme


@transaction.atomic
def programme_stop(*, user: Any) -> None:
    Programme.objects.filter(user=user).update(active=False)


# --- A carer's read -----------------------------------------------------------------------------


def recovery_view_record(*, viewer: Any, patient: Any, part: str) -> None:
    """Audit a clinician's (or administrator's) read of a patient's recovery data: who saw whose
    data and which part ("dashboard", a chart). References only, never the data itself."""
    audit_record(
        actor=viewer,
        action=AuditEvent.Action.VIEW,
        object_type="runlog.recovery",
        object_id=patient.pk,
        subject_user_id=patient.pk,
        detail=f"carer viewed the patient's recovery {part}",
    )


# --- Personal data -------------------------------------------------------------------------------


def runlog_export(user: Any) -> dict[str, Any]:
    def rows(qs: Any, fields: list[str]) -> list[dict[str, Any]]:
        return [
            {k: (v.isoformat() if isinstance(v, date | datetime) else v) for k, v in r.items()}
            for r in qs.values(*fields)
        ]

    return {
        "check_ins": rows(
            CheckIn.objects.filter(user=user).order_by("date"),
            [
                "date",
                "first_step_pain",
                "run_pain_during",
                "run_pain_after",
                "settled_by_morning",
                "exercises",
                "notes",
                *CheckIn.RED_FLAG_FIELDS,
            ],
        ),
        "runs": rows(
            Run.objects.filter(user=user).order_by("start"),
            [
                "start",
                "local_date",
                "sport",
                "kind",
                "distance_m",
                "duration_s",
                "moving_s",
                "ascent_m",
                "avg_hr",
                "cadence_spm",
                "shoe__name",
                "source",
                "source_file",
                "notes",
            ],
        ),
        "shoes": rows(
            Shoe.objects.filter(user=user),
            ["name", "brand", "start_km", "retire_at_km", "is_default", "retired"],
        ),
        "programme": rows(
            Programme.objects.filter(user=user),
            ["started_on", "start_stage", "rules_version", "active"],
        ),
        "imports": rows(
            ImportJob.objects.filter(user=user).order_by("created_at"),
            [
                "created_at",
                "upload_name",
                "status",
                "total",
                "done",
                "report",
                "error",
                "finished_at",
            ],
        ),
    }


def runlog_erase(user: Any) -> None:
    # Deleting the import jobs deletes their stored uploads (ImportChunk, on_delete=CASCADE).
    for model in (Run, CheckIn, ImportJob, Shoe, Programme):
        model.objects.filter(user=user).delete()
