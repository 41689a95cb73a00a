"""Reads for recovery tracking. Every selector filters by the runner: another user's rows are
never found (views turn that into 404). Each owns its joins so pages make a bounded number of
queries, whatever the size of the history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from heelwise.runlog import alerts, load, progression
from heelwise.runlog.models import CheckIn, ImportJob, Programme, Run, Shoe
from heelwise.runlog.safety import programme_blockers

ALERT_HISTORY_DAYS = 49
CHART_WEEKS = (12, 26, 52, 260)


def run_list(*, user: Any) -> QuerySet[Run]:
    return Run.objects.filter(user=user).select_related("shoe")


def run_get(*, user: Any, pk: int) -> Run:
    return get_object_or_404(run_list(user=user), pk=pk)


def shoe_list(*, user: Any) -> QuerySet[Shoe]:
    return Shoe.objects.filter(user=user)


def shoe_get(*, user: Any, pk: int) -> Shoe:
    return get_object_or_404(shoe_list(user=user), pk=pk)


def checkin_list(*, user: Any) -> QuerySet[CheckIn]:
    return CheckIn.objects.filter(user=user)


def checkin_get_for_day(*, user: Any, day: date) -> CheckIn | None:
    return CheckIn.objects.filter(user=user, date=day).first()


RECENT_CHECKINS = 14


def checkin_recent(*, user: Any, limit: int = RECENT_CHECKINS) -> list[CheckIn]:
    """The latest check-ins, newest first (one query)."""
    return list(checkin_list(user=user).order_by("-date")[:limit])


def recovery_patient_get(*, viewer: Any, patient_id: int) -> Any:
    """The patient whose recovery ``viewer`` may read as a carer (one query), else 404: the
    care relationship of ``heelwise.assessment.selectors.patients_in_care`` (the practitioner
    of a not-cancelled booking with the patient, or a clinic administrator)."""
    from heelwise.assessment.selectors import patients_in_care

    return get_object_or_404(patients_in_care(viewer=viewer), pk=patient_id)


def _latest(model: type[CheckIn] | type[Run], field: str) -> Subquery:
    rows = model.objects.filter(user=OuterRef("pk")).order_by().values("user")
    return Subquery(rows.annotate(latest=Max(field)).values("latest"))


def recovery_patient_list(*, viewer: Any) -> QuerySet[Any]:
    """The patients ``viewer`` cares for through a (not cancelled) booking, each with the date
    of their latest check-in and run (None when they have logged none). An administrator sees
    every patient with such a booking. One query."""
    from heelwise.accounts.models import User
    from heelwise.assessment.selectors import care_bookings

    return (
        User.objects.filter(pk__in=care_bookings(viewer=viewer).values("user_id"))
        .annotate(last_checkin=_latest(CheckIn, "date"), last_run=_latest(Run, "local_date"))
        .order_by("full_name", "email")
    )


def import_job_get(*, user: Any, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.filter(user=user), pk=pk)


def import_job_list(*, user: Any) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(user=user).defer("report")


@dataclass(frozen=True, slots=True)
class ShoeStats:
    shoe: Shoe
    km: float
    runs: int
    avg_pain_during: float | None

    @property
    def percent_of_threshold(self) -> int:
        return round(100 * self.km / self.shoe.retire_at_km) if self.shoe.retire_at_km else 0

    @property
    def over_threshold(self) -> bool:
        return self.km >= self.shoe.retire_at_km


def _pain_by_shoe(user_id: int) -> dict[int, float]:
    """Mean check-in pain-during over the runs in each shoe, joined on the run's local date.
    One hash join in SQL (a correlated subquery per run cost ~0.15 ms a row on PostgreSQL)."""
    run, checkin = Run._meta.db_table, CheckIn._meta.db_table
    sql = (
        f"SELECT r.shoe_id, AVG(c.run_pain_during) FROM {run} r "  # noqa: S608 - table names
        f"JOIN {checkin} c ON c.user_id = r.user_id AND c.date = r.local_date "
        "WHERE r.user_id = %s AND r.kind = %s AND r.shoe_id IS NOT NULL "
        "AND c.run_pain_during IS NOT NULL GROUP BY r.shoe_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id, Run.Kind.RUN.value])
        return {shoe_id: float(avg) for shoe_id, avg in cursor.fetchall()}


def shoe_stats(*, user: Any) -> list[ShoeStats]:
    """Each shoe with its distance (from runs plus its starting distance) and the average pain
    during running on the days it was worn (from that day's check-in). Two queries."""
    shoes = list(
        Shoe.objects.filter(user=user).annotate(
            run_m=Sum("runs__distance_m", filter=Q(runs__kind=Run.Kind.RUN)),
            run_count=Count("runs", filter=Q(runs__kind=Run.Kind.RUN)),
        )
    )
    pain = _pain_by_shoe(user.pk)
    return [
        ShoeStats(
            shoe=s,
            km=s.start_km + (s.run_m or 0) / 1000,
            runs=s.run_count,
            avg_pain_during=pain.get(s.pk),
        )
        for s in shoes
    ]


@dataclass(frozen=True, slots=True)
class PainWeek:
    start: date
    morning: float | None
    during: float | None


@dataclass(frozen=True, slots=True)
class SeriesRow:
    """One point of the dashboard chart and one row of its table: a week, or a block of
    four weeks for the five-year view (sums of distance, means of the weekly pain means)."""

    start: date
    weeks: int
    distance_km: float
    sessions: int
    change: float | None  # None: no earlier running to compare with, or ``in_progress``
    nielsen_flag: bool
    rise_baseline: bool  # whether some week of the row had running two weeks before it
    morning: float | None
    during: float | None
    in_progress: bool = False  # the row holds the current week, not yet over


@dataclass
class Dashboard:
    today: date
    weeks: list[load.Week]
    pain: list[PainWeek]
    recent: load.Rolling
    acwr: load.Acwr | None
    alerts: list[alerts.Alert]
    programme: Programme | None
    progress: progression.Result | None
    blocked_reasons: list[str]
    latest_checkin_date: date | None

    @property
    def this_week(self) -> load.Week | None:
        return self.weeks[-1] if self.weeks else None

    def series(self, block: int = 1) -> list[SeriesRow]:
        rows: list[SeriesRow] = []
        pairs = list(zip(self.weeks, self.pain, strict=True))
        for i in range(len(pairs) % block or block, len(pairs) + 1, block):
            chunk = pairs[max(0, i - block) : i]
            if not chunk:
                continue
            morning = [p.morning for _, p in chunk if p.morning is not None]
            during = [p.during for _, p in chunk if p.during is not None]
            dist = sum(w.distance_km for w, _ in chunk)
            prev = rows[-1].distance_km if rows else None
            in_progress = chunk[-1][0].start + timedelta(days=6) >= self.today
            change = (
                chunk[0][0].change if block == 1 else (None if not prev else (dist - prev) / prev)
            )
            rows.append(
                SeriesRow(
                    start=chunk[0][0].start,
                    weeks=len(chunk),
                    distance_km=dist,
                    sessions=sum(w.sessions for w, _ in chunk),
                    change=None if in_progress else change,
                    nielsen_flag=any(w.nielsen_flag for w, _ in chunk),
                    rise_baseline=any(w.two_week_change is not None for w, _ in chunk),
                    morning=round(sum(morning) / len(morning), 1) if morning else None,
                    during=round(sum(during) / len(during), 1) if during else None,
                    in_progress=in_progress,
                )
            )
        return rows


def _pain_weeks(
    rows: list[tuple[date, int, int | None]], first: date, last: date
) -> list[PainWeek]:
    morning: dict[date, list[int]] = {}
    during: dict[date, list[int]] = {}
    for day, m, d in rows:
        monday = load.week_start(day)
        morning.setdefault(monday, []).append(m)
        if d is not None:
            during.setdefault(monday, []).append(d)
    out = []
    monday = load.week_start(first)
    while monday <= last:
        ms, ds = morning.get(monday), during.get(monday)
        out.append(
            PainWeek(
                monday,
                round(sum(ms) / len(ms), 1) if ms else None,
                round(sum(ds) / len(ds), 1) if ds else None,
            )
        )
        monday += timedelta(weeks=1)
    return out


_DAY_FIELDS = (
    "date",
    "first_step_pain",
    "run_pain_during",
    "run_pain_after",
    "settled_by_morning",
    *CheckIn.RED_FLAG_FIELDS,
)
_FLAG_KEYS = tuple(f.removeprefix("flag_") for f in CheckIn.RED_FLAG_FIELDS)


def _days(rows: list[tuple[Any, ...]]) -> list[progression.Day]:
    return [
        progression.Day(
            day=r[0],
            morning_pain=r[1],
            pain_during=r[2],
            pain_after=r[3],
            settled_by_morning=r[4],
            red_flags=tuple(k for k, on in zip(_FLAG_KEYS, r[5:], strict=True) if on),
        )
        for r in rows
    ]


def _checkin_days(user: Any, since: date, today: date) -> list[progression.Day]:
    return _days(
        list(
            CheckIn.objects.filter(user=user, date__gte=since, date__lte=today)
            .order_by("date")
            .values_list(*_DAY_FIELDS)
        )
    )


def _first_week_shown(
    user: Any, first: date, sessions: list[load.Session], days: list[progression.Day]
) -> date:
    """``first``, or a later Monday: weeks before the account existed are not shown as rest
    weeks, unless the runner logged (or imported) something from then."""
    joined = getattr(user, "date_joined", None)
    if joined is None:
        return first
    earliest = min(
        [timezone.localtime(joined).date(), *(s.day for s in sessions), *(d.day for d in days)]
    )
    return max(first, load.week_start(earliest))


def dashboard_get(*, user: Any, today: date, weeks: int = 26) -> Dashboard:
    """Everything the dashboard shows, in three to four queries for any length of history."""
    first = load.week_start(today) - timedelta(weeks=weeks - 1)
    since = min(first - timedelta(weeks=2), today - timedelta(days=ALERT_HISTORY_DAYS))
    sessions = [
        load.Session(d, dist or 0.0, dur)
        for d, dist, dur in Run.objects.filter(
            user=user, kind=Run.Kind.RUN, local_date__gte=since, local_date__lte=today
        ).values_list("local_date", "distance_m", "duration_s")
    ]
    days = _checkin_days(user, since, today)
    first = _first_week_shown(user, first, sessions, days)
    programme = Programme.objects.filter(user=user, active=True).first()
    blockers = programme_blockers(user)
    rules = progression.load_rules()
    progress = None
    if programme is not None:
        if programme.started_on >= since:
            in_programme = [d for d in days if d.day >= programme.started_on]
        else:
            in_programme = _checkin_days(user, programme.started_on, today)
        progress = progression.evaluate(
            in_programme,
            today=today,
            rules=rules,
            start_stage=programme.start_stage,
            blockers=blockers,
        )
    recent_flags = [d for d in days if d.red_flags and (today - d.day).days < 14]
    open_flags = progression.evaluate(
        recent_flags, today=today, rules=rules, blockers=blockers
    ).blocked_reasons
    return Dashboard(
        today=today,
        weeks=load.weekly_load(sessions, first=first, last=today),
        pain=_pain_weeks(
            [(d.day, d.morning_pain, d.pain_during) for d in days if d.day >= first],
            first,
            today,
        ),
        recent=load.rolling_week(sessions, today=today),
        acwr=load.acwr(sessions, today=today),
        alerts=alerts.pain_alerts([(d.day, d.morning_pain) for d in days], today=today),
        programme=programme,
        progress=progress,
        blocked_reasons=list(open_flags),
        latest_checkin_date=days[-1].day if days else None,
    )
