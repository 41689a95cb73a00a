"""The exercise schedule as an iCalendar feed a phone calendar can subscribe to.

One all-day VEVENT per exercise per scheduled day (every day, or every second day for the heavy
heel raises). The UID is derived from the assessment id, the care-plan item and the date, so a
calendar that re-fetches the feed updates events in place instead of duplicating them.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from heelwise.assessment.models import Assessment
from heelwise.assessment.presentation import EXERCISES, plan_items


def schedule(assessment: Assessment) -> list[tuple[date, str, str, str]]:
    """(day, item key, title, dose) for every scheduled exercise day, in date order."""
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
            days.append((day, item.key, item.title, item.dose))
            day += timedelta(days=every)
    return sorted(days)


def exercise_calendar(assessment: Assessment, *, result_url: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Heelwise//Exercise schedule//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Heel pain exercises")
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    cal.add("refresh-interval", timedelta(days=1), parameters={"VALUE": "DURATION"})
    stamp = assessment.created
    for day, key, title, dose in schedule(assessment):
        event = Event()
        event.add("uid", f"{assessment.public_id}-{key}-{day:%Y%m%d}@heelwise")
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("summary", f"Heel exercise: {title}")
        event.add("description", f"{dose}\n\nFull instructions: {result_url}")
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()
