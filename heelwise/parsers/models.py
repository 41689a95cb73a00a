"""Data model shared by every activity-file parser (pure Python, no Django)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

#: The small sport vocabulary callers see. Which of these count as cross-training is the caller's
#: decision; ``transition`` marks the changeover legs of a multisport (triathlon) file.
SPORTS: tuple[str, ...] = (
    "running",
    "trail_running",
    "treadmill_running",
    "walking",
    "hiking",
    "cycling",
    "swimming",
    "transition",
    "other",
)
RUNNING_SPORTS = frozenset({"running", "trail_running", "treadmill_running"})
#: Sports whose cadence is counted in steps (a FIT/TCX running cadence of 85 rpm is 170 spm).
ON_FOOT_SPORTS = RUNNING_SPORTS | {"walking", "hiking"}

SourceFormat = Literal["fit", "gpx", "tcx"]


@dataclass(frozen=True, slots=True)
class Activity:
    """One activity, or one leg of a multisport file, summarised.

    ``start`` is an aware UTC datetime. ``duration_s`` is elapsed wall time from start to end;
    ``moving_s`` leaves out pauses and standing still; ``timer_s`` is the device's timer time
    when the file records one. ``avg_cadence_spm`` is in steps per minute and is only given for
    on-foot sports. ``tz_offset_s`` is the local-time offset the device recorded (FIT only).
    """

    sport: str
    start: datetime
    duration_s: float
    source_format: SourceFormat
    sub_sport: str | None = None
    moving_s: float | None = None
    timer_s: float | None = None
    distance_m: float | None = None
    ascent_m: float | None = None
    avg_hr: float | None = None
    avg_cadence_spm: float | None = None
    points: int = 0
    device: str | None = None
    tz_offset_s: int | None = None
    leg_index: int = 0
    leg_count: int = 1
    warnings: tuple[str, ...] = field(default=())

    @property
    def is_running(self) -> bool:
        return self.sport in RUNNING_SPORTS

    def to_json(self, file: str) -> dict[str, Any]:
        """The ``heelwise runs parse`` JSON object (fixed keys first, extras after)."""
        out: dict[str, Any] = {
            "file": file,
            "sport": self.sport,
            "start": self.start.astimezone(UTC)
            .isoformat(timespec="seconds")
            .replace("+00:00", "Z"),
            "duration_s": _round(self.duration_s),
            "moving_s": _round(self.moving_s),
            "distance_m": _round(self.distance_m),
            "ascent_m": _round(self.ascent_m),
            "avg_hr": _round(self.avg_hr),
            "avg_cadence_spm": _round(self.avg_cadence_spm),
            "points": self.points,
            "sub_sport": self.sub_sport,
            "format": self.source_format,
            "device": self.device,
            "tz_offset_s": self.tz_offset_s,
        }
        if self.leg_count > 1:
            out["leg"] = self.leg_index + 1
            out["legs"] = self.leg_count
        if self.warnings:
            out["warnings"] = list(self.warnings)
        return out


def _round(value: float | None, ndigits: int = 1) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(value, ndigits)


def duplicate_key(activity: Activity) -> tuple[str, datetime]:
    """The key two imports of the same activity share: sport and UTC start to the second.

    The same run exported as FIT from the watch and as GPX from Strava has the same key; the
    import side may additionally compare duration and distance for starts a few seconds apart.
    """
    return activity.sport, datetime.fromtimestamp(round(activity.start.timestamp()), UTC)
