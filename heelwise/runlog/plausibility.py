"""Whether an activity's date and speed can be true: pure functions, no Django, no I/O.

Used by the manual-entry form (field errors) and ``run_create`` (the same rule for any caller),
and for imported files (the date only: a file dated in the future or before 1990 was written
by a device whose clock was wrong or never set, so the activity is rejected, not stored).
"""

from __future__ import annotations

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


def speed_problem(*, sport: str, distance_m: float | None, duration_s: float) -> str | None:
    """Why this distance in this time is impossible for ``sport``, else None (also when the
    distance is unknown or 1 km or less, where a rounded time says little)."""
    if distance_m is None or distance_m <= SPEED_CHECK_MIN_KM * 1000 or duration_s <= 0:
        return None
    limit = MAX_KMH.get(sport, MAX_KMH_OTHER)
    kmh = distance_m / 1000 / (duration_s / 3600)
    if kmh <= limit:
        return None
    what = "running" if limit == MAX_KMH["running"] else "this activity"
    return (
        f"{distance_m / 1000:g} km in {duration_s / 60:g} minutes is {kmh:.0f} km/h, faster than "
        f"is possible for {what} (the limit is {limit:g} km/h, {_pace(limit)}). "
        "Check the distance and the duration."
    )
