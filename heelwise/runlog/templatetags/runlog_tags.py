from __future__ import annotations

from django import template

register = template.Library()

STATUS_LABELS = {
    "imported": "Imported",
    "cross_training": "Cross-training",
    "duplicate": "Duplicate, skipped",
    "skipped": "Skipped",
    "error": "Error, nothing stored",
}


@register.filter
def km(metres: object) -> str:
    """Metres as kilometres with one decimal ("–" when unknown)."""
    return f"{metres / 1000:.1f}" if isinstance(metres, int | float) else "–"


@register.filter
def minutes(seconds: object) -> str:
    return f"{seconds / 60:.0f}" if isinstance(seconds, int | float) else "–"


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
