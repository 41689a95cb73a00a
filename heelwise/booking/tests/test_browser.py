"""End to end in headless chromium: book a discovery call, read the emailed invite, reschedule
and cancel through the emailed link. Screenshots in var/screenshots/booking-*.png; axe-core
must find no serious or critical violations on any page."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from icalendar import Calendar

from heelwise.booking.models import Booking

pytestmark = pytest.mark.browser


def _check(page: Any, axe: Any, shot: Any, name: str) -> None:
    assert axe(page) == [], name
    shot(page, f"booking-{name}")


def _invite(message: Any) -> Any:
    cal = Calendar.from_ical(message.attachments[0].get_payload(decode=True))
    return cal, next(iter(cal.walk("VEVENT")))


def test_book_a_discovery_call_then_reschedule_and_cancel(
    page: Any, phone_page: Any, clinic: None, axe: Any, shot: Any
) -> None:
    page.goto("/book/")
    _check(page, axe, shot, "1-services")
    page.get_by_role("link", name="Free 15-minute discovery call").click()
    page.wait_for_url("**/book/discovery-call/remote/")
    _check(page, axe, shot, "2-times")
    page.locator(".slot-list a.slot-button").first.click()
    page.wait_for_url("**/details/**")
    page.get_by_role("button", name="Continue").click()  # empty form: errors first
    assert page.locator(".error-summary").is_visible()
    _check(page, axe, shot, "3-details-errors")
    page.get_by_label("Full name").fill("Alice Runner")
    page.get_by_label("Email address").fill("alice@example.com")
    page.get_by_label("Phone number").fill("07700 900123")
    page.get_by_role("button", name="Continue").click()
    _check(page, axe, shot, "4-confirm")
    page.get_by_role("button", name="Confirm booking").click()
    page.wait_for_url("**/book/done/**")
    reference = page.locator("[data-reference]").inner_text()
    booking = Booking.objects.get()
    assert reference == booking.reference
    _check(page, axe, shot, "5-done")

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert reference in email.subject and email.to == ["alice@example.com"]
    cal, event = _invite(email)
    assert str(cal["METHOD"]) == "REQUEST" and int(event["SEQUENCE"]) == 0
    uid = str(event["UID"])
    assert event.decoded("DTSTART") == booking.start
    match = re.search(r"https?://\S+/book/manage/\S+/", str(email.body))
    assert match
    manage_path = urlsplit(match.group(0)).path

    page.goto(manage_path)
    _check(page, axe, shot, "6-manage")
    page.get_by_role("link", name="Change the time").click()
    _check(page, axe, shot, "7-reschedule")
    page.locator(".slot-list button.slot-button").nth(3).click()
    page.wait_for_url(f"**{manage_path}")
    assert "has been moved" in page.content()
    booking.refresh_from_db()
    _, moved = _invite(mail.outbox[1])
    assert str(moved["UID"]) == uid and int(moved["SEQUENCE"]) == 1
    assert moved.decoded("DTSTART") == booking.start

    page.get_by_role("link", name="Cancel this appointment").click()
    page.wait_for_url(f"**{manage_path}cancel/")
    _check(page, axe, shot, "8-cancel-confirm")
    page.get_by_role("button", name="Yes, cancel this appointment").click()
    page.wait_for_url(f"**{manage_path}")
    assert "is cancelled" in page.content()
    _check(page, axe, shot, "8-cancelled")
    cal, cancelled = _invite(mail.outbox[2])
    assert str(cal["METHOD"]) == "CANCEL" and str(cancelled["UID"]) == uid
    assert int(cancelled["SEQUENCE"]) == 2 and str(cancelled["STATUS"]) == "CANCELLED"

    phone_page.goto("/book/discovery-call/remote/")
    shot(phone_page, "booking-9-times-phone")
    assert axe(phone_page) == []
