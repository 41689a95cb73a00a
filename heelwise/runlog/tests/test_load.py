from __future__ import annotations

from datetime import date, timedelta

from heelwise.runlog.alerts import pain_alerts
from heelwise.runlog.load import Session, acwr, week_start, weekly_load

MON = date(2025, 3, 3)  # a Monday


def _week(start: date, km: float) -> list[Session]:
    return [Session(start + timedelta(days=1), km * 1000, km * 360)] if km else []


class WeeklyLoadTests:
    def test_it_sums_iso_weeks_and_fills_rest_weeks(self) -> None:
        sessions = [
            Session(MON, 5000, 1800),
            Session(MON + timedelta(days=6), 3000, 1000),  # Sunday: same ISO week
            Session(MON + timedelta(days=14), 4000, 1500),
        ]
        weeks = weekly_load(sessions, first=MON, last=MON + timedelta(days=15))
        assert [w.start for w in weeks] == [MON, MON + timedelta(7), MON + timedelta(14)]
        assert [w.distance_m for w in weeks] == [8000, 0, 4000]
        assert weeks[0].sessions == 2 and weeks[0].duration_s == 2800
        assert weeks[0].iso_label == "2025-W10"

    def test_it_reports_week_on_week_change(self) -> None:
        sessions = _week(MON, 10) + _week(MON + timedelta(7), 12)
        weeks = weekly_load(sessions, first=MON, last=MON + timedelta(7))
        assert weeks[0].change is None  # nothing the week before
        assert weeks[1].change is not None and abs(weeks[1].change - 0.2) < 1e-9

    def test_it_flags_a_rise_above_30_percent_over_two_weeks(self) -> None:
        # 10 km -> 12 km -> 13.5 km: +35% against two weeks earlier, only +12.5% week on week.
        sessions = _week(MON, 10) + _week(MON + timedelta(7), 12) + _week(MON + timedelta(14), 13.5)
        weeks = weekly_load(sessions, first=MON, last=MON + timedelta(14))
        assert [w.nielsen_flag for w in weeks] == [False, False, True]
        assert weeks[2].two_week_change is not None and round(weeks[2].two_week_change, 2) == 0.35

    def test_it_does_not_flag_exactly_30_percent_or_a_start_from_nothing(self) -> None:
        sessions = _week(MON, 10) + _week(MON + timedelta(14), 13) + _week(MON + timedelta(35), 20)
        weeks = weekly_load(sessions, first=MON, last=MON + timedelta(35))
        assert not any(w.nielsen_flag for w in weeks)

    def test_it_uses_history_before_the_first_shown_week(self) -> None:
        sessions = _week(MON, 10) + _week(MON + timedelta(14), 20)
        weeks = weekly_load(sessions, first=MON + timedelta(14), last=MON + timedelta(14))
        assert len(weeks) == 1 and weeks[0].nielsen_flag

    def test_it_starts_weeks_on_monday(self) -> None:
        assert week_start(date(2025, 3, 9)) == MON  # Sunday
        assert week_start(MON) == MON


class AcwrTests:
    def test_it_divides_7_day_by_28_day_mean(self) -> None:
        today = MON + timedelta(days=27)
        sessions = [Session(MON + timedelta(days=i), 1000, 300) for i in range(28)]
        sessions += [Session(today, 7000, 2000)]  # a big day today
        result = acwr(sessions, today=today)
        assert result is not None
        assert result.acute_m_per_day == (6 * 1000 + 8000) / 7
        assert result.chronic_m_per_day == (27 * 1000 + 8000) / 28
        assert result.ratio is not None and round(result.ratio, 3) == 1.6

    def test_it_is_none_without_running(self) -> None:
        assert acwr([], today=MON) is None

    def test_it_is_none_without_four_weeks_of_history(self) -> None:
        sessions = [Session(MON + timedelta(days=i), 1000, 300) for i in range(10)]
        assert acwr(sessions, today=MON + timedelta(days=10)) is None


