"""Opening hours as people read them: one row per weekday, and a short summary for cards.

Pure functions over already-fetched ``OpeningHours`` rows (the selectors prefetch them), so
rendering a list of sites costs no extra queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, time

import holidays

from heelwise.clinics.models import OpeningHours, Weekday

_KIND_ORDER: dict[str, int] = {
    OpeningHours.Kind.REGULAR.value: 0,
    OpeningHours.Kind.EVENING.value: 1,
    OpeningHours.Kind.WEEKEND.value: 2,
}


@dataclass(frozen=True)
class Period:
    opens: time
    closes: time
    kind: str
    kind_label: str


@dataclass(frozen=True)
class DayHours:
    weekday: int
    name: str
    periods: list[Period] = field(default_factory=list)

    @property
    def is_closed(self) -> bool:
        return not self.periods


def week_hours(rows: Iterable[OpeningHours]) -> list[DayHours]:
    """Monday to Sunday, each with its periods in time order (an empty list means closed)."""
    by_day: dict[int, list[Period]] = defaultdict(list)
    for row in rows:
        by_day[row.weekday].append(
            Period(row.opens, row.closes, row.kind, OpeningHours.Kind(row.kind).label)
        )
    return [
        DayHours(day.value, day.label, sorted(by_day[day.value], key=lambda p: p.opens))
        for day in Weekday
    ]


def _join_days(days: Sequence[int]) -> str:
    names = [Weekday(d).label for d in sorted(days)]
    ordered = sorted(days)
    consecutive = all(b == a + 1 for a, b in zip(ordered, ordered[1:], strict=False))
    if len(names) >= 3 and consecutive:
        return f"{names[0]} to {names[-1]}"
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def hours_summary(rows: Iterable[OpeningHours]) -> list[str]:
    """Short lines for a card, e.g. "Monday to Saturday, 09:00 to 18:00"."""
    groups: dict[tuple[str, time, time], list[int]] = defaultdict(list)
    for row in rows:
        groups[(row.kind, row.opens, row.closes)].append(row.weekday)
    lines: list[str] = []
    for (kind, opens, closes), days in sorted(
        groups.items(), key=lambda item: (_KIND_ORDER.get(item[0][0], 9), min(item[1]))
    ):
        span = f"{_join_days(days)}, {opens:%H:%M} to {closes:%H:%M}"
        if kind == OpeningHours.Kind.REGULAR:
            lines.append(span)
        else:
            label = OpeningHours.Kind(kind).label
            lines.append(f"{label}{'s' if len(days) > 1 else ''}: {span}")
    return lines


@dataclass(frozen=True)
class BankHoliday:
    day: date
    name: str


def bank_holidays_upcoming(*, today: date, count: int = 3) -> list[BankHoliday]:
    """The next bank holidays in England (all three clinics are in England)."""
    calendar = holidays.country_holidays("GB", subdiv="ENG", years=[today.year, today.year + 1])
    upcoming = sorted((d, n) for d, n in calendar.items() if d >= today)
    return [BankHoliday(d, n) for d, n in upcoming[:count]]
