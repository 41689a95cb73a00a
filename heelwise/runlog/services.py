"""Recovery-tracking use cases: check-ins, manual runs, shoes, the programme, export/erase.
Imports live in ``importing.py``. Every service is keyword-only and acts for one user."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from heelwise.common.models import AuditEvent
from heelwise.common.services import audit_record
from heelwise.runlog.models import CheckIn, ImportJob, Programme, Run, Shoe
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
) -> CheckIn:
    """Create or replace the runner's check-in for ``day`` (one per day)."""
    unknown = set(red_flags) - set(BY_KEY)
    if unknown:
        raise ValueError(f"unknown red flags: {sorted(unknown)}")
    checkin = CheckIn.objects.filter(user=user, date=day).first() or CheckIn(user=user, date=day)
    checkin.first_step_pain = first_step_pain
    checkin.run_pain_during = run_pain_during
    checkin.run_pain_after = run_pain_after
    checkin.settled_by_morning = settled_by_morning
    checkin.exercises = exercises
    checkin.notes = notes
    for key in BY_KEY:
        setattr(checkin, f"flag_{key}", key in red_flags)
    checkin.updated_at = timezone.now()
    checkin.full_clean()
    checkin.save()
    return checkin


# --- Shoes -------------------------------------------------------------------------------------


def _clear_default(user: Any, keep: Shoe | None) -> None:
    qs = Shoe.objects.filter(user=user, is_default=True)
    if keep is not None and keep.pk:
        qs = qs.exclude(pk=keep.pk)
    qs.update(is_default=False)


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
) -> Shoe:
    """Create (``shoe=None``) or update one of the runner's shoes. A retired pair cannot be the
    default; making a pair the default clears the flag on the others."""
    if shoe is None:
        shoe = Shoe(user=user)
    elif shoe.user_id != user.pk:
        raise PermissionError("not this runner's shoe")
    shoe.name, shoe.brand = name, brand
    shoe.start_km, shoe.retire_at_km = start_km, retire_at_km
    shoe.retired = retired
    shoe.is_default = is_default and not retired
    if shoe.is_default:
        _clear_default(user, shoe)
    shoe.full_clean()
    shoe.save()
    return shoe


# --- Runs --------------------------------------------------------------------------------------


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
    """A run entered by hand; ``start`` is aware. Uses the default shoe when none is given."""
    if shoe is not None and shoe.user_id != user.pk:
        raise PermissionError("not this runner's shoe")
    kind = kind_for_sport(sport)
    if shoe is None and kind == Run.Kind.RUN:
        shoe = Shoe.objects.filter(user=user, is_default=True, retired=False).first()
    run = Run(
        user=user,
        start=start,
        local_date=local_date_for(start, None),
        sport=sport,
        kind=kind,
        distance_m=distance_m,
        duration_s=duration_s,
        moving_s=duration_s,
        shoe=shoe if kind == Run.Kind.RUN else None,
        source=Run.Source.MANUAL,
        notes=notes,
    )
    run.full_clean()
    run.save()
    return run


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
    }


def runlog_erase(user: Any) -> None:
    from django.core.files.storage import default_storage

    for name in (
        ImportJob.objects.filter(user=user)
        .exclude(storage_name="")
        .values_list("storage_name", flat=True)
    ):
        default_storage.delete(name)
    for model in (Run, CheckIn, ImportJob, Shoe, Programme):
        model.objects.filter(user=user).delete()
