"""iCalendar invites (RFC 5545) sent as iTIP messages (RFC 5546) by email.

One UID per booking for its whole life; SEQUENCE rises on every change; METHOD:REQUEST to book
or move, METHOD:CANCEL (with STATUS:CANCELLED) to cancel. Times are DTSTART;TZID=Europe/London
with an embedded VTIMEZONE holding both the STANDARD (GMT) and DAYLIGHT (BST) rules.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Literal

from django.conf import settings
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress

from heelwise.booking.availability import LONDON
from heelwise.booking.models import Booking

Method = Literal["REQUEST", "CANCEL"]
CLINIC_NAME = "ProHealth Clinic"


def london_vtimezone() -> Timezone:
    """Europe/London as calendars expect it: BST from the last Sunday of March 01:00 UTC,
    GMT from the last Sunday of October 01:00 UTC (02:00 BST)."""
    tz = Timezone()
    tz.add("tzid", "Europe/London")
    daylight = TimezoneDaylight()
    daylight.add("dtstart", datetime(1970, 3, 29, 1, 0))  # noqa: DTZ001 - floating, per RFC 5545
    daylight.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    daylight.add("tzoffsetfrom", _offset(0))
    daylight.add("tzoffsetto", _offset(60))
    daylight.add("tzname", "BST")
    standard = TimezoneStandard()
    standard.add("dtstart", datetime(1970, 10, 25, 2, 0))  # noqa: DTZ001 - floating, per RFC 5545
    standard.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    standard.add("tzoffsetfrom", _offset(60))
    standard.add("tzoffsetto", _offset(0))
    standard.add("tzname", "GMT")
    tz.add_component(daylight)
    tz.add_component(standard)
    return tz


def _offset(minutes: int) -> timedelta:
    return timedelta(minutes=minutes)


def summary_for(booking: Booking) -> str:
    where = booking.site.name.split(" (")[0] if booking.site else "phone or video"
    return f"{booking.service.name} - {CLINIC_NAME} ({where})"


def location_for(booking: Booking) -> str:
    if booking.site is None:
        return "Phone or video call: the clinician will contact you at the time booked"
    return ", ".join(booking.site.address_lines)


def booking_ical(*, booking: Booking, method: Method, now: datetime, manage_url: str = "") -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Heelwise//Clinic booking//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add_component(london_vtimezone())
    event = Event()
    event.add("uid", booking.ical_uid)
    event.add("dtstamp", now)
    event.add("sequence", booking.sequence)
    event.add("dtstart", booking.start.astimezone(LONDON))
    event.add("dtend", booking.end.astimezone(LONDON))
    event.add("summary", summary_for(booking))
    event.add("location", location_for(booking))
    description = f"Booking reference {booking.reference} with {booking.practitioner.name}."
    if manage_url:
        description += f"\nCancel or change: {manage_url}"
    event.add("description", description)
    organizer_email = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    organizer = vCalAddress(f"mailto:{organizer_email}")
    organizer.params["cn"] = CLINIC_NAME
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{booking.email}")
    attendee.params["cn"] = booking.name
    attendee.params["rsvp"] = "FALSE"
    attendee.params["role"] = "REQ-PARTICIPANT"
    event.add("attendee", attendee)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    event.add("transp", "OPAQUE")
    cal.add_component(event)
    return cal.to_ical()
