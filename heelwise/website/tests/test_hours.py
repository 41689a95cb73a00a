from __future__ import annotations

from datetime import date, time

from heelwise.clinics.models import OpeningHours
from heelwise.website.hours import bank_holidays_upcoming, hours_summary, week_hours


def rows(*periods: tuple[int, time, time, str]) -> list[OpeningHours]:
    return [OpeningHours(weekday=d, opens=o, closes=c, kind=k) for d, o, c, k in periods]


LONDON = rows(
    *[(d, time(9), time(18), "regular") for d in range(6)],
    (1, time(18), time(20, 30), "evening"),
    (3, time(18), time(20, 30), "evening"),
    (6, time(10), time(14), "weekend"),
)


class WeekHoursTests:
    def test_it_gives_seven_days_in_order_with_periods_sorted(self) -> None:
        week = week_hours(reversed(LONDON))
        assert [d.name for d in week][:2] == ["Monday", "Tuesday"]
        assert len(week) == 7
        tuesday = week[1]
        assert [(p.opens, p.kind_label) for p in tuesday.periods] == [
            (time(9), "Regular hours"),
            (time(18), "Evening session"),
        ]
        assert week[6].periods[0].kind == "weekend"

    def test_it_marks_days_without_hours_closed(self) -> None:
        week = week_hours(rows((0, time(9), time(17), "regular")))
        assert not week[0].is_closed
        assert all(day.is_closed for day in week[1:])


class HoursSummaryTests:
    def test_it_summarises_regular_evening_and_weekend_hours(self) -> None:
        assert hours_summary(LONDON) == [
            "Monday to Saturday, 09:00 to 18:00",
            "Evening sessions: Tuesday and Thursday, 18:00 to 20:30",
            "Weekend session: Sunday, 10:00 to 14:00",
        ]

    def test_it_lists_non_consecutive_days(self) -> None:
        summary = hours_summary(rows(*[(d, time(9), time(13), "regular") for d in (0, 2, 4)]))
        assert summary == ["Monday, Wednesday and Friday, 09:00 to 13:00"]


class BankHolidayTests:
    def test_it_lists_the_next_bank_holidays_in_england(self) -> None:
        upcoming = bank_holidays_upcoming(today=date(2026, 12, 1), count=3)
        assert [h.day for h in upcoming] == [
            date(2026, 12, 25),
            date(2026, 12, 26),
            date(2026, 12, 28),
        ]
        assert upcoming[0].name == "Christmas Day"

    def test_it_crosses_into_next_year(self) -> None:
        upcoming = bank_holidays_upcoming(today=date(2026, 12, 29), count=2)
        assert [h.day for h in upcoming] == [date(2027, 1, 1), date(2027, 3, 26)]
