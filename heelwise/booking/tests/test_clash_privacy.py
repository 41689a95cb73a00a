"""One patient in one place at a time, without the refusal telling anyone about a booking they
may not see (review round 3).

The rule is safety: the same person (email in any case, an account with that email, the same
account or its email) cannot have two appointments at once. Who is refused depends on who is
asking (final review): staff always (told about the other booking only if it is one they may
see); a signed-in patient over a booking of their own account or another session of the same
course; anyone else (sign-up does not verify email addresses, so a typed address proves
nothing) is booked exactly as for any free time, and staff see a possible double booking.

Personas: Alice (a patient with an account), Bob (Priya Shah's clinician account), Charlie (Tom
Walsh's), Dana (clinic administrator), Mallory (a stranger who knows Alice's email address).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from heelwise.booking.availability import LONDON, NO_LONGER_FREE, BookingInputError, SlotTaken
from heelwise.booking.links import manage_token
from heelwise.booking.models import Booking, CoursePlan
from heelwise.booking.selectors import booking_duplicates
from heelwise.booking.services import (
    STAFF_CLASH,
    PatientDetails,
    booking_create,
    booking_reschedule,
    course_book,
    patient_lock_keys,
)
from heelwise.clinics.models import Practitioner, Service, Site

pytestmark = pytest.mark.django_db

MONDAY_10 = datetime(2027, 3, 22, 10, 0, tzinfo=LONDON)
ALICE = PatientDetails(name="Alice Runner", email="alice@example.com", phone="07700 900123")
MALLORY = PatientDetails(name="Mallory", email="alice@example.com", phone="07700 900999")


@pytest.fixture
def dana(db: None) -> Any:
    from heelwise.accounts.models import User

    return User.objects.create_user(
        "dana@example.com", "dana-password-1", full_name="Dana Admin", role=User.Role.ADMIN
    )


@pytest.fixture
def staff(clinic: None, bob: Any, charlie: Any) -> None:
    Practitioner.objects.filter(slug="priya-shah").update(user=bob)
    Practitioner.objects.filter(slug="tom-walsh").update(user=charlie)


def _treatment(site: str, start: datetime, patient: PatientDetails = ALICE, **kw: Any) -> Any:
    return booking_create(
        service=Service.objects.get(slug="treatment-session"),
        site=Site.objects.get(slug=site),
        start=start,
        patient=patient,
        **kw,
    )


def _confirm(client: Client, site: str, start: datetime, email: str) -> Any:
    return client.post(
        f"/book/treatment-session/{site}/details/",
        {"start": start.isoformat(), "name": "Mallory", "email": email, "step": "confirm"},
        follow=True,
    )


def _tells_nothing(text: str, booking: Booking) -> None:
    assert booking.reference not in text
    assert "(London" not in text  # the clash description names "(<site>, <service>, ...)"
    assert "10:00-10:30" not in text
    assert "already" not in text


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    from django.core.cache import cache

    cache.clear()


class PatientSideTests:
    """Final review: a typed email address is neither refused nor told anything. Only the
    account's owner (or another session of the same course) is refused; anyone else is booked
    exactly as for any free time, and staff see the possible duplicate."""

    def test_an_anonymous_booking_with_someone_elses_email_is_booked_like_any_other(
        self, client: Client, staff: None, alice: Any, dana: Any
    ) -> None:
        victim = _treatment("london", MONDAY_10, user=alice)
        page = _confirm(client, "bedford", MONDAY_10, "alice@example.com")
        made = Booking.objects.exclude(pk=victim.pk).get()
        # Exactly what an unrelated booking of a free time gets.
        control = _confirm(Client(), "manchester", MONDAY_10, "someone.else@example.com")
        assert Booking.objects.count() == 3
        assert page.status_code == control.status_code == 200
        assert [t.name for t in page.templates] == [t.name for t in control.templates]
        assert [(url.split("/")[:3], code) for url, code in page.redirect_chain] == [
            (url.split("/")[:3], code) for url, code in control.redirect_chain
        ]
        assert page.redirect_chain[0][0].startswith("/book/done/")
        text = page.content.decode()
        assert made.reference in text
        _tells_nothing(text, victim)
        assert "double" not in text.lower()
        # The administrator sees both bookings flagged, each naming the other.
        client.force_login(dana)
        calendar = client.get("/staff/bookings/?date=2027-03-22").content.decode()
        assert f"Possible double booking of one patient: same email as {victim.reference}" in (
            calendar
        )
        assert f"same email as {made.reference}" in calendar
        detail = client.get(f"/staff/bookings/{made.reference}/").content.decode()
        assert f"same email as {victim.reference} at 10:00" in detail

    def test_a_clinician_who_may_not_see_the_other_booking_gets_no_details(
        self, client: Client, staff: None, charlie: Any
    ) -> None:
        victim = _treatment("london", MONDAY_10)  # Oliver's patient: not Charlie's
        made = _treatment("manchester", MONDAY_10, MALLORY)  # Tom Walsh's: Charlie's
        assert made.practitioner.slug == "tom-walsh"
        client.force_login(charlie)
        detail = client.get(f"/staff/bookings/{made.reference}/").content.decode()
        assert "Possible double booking of one patient" in detail
        _tells_nothing(detail, victim)
        calendar = client.get("/staff/bookings/?date=2027-03-22").content.decode()
        assert "Possible double booking of one patient" in calendar
        assert victim.reference not in calendar

    def test_a_manage_link_moves_onto_someone_elses_time_like_any_free_time(
        self, client: Client, staff: None, alice: Any, dana: Any
    ) -> None:
        victim = _treatment("london", MONDAY_10, user=alice)
        mine = _treatment("bedford", MONDAY_10 + timedelta(hours=2), MALLORY)  # anonymous
        url = f"/book/manage/{manage_token(mine)}/reschedule/"
        moved = client.post(url, {"start": MONDAY_10.isoformat()})
        assert moved.status_code == 302
        assert moved["Location"].startswith("/book/manage/")
        text = client.get(moved["Location"]).content.decode()
        assert "Your booking has been moved" in text
        _tells_nothing(text, victim)
        mine.refresh_from_db()
        assert mine.start == MONDAY_10
        client.force_login(dana)
        detail = client.get(f"/staff/bookings/{mine.reference}/").content.decode()
        assert f"same email as {victim.reference}" in detail

    def test_a_strangers_reschedule_list_is_that_of_an_unrelated_booking(
        self, client: Client, staff: None, alice: Any
    ) -> None:
        _treatment("london", MONDAY_10, user=alice)
        mine = _treatment("bedford", MONDAY_10 + timedelta(hours=2), MALLORY)
        url = f"/book/manage/{manage_token(mine)}/reschedule/?date=2027-03-22"

        def times() -> list[str]:
            return re.findall(r"Move to [^\"<]+", client.get(url).content.decode())

        with_her_email = times()
        Booking.objects.filter(pk=mine.pk).update(email="mallory@example.net")
        assert with_her_email == times()
        assert "Move to Monday 22 March, 10:00" in with_her_email

    def test_an_account_registered_with_someone_elses_address_is_booked_too(
        self, client: Client, staff: None, alice: Any, dana: Any
    ) -> None:
        # The real owner booked without an account; "alice" registered the address (unverified).
        victim = _treatment("london", MONDAY_10)
        client.force_login(alice)
        page = _confirm(client, "bedford", MONDAY_10, "alice@example.com")
        assert page.redirect_chain[0][0].startswith("/book/done/")
        _tells_nothing(page.content.decode(), victim)
        made = Booking.objects.exclude(pk=victim.pk).get()
        assert made.user == alice
        # Her account's own booking is what she is refused over, with the details.
        with pytest.raises(BookingInputError) as refused:
            _treatment("manchester", MONDAY_10, PatientDetails("A", "a@example.org"), user=alice)
        assert made.reference in refused.value.errors["start"][0]
        assert victim.reference not in refused.value.errors["start"][0]

    def test_the_api_books_like_any_free_time(self, client: Client, staff: None) -> None:
        victim = _treatment("london", MONDAY_10)
        body = {
            "service": "treatment-session",
            "site": "bedford",
            "start": MONDAY_10.isoformat(),
            "name": "Mallory",
            "email": "ALICE@example.com",
        }
        response = client.post("/api/v1/bookings", body, content_type="application/json")
        assert response.status_code == 201, response.content
        _tells_nothing(response.content.decode(), victim)
        control = client.post(
            "/api/v1/bookings",
            {
                **body,
                "email": "other@example.net",
                "start": (MONDAY_10 + timedelta(hours=1)).isoformat(),
            },
            content_type="application/json",
        )
        assert control.status_code == 201, control.content
        assert sorted(response.json()) == sorted(control.json())

    def test_the_accounts_owner_is_told_about_her_own_booking(
        self, client: Client, staff: None, alice: Any
    ) -> None:
        mine = _treatment("london", MONDAY_10, user=alice)
        client.force_login(alice)
        text = _confirm(client, "bedford", MONDAY_10, "alice.work@example.org").content.decode()
        assert "You already have a booking at 10:00-10:30" in text and mine.reference in text
        assert Booking.objects.count() == 1


class StaffSideTests:
    """Item 2: a clinician hears about the other booking only if it is in their care."""

    def test_a_clinician_is_not_told_about_a_booking_outside_their_care(
        self, client: Client, staff: None, charlie: Any, dana: Any
    ) -> None:
        victim = _treatment("london", MONDAY_10)  # Oliver's patient: not Charlie's
        client.force_login(charlie)
        assert client.get(f"/staff/bookings/{victim.reference}/").status_code == 404
        data = {
            "service": "treatment-session",
            "site": "bedford",
            "date": "2027-03-22",
            "slot": f"{MONDAY_10.isoformat()}|{Practitioner.objects.get(slug='hannah-okafor').pk}",
            "name": "A caller",
            "email": "alice@example.com",
        }
        response = client.post("/staff/bookings/new/", data)
        assert response.status_code == 422
        text = response.content.decode()
        assert "already has an appointment at an overlapping time" in text
        _tells_nothing(text.replace("already has an appointment", ""), victim)
        api = client.post(
            "/api/v1/bookings",
            {
                "service": "treatment-session",
                "site": "bedford",
                "start": MONDAY_10.isoformat(),
                "name": "A caller",
                "email": "alice@example.com",
            },
            content_type="application/json",
        )
        assert api.status_code == 422
        assert api.json()["errors"]["start"] == [STAFF_CLASH]
        assert victim.reference not in api.content.decode()
        client.force_login(dana)  # the administrator sees every booking
        text = client.post("/staff/bookings/new/", data).content.decode()
        assert "already has a booking at 10:00-10:30" in text and victim.reference in text
        assert Booking.objects.count() == 1

    def test_a_staff_move_and_a_course_follow_the_same_rule(
        self, staff: None, charlie: Any, dana: Any
    ) -> None:
        victim = _treatment("london", MONDAY_10)
        other = _treatment("bedford", MONDAY_10 + timedelta(hours=2), by_staff=True)
        with pytest.raises(BookingInputError) as refused:
            booking_reschedule(booking=other, start=MONDAY_10, by_staff=True, actor=charlie)
        assert refused.value.errors == {"start": [STAFF_CLASH]}
        with pytest.raises(BookingInputError) as refused:
            booking_reschedule(booking=other, start=MONDAY_10, by_staff=True, actor=dana)
        assert victim.reference in refused.value.errors["start"][0]
        with pytest.raises(BookingInputError) as refused:
            course_book(
                plan=CoursePlan.objects.get(slug="three-session-course"),
                site=Site.objects.get(slug="london"),
                starts=[MONDAY_10 + timedelta(days=14), MONDAY_10, MONDAY_10 + timedelta(days=28)],
                patient=ALICE,
                booked_by=charlie,
                by_staff=True,
            )
        assert refused.value.errors == {"starts.1": [STAFF_CLASH]}


class AccountEmailTests:
    """Item 4: one account under two email addresses is still one patient."""

    def test_staff_cannot_book_the_account_email_over_a_booking_under_another(
        self, staff: None, alice: Any, dana: Any
    ) -> None:
        mine = _treatment(
            "london", MONDAY_10, PatientDetails("Alice", "alice.work@example.org"), user=alice
        )
        with pytest.raises(BookingInputError) as refused:
            _treatment("bedford", MONDAY_10, ALICE, by_staff=True, booked_by=dana)
        assert mine.reference in refused.value.errors["start"][0]
        assert Booking.objects.count() == 1

    def test_the_account_booking_another_email_over_a_staff_booking_of_its_email_is_flagged(
        self, staff: None, alice: Any, dana: Any
    ) -> None:
        staff_made = _treatment("london", MONDAY_10, ALICE, by_staff=True)  # not linked
        # Not linked to her account (the address is unverified): booked, flagged for staff.
        made = _treatment(
            "bedford", MONDAY_10, PatientDetails("Alice", "alice.work@example.org"), user=alice
        )
        assert booking_duplicates([made], viewer=dana) == {
            made.pk: f"Possible double booking of one patient: same email as "
            f"{staff_made.reference} at 10:00-10:30 on Monday 22 March 2027"
        }

    def test_both_bookings_take_a_common_patient_lock(self, alice: Any) -> None:
        signed_in = patient_lock_keys(email="alice.work@example.org", user=alice)
        by_staff = patient_lock_keys(email="ALICE@example.com", user=None)
        assert set(signed_in) & set(by_staff)
        assert signed_in == sorted(signed_in)
        stranger = patient_lock_keys(email="someone@example.com", user=None)
        assert not set(stranger) & set(by_staff)


class FarFutureTests:
    """Item 5: a time beyond the horizon is a clear 422, never a 500."""

    def test_a_staff_move_to_the_year_9999_is_refused_clearly(
        self, client: Client, staff: None, dana: Any
    ) -> None:
        booking = _treatment("london", MONDAY_10)
        client.force_login(dana)
        for when in ("9999-12-31T23:45:00+00:00", "9999-12-31T23:45:00-05:00"):
            response = client.post(
                f"/staff/bookings/{booking.reference}/move/", {"slot": f"{when}|1"}
            )
            assert response.status_code == 422
            assert "can be booked up to" in response.content.decode()
        booking.refresh_from_db()
        assert booking.start == MONDAY_10 and booking.sequence == 0

    def test_a_course_session_in_the_year_9999_is_named(self, staff: None) -> None:
        far = datetime(9999, 12, 31, 23, 45, tzinfo=LONDON)
        with pytest.raises(BookingInputError) as refused:
            course_book(
                plan=CoursePlan.objects.get(slug="three-session-course"),
                site=Site.objects.get(slug="london"),
                starts=[MONDAY_10, MONDAY_10 + timedelta(days=14), far],
                patient=ALICE,
                by_staff=True,
            )
        assert "can be booked up to" in refused.value.errors["starts.2"][0]
        assert not Booking.objects.exists()


class CourseLockOrderTests:
    """Item 3: a course takes its day locks in time order, whatever order it was typed in, so
    two courses booked at once cannot lock in opposite orders (PostgreSQL: a deadlock)."""

    def test_sessions_lock_their_days_in_time_order(
        self, staff: None, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from heelwise.booking import availability

        locked: list[Any] = []
        real = availability.resources_lock

        def record(**kwargs: Any) -> None:
            locked.append(kwargs["days"][0])
            real(**kwargs)

        monkeypatch.setattr(availability, "resources_lock", record)
        typed = [MONDAY_10 + timedelta(days=28), MONDAY_10, MONDAY_10 + timedelta(days=14)]
        course = course_book(
            plan=CoursePlan.objects.get(slug="three-session-course"),
            site=Site.objects.get(slug="london"),
            starts=typed,
            patient=ALICE,
            by_staff=True,
        )
        assert locked == sorted(locked) and len(locked) == 3
        assert course.bookings.count() == 3

    def test_a_deadlock_while_locking_is_a_taken_session(
        self, staff: None, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from django.db import OperationalError

        from heelwise.booking import availability

        class Deadlock(Exception):
            sqlstate = "40P01"

        def deadlock(**kwargs: Any) -> None:
            try:
                raise Deadlock
            except Deadlock as cause:
                raise OperationalError("deadlock detected") from cause

        monkeypatch.setattr(availability, "resources_lock", deadlock)
        with pytest.raises(SlotTaken) as refused:
            course_book(
                plan=CoursePlan.objects.get(slug="three-session-course"),
                site=Site.objects.get(slug="london"),
                starts=[MONDAY_10 + timedelta(days=14), MONDAY_10, MONDAY_10 + timedelta(days=28)],
                patient=ALICE,
                by_staff=True,
            )
        assert str(refused.value) == f"Session 2: {NO_LONGER_FREE}"
        assert refused.value.field == "starts.1"
        assert not Booking.objects.exists()