class PainAlertTests:
    def _scores(self, today: date, by_age: dict[range, int]) -> list[tuple[date, int]]:
        return [(today - timedelta(days=a), v) for r, v in by_age.items() for a in r]

    def test_it_alerts_when_pain_is_worse_over_two_weeks(self) -> None:
        today = date(2025, 5, 1)
        scores = self._scores(today, {range(0, 7): 5, range(7, 14): 4, range(14, 21): 3})
        codes = [a.code for a in pain_alerts(scores, today=today)]
        assert codes == ["worse_two_weeks"]

    def test_it_alerts_when_pain_is_no_better_after_six_weeks(self) -> None:
        today = date(2025, 5, 1)
        scores = self._scores(today, {range(0, 49): 4})
        assert [a.code for a in pain_alerts(scores, today=today)] == ["no_better_six_weeks"]

    def test_it_stays_quiet_when_pain_improves(self) -> None:
        today = date(2025, 5, 1)
        scores = self._scores(today, {range(0, 7): 2, range(7, 42): 3, range(42, 49): 5})
        assert pain_alerts(scores, today=today) == []

    def test_it_needs_enough_scores(self) -> None:
        today = date(2025, 5, 1)
        scores = [(today, 6), (today - timedelta(days=15), 1)]
        assert pain_alerts(scores, today=today) == []


class RollingWeekTests:
    def test_it_compares_the_last_7_days_with_the_7_before(self) -> None:
        from heelwise.runlog.load import rolling_week

        today = MON + timedelta(days=1)  # a Tuesday: the ISO week has barely begun
        sessions = [Session(today - timedelta(days=d), 5000, 1800) for d in (2, 4, 9, 11)]
        r = rolling_week(sessions, today=today)
        assert (r.distance_km, r.before_km, r.sessions) == (10, 10, 2)
        assert r.change == 0  # not -100% for an empty Monday-Tuesday

    def test_it_has_no_change_without_earlier_running(self) -> None:
        from heelwise.runlog.load import rolling_week

        r = rolling_week([Session(MON, 100_000, 36_000)], today=MON)
        assert r.distance_km == 100 and r.change is None


class PlausibilityTests:
    def test_it_accepts_real_runs_and_rides(self) -> None:
        from heelwise.runlog.plausibility import speed_problem

        assert speed_problem(sport="running", distance_m=42_195, duration_s=2 * 3600) is None
        assert speed_problem(sport="cycling", distance_m=180_000, duration_s=4 * 3600) is None
        assert speed_problem(sport="running", distance_m=1000, duration_s=60) is None  # <= 1 km
        assert speed_problem(sport="running", distance_m=None, duration_s=60) is None

    def test_it_refuses_impossible_speeds(self) -> None:
        from heelwise.runlog.plausibility import speed_problem

        problem = speed_problem(sport="running", distance_m=100_000, duration_s=60)
        assert problem is not None and "2:00 min/km" in problem
        assert speed_problem(sport="cycling", distance_m=110_000, duration_s=3600)

    def test_an_imported_activity_is_judged_on_its_whole_distance_and_elapsed_time(self) -> None:
        from heelwise.runlog.plausibility import imported_speed_problem

        assert imported_speed_problem(sport="running", distance_m=42_195, duration_s=7300) is None
        assert imported_speed_problem(sport="cycling", distance_m=None, duration_s=0) is None
        assert imported_speed_problem(sport="running", distance_m=900, duration_s=0) is None
        problem = imported_speed_problem(sport="running", distance_m=1_181_800, duration_s=60)
        assert problem is not None and "70,908 km/h" in problem and "Not stored" in problem
        assert imported_speed_problem(sport="walking", distance_m=21_000, duration_s=3600)
        assert "no time" in (
            imported_speed_problem(sport="running", distance_m=5000, duration_s=0) or ""
        )

    def test_durations_read_as_typed(self) -> None:
        from heelwise.runlog.plausibility import duration_words

        assert duration_words(1830) == "30 min 30 s"
        assert duration_words(1800) == "30 min"
        assert duration_words(3903) == "1 h 5 min 3 s"
        assert duration_words(7200) == "2 h"
        assert duration_words(45.4) == "45 s"
        assert duration_words(0) == "0 s"

    def test_it_refuses_dates_in_the_future_or_before_1990(self) -> None:
        from heelwise.runlog.plausibility import date_problem

        assert date_problem(MON, today=MON) is None
        assert date_problem(MON + timedelta(days=1), today=MON)
        assert date_problem(date(1989, 12, 31), today=MON)
        assert date_problem(date(1990, 1, 1), today=MON) is None
