"""Pain-trend alerts that suggest booking a clinician: pure functions over daily morning
(first-step) pain scores, 0-10.

* "Worse over two weeks": the mean of the last 7 days is at least 1 point higher than the mean of
  the 7 days two weeks earlier (days 14-20 before today). One point on a 0-10 scale is about the
  smallest change people notice; two weeks smooths single bad days.
* "No better after six weeks": check-ins span at least six weeks, and the mean of the last 7 days
  is not at least 1 point lower than the mean of the first week of that six-week window (days
  42-48 before today). Guidance (Welck, in the clinical reference) is to review typical plantar
  heel pain that is not improving by about six weeks.
Each window needs at least 3 scores; otherwise no alert is raised from it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from statistics import fmean

MIN_SCORES = 3
NOTICEABLE_CHANGE = 1.0


@dataclass(frozen=True, slots=True)
class Alert:
    code: str
    message: str


def _window(scores: dict[date, int], today: date, older: int, newer: int) -> float | None:
    values = [v for d, v in scores.items() if newer <= (today - d).days <= older]
    return fmean(values) if len(values) >= MIN_SCORES else None


def pain_alerts(morning_pain: Iterable[tuple[date, int]], *, today: date) -> list[Alert]:
    scores = dict(morning_pain)
    alerts: list[Alert] = []
    now = _window(scores, today, 6, 0)
    if now is None:
        return alerts
    two_weeks_ago = _window(scores, today, 20, 14)
    if two_weeks_ago is not None and now - two_weeks_ago >= NOTICEABLE_CHANGE:
        alerts.append(
            Alert(
                "worse_two_weeks",
                f"Your morning pain has gone up over the last two weeks "
                f"(average {two_weeks_ago:.1f} then, {now:.1f} now). Please book a clinician "
                f"to look at it.",
            )
        )
    first = min(scores) if scores else today
    if (today - first).days >= 42:
        six_weeks_ago = _window(scores, today, 48, 42)
        if six_weeks_ago is not None and six_weeks_ago - now < NOTICEABLE_CHANGE:
            alerts.append(
                Alert(
                    "no_better_six_weeks",
                    f"Your morning pain is no better than six weeks ago (average "
                    f"{six_weeks_ago:.1f} then, {now:.1f} now). Heel pain that is not improving "
                    f"after six weeks is worth a clinician's review.",
                )
            )
    return alerts
