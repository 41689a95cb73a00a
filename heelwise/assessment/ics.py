"""The exercise schedule as an iCalendar feed a phone calendar can subscribe to.

One all-day VEVENT per exercise per scheduled day (every day, or every second day for the heavy
heel raises). The UID is derived from the assessment id, the care-plan item and the date, so a
calendar that re-fetches the feed updates events in place instead of duplicating them.

Each event carries the exercise's full instructions and dose, so the calendar stands on its own
on a phone that has no access to the result page. A link to the result is added only when it
can work for the person: the result is saved to their account (they open it after logging in).
An unsaved result, and this feed with it, is deleted after the anonymous retention period.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from heelwise.assessment.models import Assessment
from heelwise.assessment.presentation import (
    EXERCISES,
    PlanItem,
    plan_items,
    without_reported_signs,
)
from heelwise.assessment.selectors import assessment_answers


def schedule(assessment: Assessment) -> list[tuple[date, PlanItem]]:
    """(day, care-plan item) for every scheduled exercise day, in date order."""
    start = timezone.localdate(assessment.created)
    days = []
    for item in plan_items(assessment.result):
        if item.key not in EXERCISES:
            continue
        every = EXERCISES[item.key][0]
        first = start + timedelta(weeks=item.first_week - 1)
        last = start + timedelta(weeks=item.last_week) - timedelta(days=1)
        day = first
        while day <= last:
            days.append((day, item))
            day += timedelta(days=every)
    return sorted(days, key=lambda d: (d[0], d[1].key))


def result_link(assessment: Assessment) -> str | None:
    """The absolute address of the result, only when it will open for the person: a result
    saved to their account (any device, after logging in). None for an unsaved result, which
    only the browser that took it can open, and only until it is deleted."""
    if assessment.user_id is None:
        return None
    return settings.SITE_URL + reverse("assessment:result", args=[assessment.public_id])


def event_description(
    item: PlanItem, *, link: str | None, answers: Mapping[str, Any] | None = None
) -> str:
    parts = [item.instructions, f"How much: {item.dose}"]
    parts.append(
        without_reported_signs(
            "Stop and get advice if the pain gets clearly worse, or if any warning sign appears: "
            "fever, a hot red swollen heel, numbness, night pain or not being able to bear weight.",
            answers,
        )
    )
    if link:
        parts.append(f"Your full result and plan (log in to open it): {link}")
    return "\n\n".join(p for p in parts if p)


def exercise_calendar(assessment: Assessment) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Heelwise//Exercise schedule//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Heel pain exercises")
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    cal.add("refresh-interval", timedelta(days=1), parameters={"VALUE": "DURATION"})
    stamp = assessment.created
    link = result_link(assessment)
    answers = assessment_answers(assessment)
    for day, item in schedule(assessment):
        event = Event()
        event.add("uid", f"{assessment.public_id}-{item.key}-{day:%Y%m%d}@heelwise")
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("summary", f"Heel exercise: {item.title}")
        event.add("description", event_description(item, link=link, answers=answers))
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()
