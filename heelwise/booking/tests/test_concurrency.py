"""PostgreSQL: many clients race for the same time from separate connections. The exclusion
constraints let exactly one win; everyone else gets 409. Released together by a Barrier."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, time
from typing import Any, TypeVar

import pytest
from django.db import connection
from django.test import Client, override_settings

from heelwise.booking.availability import LONDON, SlotTaken
from heelwise.booking.models import Booking, Course, CoursePlan, WeeklyAvailability
from heelwise.booking.services import PatientDetails, course_book
from heelwise.clinics.models import Practitioner, Site

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres_only"),
]
T = TypeVar("T")
RACERS = 50


def race(n: int, attempt: Callable[[int], T]) -> list[T | BaseException]:
    """Run ``attempt(i)`` in n threads, each with its own connection, released at once."""
    barrier = threading.Barrier(n)
    results: list[T | BaseException] = [RuntimeError("did not run")] * n

    def worker(i: int) -> None:
        try:
            barrier.wait()
            results[i] = attempt(i)
        except BaseException as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _post(body: dict[str, Any]) -> int:
    return Client().post("/api/v1/bookings", body, content_type="application/json").status_code


@override_settings(BOOKING_RATE="100000/m")
def test_fifty_clients_racing_for_one_slot_exactly_one_wins(clinic: None) -> None:
    body = {
        "service": "discovery-call",
        "site": "remote",
        "start": "2027-03-22T09:00:00+00:00",  # Monday: only Priya takes calls
        "name": "Racer",
        "phone": "07700 900000",
    }
    codes = race(RACERS, lambda i: _post({**body, "email": f"racer{i}@example.com"}))
    assert sorted(codes, key=str).count(201) == 1, codes
    assert codes.count(409) == RACERS - 1, codes
    assert Booking.objects.count() == 1


@override_settings(BOOKING_RATE="100000/m")
def test_one_practitioner_cannot_be_booked_at_two_sites_at_once(clinic: None) -> None:
    oliver = Practitioner.objects.get(slug="oliver-eaton")
    # Oliver's Monday at London overlaps a (misconfigured) Monday at Manchester.
    WeeklyAvailability.objects.create(
        practitioner=oliver,
        site=Site.objects.get(slug="manchester"),
        weekday=0,
        starts=time(9),
        ends=time(18),
    )

    def attempt(i: int) -> int:
        return _post(
            {
                "service": "initial-consultation",
                "site": "london" if i % 2 else "manchester",
                "start": "2027-03-22T10:00:00+00:00",
                "practitioner": oliver.pk,
                "name": "Racer",
                "email": f"racer{i}@example.com",
            }
        )

    codes = race(RACERS, attempt)
    assert codes.count(201) == 1, codes
    assert codes.count(409) == RACERS - 1, codes
    assert Booking.objects.filter(practitioner=oliver).count() == 1


def test_two_courses_racing_for_an_overlapping_session_book_all_or_nothing(
    clinic: None,
) -> None:
    plan = CoursePlan.objects.get(slug="three-session-course")
    london = Site.objects.get(slug="london")
    sundays_a = [datetime(2027, 3, 14, 10), datetime(2027, 3, 28, 10), datetime(2027, 4, 11, 10)]
    sundays_b = [datetime(2027, 3, 14, 11), datetime(2027, 3, 28, 10), datetime(2027, 4, 11, 12)]

    def attempt(i: int) -> Course | str:
        starts = [d.replace(tzinfo=LONDON) for d in (sundays_a if i % 2 else sundays_b)]
        try:
            return course_book(
                plan=plan,
                site=london,
                starts=starts,
                patient=PatientDetails(name="Racer", email=f"racer{i}@example.com"),
            )
        except SlotTaken:
            return "409"

    results = race(20, attempt)
    winners = [r for r in results if isinstance(r, Course)]
    assert len(winners) == 1, results
    assert results.count("409") == 19, results
    assert Course.objects.count() == 1
    assert Booking.objects.count() == 3
    assert set(Booking.objects.values_list("course_id", flat=True)) == {winners[0].pk}


def test_reschedules_racing_into_one_slot_exactly_one_moves(clinic: None) -> None:
    from heelwise.booking.services import booking_create, booking_reschedule
    from heelwise.clinics.models import Service

    call = Service.objects.get(slug="discovery-call")
    monday = [datetime(2027, 3, 22, 9, 0), datetime(2027, 3, 22, 9, 30)]
    monday += [datetime(2027, 3, 22, h, m) for h in (10, 11, 14, 15) for m in (0, 30)]
    bookings = [
        booking_create(
            service=call,
            site=None,
            start=start.replace(tzinfo=LONDON),
            patient=PatientDetails(name="Mover", email=f"mover{i}@example.com"),
        )
        for i, start in enumerate(monday)
    ]
    target = datetime(2027, 3, 22, 16, 0, tzinfo=LONDON)

    def attempt(i: int) -> str:
        try:
            booking_reschedule(booking=bookings[i], start=target)
        except SlotTaken:
            return "409"
        return "moved"

    results = race(len(bookings), attempt)
    assert results.count("moved") == 1, results
    assert results.count("409") == len(bookings) - 1, results
    assert Booking.objects.filter(start=target, status="confirmed").count() == 1


def test_courses_typed_in_opposite_orders_do_not_deadlock(clinic: None) -> None:
    """Each course locks its (practitioner, day) and (room, day) keys session by session; typed
    in opposite orders they used to lock the days in opposite orders: a deadlock (a 500). In
    time order, pairs of courses at different times on the same days all book."""
    plan = CoursePlan.objects.get(slug="three-session-course")
    london = Site.objects.get(slug="london")
    days = [datetime(2027, 3, 14), datetime(2027, 3, 28), datetime(2027, 4, 11)]  # Sundays
    hours = [10, 11, 12]  # Sunday treatments in London: 10:00 to 12:30

    def attempt(i: int) -> Course | BaseException:
        at = [d.replace(hour=hours[i], tzinfo=LONDON) for d in days]
        starts = at if i % 2 else list(reversed(at))
        return course_book(
            plan=plan,
            site=london,
            starts=starts,
            patient=PatientDetails(name="Racer", email=f"racer{i}@example.com"),
            by_staff=True,
        )

    results = race(len(hours), attempt)
    assert all(isinstance(r, Course) for r in results), results
    assert Booking.objects.count() == 3 * len(hours)
