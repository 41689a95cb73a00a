"""The patient pages (without JavaScript) and the staff pages, with persona access checks."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import pytest
from django.core import mail
from django.test import Client

from heelwise.booking.availability import LONDON
from heelwise.booking.links import manage_token
from heelwise.booking.models import Booking, OutboxMessage, WaitlistEntry
from heelwise.booking.services import PatientDetails, booking_create
from heelwise.clinics.models import Service, Site

pytestmark = pytest.mark.django_db

START = datetime(2027, 3, 22, 9, 0, tzinfo=UTC)  # Monday 09:00 GMT, a remote slot


def _details_url(start: datetime = START) -> str:
    return (
        f"/book/discovery-call/remote/details/?start={quote(start.astimezone(LONDON).isoformat())}"
    )


def _book(patient: PatientDetails, start: datetime = START) -> Booking:
    return booking_create(
        service=Service.objects.get(slug="discovery-call"), site=None, start=start, patient=patient
    )


class PatientFlowTests:
    def test_it_walks_service_site_time_details_confirm(
        self, client: Client, clinic: None, django_capture_on_commit_callbacks: Any
    ) -> None:
        assert b"discovery call" in client.get("/book/").content.lower()
        assert client.get("/book/discovery-call/")["Location"] == "/book/discovery-call/remote/"
        times = client.get("/book/discovery-call/remote/?date=2027-03-22")
        assert times.status_code == 200
        assert quote(START.astimezone(LONDON).isoformat(), safe="") in times.content.decode()
        details = client.get(_details_url())
        assert details.status_code == 200
        data = {
            "start": START.isoformat(),
            "name": "Alice Runner",
            "email": "alice@example.com",
            "phone": "07700 900123",
        }
        review = client.post("/book/discovery-call/remote/details/", data)
        assert review.status_code == 200 and b"Confirm booking" in review.content
        assert Booking.objects.count() == 0
        with django_capture_on_commit_callbacks(execute=True):
            done = client.post(
                "/book/discovery-call/remote/details/", {**data, "step": "confirm"}, follow=True
            )
        booking = Booking.objects.get()
        assert booking.reference.encode() in done.content
        assert len(mail.outbox) == 1 and booking.reference in mail.outbox[0].body

    def test_it_shows_field_errors_with_an_error_summary(
        self, client: Client, clinic: None
    ) -> None:
        response = client.post(
            "/book/discovery-call/remote/details/",
            {"start": START.isoformat(), "name": "", "email": "nope"},
        )
        assert response.status_code == 422
        assert b"error-summary" in response.content
        assert b'href="#id_email"' in response.content

    def test_in_person_services_ask_for_a_clinic(self, client: Client, clinic: None) -> None:
        page = client.get("/book/initial-consultation/")
        assert b"/book/initial-consultation/london/" in page.content
        assert client.get("/book/initial-consultation/mars/").status_code == 404

    def test_it_joins_the_waitlist_and_a_cancellation_offers_the_slot(
        self,
        client: Client,
        clinic: None,
        patient: PatientDetails,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        booking = _book(patient)
        response = client.post(
            "/book/discovery-call/remote/waitlist/",
            {"day": "2027-03-22", "name": "Wendy Waiting", "email": "wendy@example.com"},
        )
        assert response.status_code == 302
        client.post(
            "/book/discovery-call/remote/waitlist/",
            {"day": "2027-03-22", "name": "Second", "email": "second@example.com"},
        )
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/book/manage/{manage_token(booking)}/cancel/")
        first, second = WaitlistEntry.objects.order_by("id")
        assert first.status == "offered" and first.offered_start == START
        assert second.status == "waiting"
        offers = [m for m in mail.outbox if m.to == ["wendy@example.com"]]
        assert len(offers) == 1 and "/book/discovery-call/remote/details/" in offers[0].body


class ManageLinkTests:
    def test_it_cancels_and_reschedules_through_the_signed_link(
        self, client: Client, clinic: None, patient: PatientDetails
    ) -> None:
        booking = _book(patient)
        token = manage_token(booking)
        assert client.get(f"/book/manage/{token}/").status_code == 200
        new_start = datetime(2027, 3, 22, 11, 0, tzinfo=UTC)
        moved = client.post(
            f"/book/manage/{token}/reschedule/", {"start": new_start.isoformat()}, follow=True
        )
        assert b"has been moved" in moved.content
        booking.refresh_from_db()
        assert booking.start == new_start and booking.sequence == 1
        client.post(f"/book/manage/{token}/cancel/")
        booking.refresh_from_db()
        assert booking.status == "cancelled" and booking.sequence == 2

    def test_a_forged_link_is_not_found(self, client: Client, clinic: None) -> None:
        assert client.get("/book/manage/not-a-token/").status_code == 404

    def test_inside_the_notice_window_it_says_call_the_clinic(
        self, client: Client, clinic: None, patient: PatientDetails, set_now: Any
    ) -> None:
        booking = _book(patient)
        set_now(datetime(2027, 3, 22, 8, 0, tzinfo=UTC))  # an hour before; policy is 2 h
        token = manage_token(booking)
        page = client.get(f"/book/manage/{token}/")
        assert b"Please call the clinic" in page.content
        assert b"Cancel this appointment" not in page.content
        client.post(f"/book/manage/{token}/cancel/")
        booking.refresh_from_db()
        assert booking.status == "confirmed"


class StaffAccessTests:
    URLS = ("/staff/bookings/", "/staff/bookings/new/", "/staff/bookings/deliveries/")

    def test_anonymous_people_are_sent_to_log_in(self, client: Client, clinic: None) -> None:
        for url in self.URLS:
            response = client.get(url)
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_patients_are_refused(self, client: Client, clinic: None, alice: Any) -> None:
        client.force_login(alice)
        for url in self.URLS:
            assert client.get(url).status_code == 403

    def test_clinicians_see_day_and_week_calendars(
        self,
        client: Client,
        clinic: None,
        bob: Any,
        patient: PatientDetails,
        django_assert_max_num_queries: Any,
    ) -> None:
        for minute in (0, 30):
            _book(patient, START.replace(minute=minute))
        client.force_login(bob)
        with django_assert_max_num_queries(12):
            day = client.get("/staff/bookings/?date=2027-03-22")
        assert day.content.count(b"staff-booking ") == 2
        week = client.get("/staff/bookings/?date=2027-03-24&view=week&practitioner=priya-shah")
        assert week.content.count(b"staff-booking ") == 2
        other = client.get("/staff/bookings/?date=2027-03-22&practitioner=tom-walsh")
        assert other.content.count(b"staff-booking ") == 0
        assert client.get("/staff/bookings/deliveries/").status_code == 200

    def test_staff_book_for_a_caller_and_mark_attendance(
        self, client: Client, clinic: None, bob: Any, set_now: Any
    ) -> None:
        from heelwise.clinics.models import Practitioner

        # Bob works as Oliver Eaton's practitioner record (the Monday practitioner in London).
        Practitioner.objects.filter(user=bob).update(user=None)
        Practitioner.objects.filter(slug="oliver-eaton").update(user=bob)
        client.force_login(bob)
        page = client.get("/staff/bookings/new/?service=follow-up&site=london&date=2027-03-22")
        assert b'name="slot"' in page.content
        response = client.post(
            "/staff/bookings/new/",
            {
                "service": "follow-up",
                "site": "london",
                "start": "2027-03-22T10:00:00+00:00",
                "name": "Caller",
                "email": "caller@example.com",
            },
        )
        booking = Booking.objects.get()
        assert response.status_code == 302 and booking.booked_by == bob
        assert booking.room is not None and booking.site == Site.objects.get(slug="london")
        refused = client.post(
            f"/staff/bookings/{booking.reference}/action/", {"action": "attended"}, follow=True
        )
        assert b"not started yet" in refused.content
        set_now(datetime(2027, 3, 22, 10, 5, tzinfo=UTC))
        client.post(f"/staff/bookings/{booking.reference}/action/", {"action": "no_show"})
        booking.refresh_from_db()
        assert booking.status == "no_show"
        assert OutboxMessage.objects.filter(booking=booking, kind="confirmation").exists()


class StaffCourseTests:
    def _post(self, client: Client, sessions: list[str]) -> Any:
        from heelwise.booking.models import CoursePlan

        data = {
            "plan": CoursePlan.objects.get(slug="three-session-course").pk,
            "site": Site.objects.get(slug="london").pk,
            "name": "Course Patient",
            "email": "course@example.com",
        }
        data.update({f"session_{i}": value for i, value in enumerate(sessions, start=1)})
        return client.post("/staff/bookings/course/", data)

    def test_it_books_every_session_or_none(
        self, client: Client, clinic: None, bob: Any, patient: PatientDetails
    ) -> None:
        client.force_login(bob)
        assert client.get("/staff/bookings/course/").status_code == 200
        sundays = ["2027-03-14T10:00", "2027-03-28T10:00", "2027-04-11T10:00"]
        # Someone already has the second Sunday at 10:00: nothing is booked.
        booking_create(
            service=Service.objects.get(slug="treatment-session"),
            site=Site.objects.get(slug="london"),
            start=datetime(2027, 3, 28, 10, 0, tzinfo=LONDON),
            patient=patient,
        )
        refused = self._post(client, sundays)
        assert refused.status_code == 409 and b"Nothing was booked" in refused.content
        assert Booking.objects.filter(course__isnull=False).count() == 0
        booked = self._post(client, [sundays[0], "2027-03-28T11:00", sundays[2]])
        assert booked.status_code == 302
        sessions = Booking.objects.filter(course__isnull=False).order_by("start")
        assert [b.start.astimezone(LONDON).strftime("%d %H:%M") for b in sessions] == [
            "14 10:00",
            "28 11:00",
            "11 10:00",
        ]
        too_close = self._post(client, ["2027-04-18T10:00", "2027-04-20T10:00", "2027-05-02T10:00"])
        assert too_close.status_code == 422 and b"days apart" in too_close.content


def test_admin_configures_booking(client: Client, clinic: None, patient: PatientDetails) -> None:
    from heelwise.accounts.models import User

    _book(patient)
    admin = User.objects.create_superuser("root@example.com", "root-password-1")
    client.force_login(admin)
    for model in (
        "weeklyavailability",
        "break",
        "timeoff",
        "servicepolicy",
        "courseplan",
        "course",
        "booking",
        "waitlistentry",
        "outboxmessage",
    ):
        assert client.get(f"/admin/booking/{model}/").status_code == 200, model
    booking = Booking.objects.get()
    assert client.get(f"/admin/booking/booking/{booking.pk}/change/").status_code == 200


FAR = "9999-12-30"


class FarDateTests:
    """A date past the booking horizon (or the calendar's end) is explained, never a 500."""

    def test_the_times_page_shows_the_last_bookable_week(
        self, client: Client, clinic: None
    ) -> None:
        for url in ("/book/discovery-call/remote/", "/book/initial-consultation/london/"):
            response = client.get(f"{url}?date={FAR}")
            assert response.status_code == 200, url
            assert b"days ahead" in response.content
            assert b"the last week you can book" in response.content
        page = client.get(f"/book/discovery-call/remote/?date={FAR}").content.decode()
        # 30 days from Wednesday 10 March 2027: the week up to Friday 9 April, no "Next week".
        assert "Times from Saturday 3 April 2027" in page and "Next week" not in page

    def test_the_reschedule_page_shows_the_last_bookable_week(
        self, client: Client, clinic: None, patient: PatientDetails
    ) -> None:
        booking = _book(patient)
        page = client.get(f"/book/manage/{manage_token(booking)}/reschedule/?date={FAR}")
        assert page.status_code == 200 and b"the last week you can book" in page.content

    def test_the_staff_calendar_and_booking_page_stop_at_their_ends(
        self, client: Client, clinic: None, bob: Any
    ) -> None:
        client.force_login(bob)
        for url, expected in (
            (f"/staff/bookings/?date={FAR}", "Bookings go up to 8 June 2027"),
            (f"/staff/bookings/?date={FAR}&view=week", "Bookings go up to 8 June 2027"),
            ("/staff/bookings/?date=0001-01-01&view=week", "Bookings start on 1 January 2000"),
            (
                f"/staff/bookings/new/?service=discovery-call&site=remote&date={FAR}",
                "Bookings for this service go up to 9 April 2027",
            ),
        ):
            page = client.get(url)
            assert page.status_code == 200, url
            assert expected in page.content.decode(), url

    def test_the_waiting_list_refuses_a_day_beyond_the_horizon(
        self, client: Client, clinic: None
    ) -> None:
        response = client.post(
            "/book/discovery-call/remote/waitlist/",
            {"day": FAR, "name": "Wendy Waiting", "email": "wendy@example.com"},
            follow=True,
        )
        assert b"up to 30 days ahead: choose a day up to 9 April 2027" in response.content
        assert not WaitlistEntry.objects.exists()

    def test_slots_list_reads_nothing_beyond_the_horizon(self, clinic: None) -> None:
        from datetime import date

        from heelwise.booking.availability import slots_list

        service = Service.objects.get(slug="discovery-call")
        assert slots_list(service=service, site=None, first_day=date.max, days=7) == []
        assert slots_list(service=service, site=None, first_day=date.min, days=7) == []


class RemotePhoneTests:
    def test_the_details_form_requires_a_phone_number_for_a_call(
        self, client: Client, clinic: None
    ) -> None:
        form = client.get(_details_url()).content.decode()
        assert "The clinician will call you on this number." in form
        data = {"start": START.isoformat(), "name": "Alice Runner", "email": "alice@example.com"}
        response = client.post("/book/discovery-call/remote/details/", data)
        assert response.status_code == 422
        assert "Enter a phone number: the clinician will call you on it." in (
            response.content.decode()
        )
        bad = client.post("/book/discovery-call/remote/details/", {**data, "phone": "12345"})
        assert bad.status_code == 422 and b"Enter a UK phone number" in bad.content
        with_phone = client.post(
            "/book/discovery-call/remote/details/", {**data, "phone": "+44 7700 900123"}
        )
        assert with_phone.status_code == 200 and b"Confirm booking" in with_phone.content

    def test_staff_cannot_book_a_call_without_a_number(
        self, client: Client, clinic: None, bob: Any
    ) -> None:
        client.force_login(bob)
        response = client.post(
            "/staff/bookings/new/",
            {
                "service": "discovery-call",
                "site": "remote",
                "start": START.isoformat(),
                "name": "Caller",
                "email": "caller@example.com",
            },
        )
        page = response.content.decode()
        assert response.status_code == 422
        # Staff pages speak to the staff member about the caller, not to the patient.
        assert "Enter the caller&#x27;s phone number: the clinician will call them on it." in page
        assert "call you" not in page
        assert not Booking.objects.exists()

    def test_phone_numbers_are_checked_as_uk_or_international(self) -> None:
        from heelwise.booking.forms import phone_problem

        for good in (
            "07700 900123",
            "020 7946 0018",
            "(020) 7946-0018",
            "+44 7700 900123",
            "0044 7700 900123",
            "+1 212 555 0100",
        ):
            assert phone_problem(good) is None, good
        for bad in (
            "12345",
            "7700 900123",
            "+0 7700 900123",
            "07700",
            "call me",
            "+44 7700 9001234567890",
        ):
            assert phone_problem(bad) is not None, bad


class RescheduleTests:
    def test_a_cancelled_booking_says_it_is_cancelled(
        self, client: Client, clinic: None, patient: PatientDetails
    ) -> None:
        from heelwise.booking.services import booking_cancel

        booking = _book(patient)
        booking_cancel(booking=booking)
        page = client.get(f"/book/manage/{manage_token(booking)}/reschedule/").content.decode()
        assert "This booking is cancelled, so it cannot be moved." in page
        assert "too close" not in page

    def test_the_booking_being_moved_does_not_hide_the_times_next_to_it(
        self, client: Client, clinic: None, patient: PatientDetails
    ) -> None:
        booking = _book(patient)  # 09:00-09:15, blocking Priya until 09:20 (buffer)
        token = manage_token(booking)
        page = client.get(f"/book/manage/{token}/reschedule/?date=2027-03-22").content.decode()
        assert "Move to Monday 22 March, 09:15" in page
        assert "Move to Monday 22 March, 09:00" not in page  # where it already is
        client.post(
            f"/book/manage/{token}/reschedule/",
            {"start": datetime(2027, 3, 22, 9, 15, tzinfo=UTC).isoformat()},
        )
        booking.refresh_from_db()
        assert booking.start == datetime(2027, 3, 22, 9, 15, tzinfo=UTC)

    def test_moving_still_never_double_books(
        self, client: Client, clinic: None, patient: PatientDetails
    ) -> None:
        mine = _book(patient)
        other = PatientDetails(name="Bea Other", email="bea@example.com", phone="07700 900999")
        _book(other, datetime(2027, 3, 22, 9, 45, tzinfo=UTC))
        token = manage_token(mine)
        page = client.get(f"/book/manage/{token}/reschedule/?date=2027-03-22").content.decode()
        assert "Move to Monday 22 March, 09:30" not in page  # would run into Bea's 09:45
        refused = client.post(
            f"/book/manage/{token}/reschedule/",
            {"start": datetime(2027, 3, 22, 9, 30, tzinfo=UTC).isoformat()},
            follow=True,
        )
        assert b"has been moved" not in refused.content
        mine.refresh_from_db()
        assert mine.start == START and mine.sequence == 0


class DetailsFormTests:
    def test_optional_is_said_once(self, client: Client, clinic: None) -> None:
        page = client.get(_details_url()).content.decode()
        assert "(optional)" in page and page.count("(optional)") == 1  # the notes only
        assert "(optional) <span" not in page and "? (optional)" not in page

    def test_the_clinic_address_names_each_line_once(self, client: Client, clinic: None) -> None:
        page = client.get("/book/initial-consultation/").content.decode()
        assert "104 Harley Street, Marylebone, London, W1G 7JD" in page
        assert "Harley Street, Harley Street" not in page

    def test_a_signed_in_patient_finds_name_and_email_filled_in(
        self, client: Client, clinic: None, alice: Any
    ) -> None:
        client.force_login(alice)
        page = client.get(_details_url()).content.decode()
        assert 'value="Alice Runner"' in page and 'value="alice@example.com"' in page
        assert 'value="Alice Runner"' not in Client().get(_details_url()).content.decode()


@pytest.mark.django_db
def test_the_waiting_list_day_is_an_iso_date_a_date_picker_can_show(
    client: Client, demo_clinic: None
) -> None:
    """A UK-format value ('24/11/2026') is thrown away by type=date inputs, leaving a blank
    required field the browser will not submit."""
    html = client.get("/book/initial-consultation/london/?date=2027-03-10").content.decode()
    field = re.search(r'<input type="date" name="day" value="([^"]*)"', html)
    assert field, "the waiting-list day field is on the page"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", field.group(1))
