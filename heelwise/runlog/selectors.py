"""Reads for recovery tracking. Every selector filters by the runner: another user's rows are
never found (views turn that into 404). Each owns its joins so pages make a bounded number of
queries, whatever the size of the history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Avg, Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.shortcuts import get_object_or_404

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


def shoe_stats(*, user: Any) -> list[ShoeStats]:
    """Each shoe with its distance (from runs plus its starting distance) and the average pain
    during running on the days it was worn (from that day's check-in). Two queries."""
    shoes = list(
        Shoe.objects.filter(user=user).annotate(
            run_m=Sum("runs__distance_m", filter=Q(runs__kind=Run.Kind.RUN)),
            run_count=Count("runs", filter=Q(runs__kind=Run.Kind.RUN)),
        )
    )
    day_pain = CheckIn.objects.filter(user=user, date=OuterRef("local_date")).values(
        "run_pain_during"
    )[:1]
    pain = dict(
        Run.objects.filter(user=user, shoe__isnull=False, kind=Run.Kind.RUN)
        .annotate(pain=Subquery(day_pain))
        .values("shoe_id")
        .annotate(avg=Avg("pain"))
        .values_list("shoe_id", "avg")
    )
    return [
        ShoeStats(
            shoe=s,
            km=s.start_km + (s.run_m or 0) / 1000,  # type: ignore[attr-defined]
            runs=s.run_count,  # type: ignore[attr-defined]
            avg_pain_during=pain.get(s.pk),
        )
        for s in shoes
    ]


@dataclass(frozen=True, slots=True)
class PainWeek:
    start: date
    morning: float | None
    during: float | None


@dataclass
class Dashboard:
    today: date
    weeks: list[load.Week]
    pain: list[PainWeek]
    acwr: load.Acwr | None
    alerts: list[alerts.Alert]
    programme: Programme | None
    progress: progression.Result | None
    blocked_reasons: list[str]
    latest_checkin: CheckIn | None
    cross_training_s: dict[date, float] = field(default_factory=dict)

    @property
    def nielsen_weeks(self) -> list[load.Week]:
        return [w for w in self.weeks if w.nielsen_flag]

    @property
    def this_week(self) -> load.Week | None:
        return self.weeks[-1] if self.weeks else None


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


def _days(checkins: list[CheckIn]) -> list[progression.Day]:
    return [
        progression.Day(
            day=c.date,
            morning_pain=c.first_step_pain,
            pain_during=c.run_pain_during,
            pain_after=c.run_pain_after,
            settled_by_morning=c.settled_by_morning,
            red_flags=tuple(c.red_flags),
        )
        for c in checkins
    ]


def dashboard_get(*, user: Any, today: date, weeks: int = 26) -> Dashboard:
    """Everything the dashboard shows, in four or five queries for any length of history."""
    first = load.week_start(today) - timedelta(weeks=weeks - 1)
    since = min(first - timedelta(weeks=2), today - timedelta(days=ALERT_HISTORY_DAYS))
    runs = list(
        Run.objects.filter(user=user, local_date__gte=since, local_date__lte=today).values_list(
            "local_date", "distance_m", "duration_s", "kind"
        )
    )
    sessions = [
        load.Session(d, dist or 0.0, dur) for d, dist, dur, kind in runs if kind == Run.Kind.RUN
    ]
    cross: dict[date, float] = {}
    for d, _dist, dur, kind in runs:
        if kind == Run.Kind.CROSS_TRAINING:
            monday = load.week_start(d)
            cross[monday] = cross.get(monday, 0.0) + dur
    checkins = list(CheckIn.objects.filter(user=user, date__gte=since, date__lte=today))
    programme = Programme.objects.filter(user=user, active=True).first()
    blockers = programme_blockers(user)
    progress = None
    if programme is not None:
        if programme.started_on >= since:
            in_programme = [c for c in checkins if c.date >= programme.started_on]
        else:
            in_programme = list(
                CheckIn.objects.filter(user=user, date__gte=programme.started_on, date__lte=today)
            )
        progress = progression.evaluate(
            _days(in_programme),
            today=today,
            rules=progression.load_rules(),
            start_stage=programme.start_stage,
            blockers=blockers,
        )
    else:
        progress = None
    open_flags = progression.evaluate(
        _days([c for c in checkins if (today - c.date).days < 14 and c.red_flags]),
        today=today,
        rules=progression.load_rules(),
        blockers=blockers,
    ).blocked_reasons
    pain_rows = [(c.date, c.first_step_pain, c.run_pain_during) for c in checkins]
    return Dashboard(
        today=today,
        weeks=load.weekly_load(sessions, first=first, last=today),
        pain=_pain_weeks([r for r in pain_rows if r[0] >= first], first, today),
        acwr=load.acwr(sessions, today=today),
        alerts=alerts.pain_alerts([(d, m) for d, m, _ in pain_rows], today=today),
        programme=programme,
        progress=progress,
        blocked_reasons=list(open_flags),
        latest_checkin=max(checkins, key=lambda c: c.date) if checkins else None,
        cross_training_s=cross,
    )
