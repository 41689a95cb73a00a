from __future__ import annotations

from datetime import timedelta, timezone

from django import template

register = template.Library()

STATUS_LABELS = {
    "imported": "Imported",
    "cross_training": "Cross-training",
    "duplicate": "Duplicate, skipped",
    "skipped": "Skipped",
    "error": "Error, nothing stored",
    "rejected": "Rejected, not stored",
}


@register.filter
def km(metres: object) -> str:
    """Metres as kilometres with one decimal ("–" when unknown)."""
    return f"{metres / 1000:.1f}" if isinstance(metres, int | float) else "–"


@register.filter
def minutes(seconds: object) -> str:
    return f"{seconds / 60:.0f}" if isinstance(seconds, int | float) else "–"


@register.filter
def duration(seconds: object) -> str:
    """Seconds as "30 min 30 s" or "1 h 5 min" ("–" when unknown): a typed-in 30.5 minutes
    reads as it was entered."""
    from heelwise.runlog.plausibility import duration_words

    return duration_words(seconds) if isinstance(seconds, int | float) else "–"


@register.filter
def shoe_label(shoe: object) -> str:
    """A pair with the day it was added, so two pairs of the same name can be told apart."""
    from heelwise.runlog.forms import shoe_label as label
    from heelwise.runlog.models import Shoe

    return label(shoe) if isinstance(shoe, Shoe) else "–"


@register.filter
def start_time(run: object) -> str:
    """When an activity started, with the zone named: the time where it was recorded when the
    file gave its UTC offset ("19:00 local time (UTC-07:00)"), else UK time ("07:00 UK time
    (BST)"), as for manual entries."""
    from heelwise.runlog.services import LONDON, MAX_TZ_OFFSET_S

    start = getattr(run, "start", None)
    if start is None:
        return "–"
    offset = getattr(run, "tz_offset_s", None)
    if offset is not None and abs(offset) <= MAX_TZ_OFFSET_S:
        local = start.astimezone(timezone(timedelta(seconds=offset)))
        sign, minutes = ("-" if offset < 0 else "+"), abs(offset) // 60
        return f"{local:%H:%M} local time (UTC{sign}{minutes // 60:02d}:{minutes % 60:02d})"
    uk = start.astimezone(LONDON)
    return f"{uk:%H:%M} UK time ({uk.tzname()})"


@register.filter
def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


@register.filter
def sport_label(sport: str | None) -> str:
    return "–" if not sport else sport.replace("_", " ")


@register.filter
def percent(fraction: object) -> str:
    """0.253 -> "+25%"; None -> "–"."""
    return f"{fraction * 100:+.0f}%" if isinstance(fraction, int | float) else "–"


@register.filter
def red_flag_labels(keys: list[str]) -> str:
    """A check-in's warning signs as the runner was asked them ("–" when none)."""
    from heelwise.runlog.redflags import BY_KEY

    return "; ".join(BY_KEY[k].question for k in keys if k in BY_KEY) or "–"


@register.filter
def may_view_recovery(viewer: object, patient_id: object) -> bool:
    """Whether ``viewer`` may open the recovery of patient ``patient_id`` (one query): for a
    link on a staff page, decided by the same care relationship as the page itself."""
    from heelwise.assessment.selectors import patients_in_care

    if not isinstance(patient_id, int) or not getattr(viewer, "is_authenticated", False):
        return False
    return patients_in_care(viewer=viewer).filter(pk=patient_id).exists()  # type: ignore[arg-type]
