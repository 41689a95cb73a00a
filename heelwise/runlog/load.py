"""Training-load arithmetic: pure functions, no Django, no I/O.

Weeks are ISO weeks (Monday to Sunday) of the activity's local date, which the importer computes
from the file's own UTC offset or else Europe/London. Distances are metres, times seconds.

* Week-on-week change: ``(this week - last week) / last week``, for whole weeks. The week in
  progress is never compared with a whole one: the dashboard's headline compares the last 7
  days with the 7 days before them (``rolling_week``). No change is given when the earlier
  period had no running (there is nothing to compare with).
* The two-week rise flag (Nielsen et al. 2014, JOSPT 44(10):739-747, Danish novice runners:
  a rise of more than 30% over two weeks was associated with more "distance-related" injuries
  than a rise under 10%). The comparison used here, stated exactly: week W is flagged when its
  distance is more than 1.30 times the distance of week W-2 (the week two weeks earlier), and
  week W-2 had some running. It is an association in novices, not a prediction for one person.
* Acute:chronic workload ratio: the mean daily distance of the last 7 days divided by the mean
  daily distance of the last 28 days (coupled, rolling averages, Gabbett 2016). Shown only as
  information: the ratio is contested (Impellizzeri 2020; Lolli 2019) and never drives a decision.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

NIELSEN_RISE = 0.30
ACUTE_DAYS = 7
CHRONIC_DAYS = 28


@dataclass(frozen=True, slots=True)
class Session:
    """One activity as the load maths sees it."""

    day: date
    distance_m: float
    duration_s: float


@dataclass(frozen=True, slots=True)
class Week:
    start: date  # the Monday
    distance_m: float
    duration_s: float
    sessions: int
    change: float | None  # week-on-week fraction, None when last week had no distance
    two_week_change: float | None  # against week W-2, None when W-2 had no distance
    nielsen_flag: bool

    @property
    def iso_label(self) -> str:
        year, week, _ = self.start.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def distance_km(self) -> float:
        return self.distance_m / 1000


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _change(now: float, before: float) -> float | None:
    return None if before <= 0 else (now - before) / before


def weekly_load(sessions: Iterable[Session], *, first: date, last: date) -> list[Week]:
    """Every ISO week from the week holding ``first`` to the week holding ``last``, empty weeks
    included (a rest week is data). Sessions outside that range still count as history for the
    comparisons of the first two weeks if they fall in the two weeks before ``first``."""
    begin = week_start(first) - timedelta(weeks=2)
    end = week_start(last)
    dist: dict[date, float] = {}
    dur: dict[date, float] = {}
    count: dict[date, int] = {}
    for s in sessions:
        monday = week_start(s.day)
        if monday < begin or monday > end:
            continue
        dist[monday] = dist.get(monday, 0.0) + s.distance_m
        dur[monday] = dur.get(monday, 0.0) + s.duration_s
        count[monday] = count.get(monday, 0) + 1
    weeks: list[Week] = []
    monday = week_start(first)
    while monday <= end:
        d = dist.get(monday, 0.0)
        prev = dist.get(monday - timedelta(weeks=1), 0.0)
        prev2 = dist.get(monday - timedelta(weeks=2), 0.0)
        two = _change(d, prev2)
        weeks.append(
            Week(
                start=monday,
                distance_m=d,
                duration_s=dur.get(monday, 0.0),
                sessions=count.get(monday, 0),
                change=_change(d, prev),
                two_week_change=two,
                nielsen_flag=two is not None and two > NIELSEN_RISE,
            )
        )
        monday += timedelta(weeks=1)
    return weeks


@dataclass(frozen=True, slots=True)
class Rolling:
    """The last 7 days (today included) against the 7 days before them."""

    distance_m: float
    sessions: int
    before_m: float

    @property
    def distance_km(self) -> float:
        return self.distance_m / 1000

    @property
    def before_km(self) -> float:
        return self.before_m / 1000

    @property
    def change(self) -> float | None:
        """The fraction of change, None when the 7 days before had no running."""
        return _change(self.distance_m, self.before_m)


def rolling_week(sessions: Iterable[Session], *, today: date) -> Rolling:
    now = before = 0.0
    count = 0
    for s in sessions:
        age = (today - s.day).days
        if 0 <= age < 7:
            now += s.distance_m
            count += 1
        elif 7 <= age < 14:
            before += s.distance_m
    return Rolling(distance_m=now, sessions=count, before_m=before)


@dataclass(frozen=True, slots=True)
class Acwr:
    acute_m_per_day: float
    chronic_m_per_day: float
    ratio: float | None


def acwr(sessions: Iterable[Session], *, today: date) -> Acwr | None:
    """7-day over 28-day mean daily distance, both windows ending on ``today``. None when there
    is no running in the 28 days, or none in its first week (a chronic window that is really
    a few days long says nothing)."""
    acute = chronic = 0.0
    oldest = -1
    for s in sessions:
        age = (today - s.day).days
        if 0 <= age < CHRONIC_DAYS:
            chronic += s.distance_m
            oldest = max(oldest, age)
            if age < ACUTE_DAYS:
                acute += s.distance_m
    if chronic <= 0 or oldest < CHRONIC_DAYS - ACUTE_DAYS:
        return None
    a, c = acute / ACUTE_DAYS, chronic / CHRONIC_DAYS
    return Acwr(acute_m_per_day=a, chronic_m_per_day=c, ratio=a / c)
