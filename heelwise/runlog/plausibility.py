"""Whether an activity's date and speed can be true: pure functions, no Django, no I/O.

Used by the manual-entry form (field errors) and ``run_create`` (the same rule for any caller),
and for imported files: a file dated in the future or before 1990 was written by a device whose
clock was wrong or never set, and a file whose distance could not be covered in its time holds
a broken distance or GPS track; either activity is rejected, not stored. The speed rule is on
the activity's whole distance over its whole time, so a short GPS jump inside a real run does
not reject it.
"""

from __future__ import annotations

import math
from datetime import date

EARLIEST_DATE = date(1990, 1, 1)

#: The fastest average speed (km/h) believable over more than ``SPEED_CHECK_MIN_KM``. Running:
#: 2:00 min/km (30 km/h) is faster than any world record from 1 km up (about 2:11 min/km).
#: Walking: 20 km/h is above race-walking records (about 15.6 km/h over 20 km). Cycling: 100
#: km/h average is beyond any unpaced ride. Swimming: 10 km/h is above the 50 m record pace.
MAX_KMH = {
    "running": 30.0,
    "trail_running": 30.0,
    "treadmill_running": 30.0,
    "walking": 20.0,
    "hiking": 20.0,
    "cycling": 100.0,
    "swimming": 10.0,
}
MAX_KMH_OTHER = 100.0
SPEED_CHECK_MIN_KM = 1.0


def date_problem(day: date, *, today: date) -> str | None:
    """Why ``day`` cannot be an activity's date (in the future, or before 1990), else None."""
    if day > today:
        return "The date is in the future. Choose today or an earlier day."
    if day < EARLIEST_DATE:
        return f"The date is before {EARLIEST_DATE:%-d %B %Y}. Check the year."
    return None


def _pace(kmh: float) -> str:
    seconds = round(3600 / kmh)
    return f"{seconds // 60}:{seconds % 60:02d} min/km"


def _too_fast(*, sport: str, distance_m: float | None, duration_s: float) -> float | None:
    """The average speed in km/h when it is over ``sport``'s limit (``inf`` for more than the
    minimum distance in no time at all), else None."""
    if distance_m is None or distance_m <= SPEED_CHECK_MIN_KM * 1000:
        return None
    if duration_s <= 0:
        return math.inf
    kmh = distance_m / 1000 / (duration_s / 3600)
    return kmh if kmh > MAX_KMH.get(sport, MAX_KMH_OTHER) else None


def _limit_words(sport: str) -> str:
    limit = MAX_KMH.get(sport, MAX_KMH_OTHER)
    what = "running" if limit == MAX_KMH["running"] else "this activity"
    return f"faster than is possible for {what} (the limit is {limit:g} km/h, {_pace(limit)})"


def duration_words(seconds: float) -> str:
    """``1 h 5 min``, ``30 min 30 s``, ``45 s``: a duration as a runner reads it."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours} h"] if hours else []
    if minutes or (hours and secs):
        parts.append(f"{minutes} min")
    if secs or not parts:
        parts.append(f"{secs} s")
    return " ".join(parts)


def speed_problem(*, sport: str, distance_m: float | None, duration_s: float) -> str | None:
    """Why this distance in this time is impossible for ``sport``, else None (also when the
    distance is unknown or 1 km or less, where a rounded time says little, or the duration is
    not given)."""
    if duration_s <= 0:
        return None  # the form asks for the duration itself
    kmh = _too_fast(sport=sport, distance_m=distance_m, duration_s=duration_s)
    if kmh is None or distance_m is None:
        return None
    return (
        f"{distance_m / 1000:g} km in {duration_words(duration_s)} is {kmh:.0f} km/h, "
        f"{_limit_words(sport)}. Check the distance and the duration."
    )


def imported_speed_problem(
    *, sport: str, distance_m: float | None, duration_s: float
) -> str | None:
    """Why an imported activity's whole distance cannot have been covered in its whole elapsed
    time, else None: the same limits as ``speed_problem``. Elapsed time, not moving time: it is
    never shorter, so a real run is never refused because pauses or sparse points left little
    "moving" time."""
    kmh = _too_fast(sport=sport, distance_m=distance_m, duration_s=duration_s)
    if kmh is None or distance_m is None:
        return None
    km = f"{distance_m / 1000:.1f} km"
    if math.isinf(kmh):
        said = f"{km} with no time between its first and last point is impossible"
    else:
        said = f"{km} in {duration_words(duration_s)} is {kmh:,.0f} km/h, {_limit_words(sport)}"
    return f"{said}: the file's distance or GPS track is probably wrong. Not stored."
