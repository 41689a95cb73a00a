"""Staff booking work: moving a booking, choosing the practitioner, one patient in one place at
a time, time off and closures over bookings, course errors, staff notice, joined availability
windows, the booking form's place after an error, cancelling only the future, search, labels.

Personas: Bob is Priya Shah's practitioner record (clinician A), Charlie is Tom Walsh's
(clinician B), Dana a clinic administrator.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from django.test import Client

from heelwise.booking.availability import (
    LONDON,
    BookingInputError,
    SlotTaken,
    slot_validate,
    slots_by_day,
    slots_list,
)
from heelwise.booking.models import (
    Booking,
    CoursePlan,
    OutboxMessage,
    TimeOff,
    WeeklyAvailability,
)
from heelwise.booking.selectors import booking_duplicates, sites_for_service
from heelwise.booking.services import (
    PatientDetails,
    PolicyError,
    booking_cancel,
    booking_create,
    booking_reschedule,
    course_book,
)
from heelwise.clinics.forms import ClosureForm, TimeOffForm
from heelwise.clinics.models import Practitioner, Service, Site
from heelwise.common.models import AuditEvent

pytestmark = pytest.mark.django_db

CALL = datetime(2027, 3, 22, 9, 0, tzinfo=UTC)  # Monday: Priya's remote discovery calls
MONDAY_10 = datetime(2027, 3, 22, 10, 0, tzinfo=LONDON)


def _svc(slug: str) -> Service:
    return Service.objects.get(slug=slug)


def _site(slug: str) -> Site:
    return Site.objects.get(slug=slug)


def _pr(slug: str) -> Practitioner:
    return Practitioner.objects.get(slug=slug)


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


@pytest.fixture
def call(staff: None, alice: Any) -> Booking:
    """Alice's discovery call with Priya (Bob's patient)."""
    return booking_create(
        service=_svc("discovery-call"),
        site=None,
        start=CALL,
        patient=PatientDetails(
            name="Alice Runner", email="alice@example.com", phone="07700 900123"
        ),
        user=alice,
    )


def _hannah_in_london_on_mondays() -> None:
    WeeklyAvailability.objects.create(
        practitioner=_pr("hannah-okafor"),
        site=_site("london"),
        weekday=0,
        starts=time(9),
        ends=time(18),
    )


def _treatment(site: str, start: datetime, email: str = "alice@example.com", **kw: Any) -> Any:
    return booking_create(
        service=_svc("treatment-session"),
        site=_site(site),
        start=start,
        patient=PatientDetails(name="Alice Runner", email=email, phone="07700 900123"),
        **kw,
    )


# 1 ------------------------------------------------------------------------------------------


class MoveTests:
    def test_staff_move_a_booking_keeping_reference_and_invite(
        self, client: Client, call: Booking, bob: Any
    ) -> None:
        client.force_login(bob)
        detail = client.get(f"/staff/bookings/{call.reference}/").content.decode()
        assert f"/staff/bookings/{call.reference}/move/" in detail
        assert "/book/manage/" in detail  # the patient's manage link
        page = client.get(f"/staff/bookings/{call.reference}/move/?date=2027-03-22")
        assert page.status_code == 200
        new_start = datetime(2027, 3, 22, 11, 0, tzinfo=LONDON)
        value = f"{new_start.isoformat()}|{call.practitioner_id}"
        assert value in page.content.decode()
        response = client.post(
            f"/staff/bookings/{call.reference}/move/", {"slot": value, "date": "2027-03-22"}
        )
        assert response.status_code == 302
        moved = Booking.objects.get(pk=call.pk)
        assert moved.start == new_start and moved.reference == call.reference
        assert moved.uid == call.uid and moved.sequence == call.sequence + 1
        assert OutboxMessage.objects.filter(
            booking=moved, kind=OutboxMessage.Kind.RESCHEDULED
        ).exists()
        event = AuditEvent.objects.get(object_type="booking", detail="moved")
        assert event.actor == bob and event.subject_user_id == call.user_id

    def test_clinician_b_cannot_move_clinician_as_booking(
        self, client: Client, call: Booking, charlie: Any
    ) -> None:
        client.force_login(charlie)
        url = f"/staff/bookings/{call.reference}/move/"
        assert client.get(url).status_code == 404
        value = f"{datetime(2027, 3, 22, 11, 0, tzinfo=LONDON).isoformat()}|{call.practitioner_id}"
        assert client.post(url, {"slot": value}).status_code == 404
        assert Booking.objects.get(pk=call.pk).start == CALL

    def test_staff_moving_are_not_held_to_the_online_notice(
        self, call: Booking, set_now: Any
    ) -> None:
        set_now(CALL - timedelta(hours=1))  # inside the 2-hour online notice
        with pytest.raises(PolicyError):
            booking_reschedule(booking=call, start=CALL + timedelta(hours=1))
        moved = booking_reschedule(booking=call, start=CALL + timedelta(hours=1), by_staff=True)
        assert moved.start == CALL + timedelta(hours=1)


# 2 ------------------------------------------------------------------------------------------


class PractitionerChoiceTests:
    def test_the_receptionist_may_pick_either_free_practitioner(
        self, client: Client, staff: None, bob: Any
    ) -> None:
        _hannah_in_london_on_mondays()
        client.force_login(bob)
        page = client.get(
            "/staff/bookings/new/?service=follow-up&site=london&date=2027-03-22"
        ).content.decode()
        assert "10:00 with Oliver Eaton" in page and "10:00 with Dr Hannah Okafor" in page
        hannah = _pr("hannah-okafor")
        response = client.post(
            "/staff/bookings/new/",
            {
                "service": "follow-up",
                "site": "london",
                "date": "2027-03-22",
                "slot": f"{MONDAY_10.isoformat()}|{hannah.pk}",
                "name": "Caller",
                "email": "caller@example.com",
            },
        )
        assert response.status_code == 302
        assert Booking.objects.get().practitioner == hannah

    def test_patient_pages_keep_one_time_per_start(self, staff: None) -> None:
        _hannah_in_london_on_mondays()
        found = slots_list(
            service=_svc("follow-up"), site=_site("london"), first_day=date(2027, 3, 22)
        )
        assert len([s for s in found if s.start == MONDAY_10]) == 2
        day = slots_by_day(found)[date(2027, 3, 22)]
        assert len([s for s in day if s.start == MONDAY_10]) == 1
        every = slots_by_day(found, every_practitioner=True)[date(2027, 3, 22)]
        assert len([s for s in every if s.start == MONDAY_10]) == 2


# 3 ------------------------------------------------------------------------------------------


class OnePatientOnePlaceTests:
    def test_the_same_email_cannot_be_in_two_places_at_once(self, staff: None, dana: Any) -> None:
        _treatment("london", MONDAY_10, by_staff=True)
        with pytest.raises(BookingInputError) as refused:  # the administrator may see it
            _treatment(
                "bedford", MONDAY_10, email="ALICE@example.com", by_staff=True, booked_by=dana
            )
        message = refused.value.errors["start"][0]
        assert "10:00-10:30" in message and "London" in message
        # The buffer is the room's turnaround, not the patient's: back to back is allowed.
        assert _treatment("bedford", MONDAY_10 + timedelta(minutes=30), by_staff=True)

    def test_the_same_account_with_another_email_is_refused_too(
        self, staff: None, alice: Any
    ) -> None:
        _treatment("london", MONDAY_10, user=alice)
        with pytest.raises(BookingInputError) as refused:
            _treatment("bedford", MONDAY_10, email="other@example.com", user=alice)
        assert "You already have a booking" in refused.value.errors["start"][0]

    def test_an_anonymous_visitor_is_booked_and_staff_see_a_possible_double_booking(
        self, staff: None, dana: Any
    ) -> None:
        first = _treatment("london", MONDAY_10)
        # A typed email proves nothing: no refusal (it would tell a stranger about the other
        # booking); the booking is made as for any free time and marked for staff instead.
        second = _treatment("bedford", MONDAY_10)
        marks = booking_duplicates([first, second], viewer=dana)
        assert marks[second.pk].startswith(
            f"Possible double booking of one patient: same email as {first.reference} at 10:00"
        )
        assert first.reference not in marks[first.pk] and second.reference in marks[first.pk]

    def test_rescheduling_and_courses_are_checked_too(self, staff: None) -> None:
        _treatment("london", MONDAY_10, by_staff=True)
        other = _treatment("bedford", MONDAY_10 + timedelta(hours=2), by_staff=True)
        with pytest.raises(BookingInputError):
            booking_reschedule(booking=other, start=MONDAY_10, by_staff=True)
        with pytest.raises(BookingInputError) as refused:
            course_book(
                plan=CoursePlan.objects.get(slug="three-session-course"),
                site=_site("london"),
                starts=[  # as entered: the clash is the second session, the earliest date
                    MONDAY_10 + timedelta(days=14),
                    MONDAY_10,
                    MONDAY_10 + timedelta(days=28),
                ],
                patient=PatientDetails(name="Alice Runner", email="alice@example.com"),
                by_staff=True,
            )
        assert list(refused.value.errors) == ["starts.1"]

    def test_the_staff_form_refuses_with_the_other_booking(
        self, client: Client, staff: None, bob: Any, dana: Any
    ) -> None:
        other = _treatment("london", MONDAY_10, by_staff=True)
        data = {
            "service": "treatment-session",
            "site": "bedford",
            "date": "2027-03-22",
            "slot": f"{MONDAY_10.isoformat()}|{_pr('hannah-okafor').pk}",
            "name": "Alice Runner",
            "email": "alice@example.com",
        }
        client.force_login(dana)  # the administrator sees every booking
        response = client.post("/staff/bookings/new/", data)
        assert response.status_code == 422
        assert "already has a booking at 10:00-10:30" in response.content.decode()
        client.force_login(bob)  # not in Bob's care: only that she is busy then
        response = client.post("/staff/bookings/new/", data)
        assert response.status_code == 422
        page = response.content.decode()
        assert "already has an appointment at an overlapping time" in page
        assert other.reference not in page and "10:00-10:30" not in page
        assert Booking.objects.count() == 1


# 4 ------------------------------------------------------------------------------------------


class TimeOffAndClosureTests:
    def test_time_off_over_bookings_needs_acknowledging_and_is_marked(
        self, client: Client, call: Booking, bob: Any
    ) -> None:
        data = {
            "practitioner": call.practitioner_id,
            "start": "2027-03-22 08:00",
            "end": "2027-03-22 12:00",
            "reason": "Course",
        }
        form = TimeOffForm(data)
        assert not form.is_valid()
        assert call.reference in form.errors["acknowledge_clashes"][0]
        form = TimeOffForm({**data, "acknowledge_clashes": "on"})
        assert form.is_valid(), form.errors
        form.save()
        client.force_login(bob)
        page = client.get("/staff/bookings/?date=2027-03-22").content.decode()
        assert "Clashes with time off" in page
        assert (
            "Clashes with time off"
            in client.get(f"/staff/bookings/{call.reference}/").content.decode()
        )

    def test_time_off_elsewhere_saves_without_a_tick(self, call: Booking) -> None:
        form = TimeOffForm(
            {
                "practitioner": call.practitioner_id,
                "start": "2027-03-23 08:00",
                "end": "2027-03-23 12:00",
            }
        )
        assert form.is_valid(), form.errors

    def test_the_admin_uses_the_checking_form(
        self, client: Client, call: Booking, dana: Any
    ) -> None:
        from heelwise.accounts.models import User

        root = User.objects.create_superuser("root@example.com", "root-password-1")
        client.force_login(root)
        response = client.post(
            "/admin/booking/timeoff/add/",
            {
                "practitioner": call.practitioner_id,
                "start_0": "2027-03-22",
                "start_1": "08:00",
                "end_0": "2027-03-22",
                "end_1": "12:00",
                "reason": "",
            },
        )
        assert response.status_code == 200 and not TimeOff.objects.exists()
        assert call.reference in response.content.decode()

    def test_a_closure_over_bookings_needs_acknowledging(
        self, client: Client, staff: None, dana: Any
    ) -> None:
        booking = _treatment("london", MONDAY_10, by_staff=True)
        data = {
            "site": _site("london").pk,
            "first_day": "2027-03-22",
            "last_day": "2027-03-22",
            "reason": "Flood",
        }
        form = ClosureForm(data)
        assert not form.is_valid() and booking.reference in str(form.errors)
        form = ClosureForm({**data, "acknowledge_clashes": "on"})
        assert form.is_valid(), form.errors
        form.save()
        client.force_login(dana)
        page = client.get("/staff/bookings/?date=2027-03-22").content.decode()
        assert "Clashes with closure" in page
        assert ClosureForm({**data, "first_day": "2027-03-23", "last_day": "2027-03-23"}).is_valid()


# 5 ------------------------------------------------------------------------------------------


class CourseErrorTests:
    def _post(self, client: Client, sessions: list[str]) -> Any:
        data = {
            "plan": CoursePlan.objects.get(slug="three-session-course").pk,
            "site": _site("london").pk,
            "name": "Course Patient",
            "email": "course@example.com",
        }
        data.update({f"session_{i}": v for i, v in enumerate(sessions, start=1) if v})
        return client.post("/staff/bookings/course/", data)

    def test_errors_name_the_session_as_entered(
        self, client: Client, staff: None, bob: Any
    ) -> None:
        client.force_login(bob)
        # Thursdays, entered latest first; the third is before opening time.
        response = self._post(client, ["2027-04-22T10:00", "2027-04-08T10:00", "2027-03-25T07:00"])
        assert response.status_code == 422
        errors = response.context["form"].errors
        assert "session_3" in errors and "session_1" not in errors

    def test_a_taken_session_is_named(self, client: Client, staff: None, bob: Any) -> None:
        _treatment("london", datetime(2027, 4, 8, 10, 0, tzinfo=LONDON), email="x@example.com")
        client.force_login(bob)
        response = self._post(client, ["2027-03-25T10:00", "2027-04-08T10:00", "2027-04-22T10:00"])
        assert response.status_code == 409
        assert "Session 2: This time is no longer free" in response.content.decode()
        assert "session_2" in response.context["form"].errors

    def test_sessions_are_labelled_first_required(
        self, client: Client, staff: None, bob: Any
    ) -> None:
        client.force_login(bob)
        page = client.get("/staff/bookings/course/").content.decode()
        assert 'for="id_session_1">Session 1</label>' in page
        assert "Only for a course of 2 or more sessions." in page
        skipped = self._post(client, ["2027-03-25T10:00", "", "2027-04-22T10:00"])
        assert "session_2" in skipped.context["form"].errors


# 6 ------------------------------------------------------------------------------------------


class StaffNoticeTests:
    def test_staff_may_book_inside_the_online_notice(
        self, client: Client, staff: None, bob: Any, set_now: Any
    ) -> None:
        set_now(datetime(2027, 3, 22, 0, 0, tzinfo=UTC))  # 10 hours before 10:00
        with pytest.raises(BookingInputError, match="12 hours' notice"):
            _treatment("london", MONDAY_10)
        client.force_login(bob)
        page = client.get(
            "/staff/bookings/new/?service=treatment-session&site=london&date=2027-03-22"
        )
        assert "10:00 with Oliver Eaton" in page.content.decode()
        response = client.post(
            "/staff/bookings/new/",
            {
                "service": "treatment-session",
                "site": "london",
                "date": "2027-03-22",
                "slot": f"{MONDAY_10.isoformat()}|{_pr('oliver-eaton').pk}",
                "name": "Caller",
                "email": "caller@example.com",
            },
        )
        assert response.status_code == 302 and Booking.objects.count() == 1

    def test_staff_may_not_book_the_past(self, staff: None, set_now: Any) -> None:
        set_now(datetime(2027, 3, 22, 11, 0, tzinfo=UTC))
        with pytest.raises(BookingInputError, match="in the past"):
            _treatment("london", MONDAY_10, by_staff=True)


# 7 ------------------------------------------------------------------------------------------


class JoinedWindowTests:
    def _times(self, service: str, site: str, day: date) -> list[str]:
        found = slots_list(service=_svc(service), site=_site(site), first_day=day)
        return sorted({s.local_start.strftime("%H:%M") for s in found})

    def test_no_slot_is_lost_where_two_blocks_meet(self, staff: None) -> None:
        times = self._times("treatment-session", "manchester", date(2027, 3, 24))
        assert {"17:30", "17:45", "18:00"} <= set(times)

    def test_the_appointment_ends_by_closing_and_its_buffer_may_run_past(self, staff: None) -> None:
        times = self._times("treatment-session", "london", date(2027, 3, 25))
        assert times[-1] == "20:00"  # 20:00-20:30, buffer to 20:40 after closing
        assert "12:30" in times  # ends 13:00; buffer runs into the lunch break
        assert "12:45" not in times


# 8 ------------------------------------------------------------------------------------------


class BookFormPlaceTests:
    def test_a_taken_time_keeps_the_day_and_says_no_longer_free(
        self, client: Client, staff: None, bob: Any
    ) -> None:
        oliver = _pr("oliver-eaton")
        value = f"{MONDAY_10.isoformat()}|{oliver.pk}"
        _treatment("london", MONDAY_10, email="first@example.com")
        client.force_login(bob)
        response = client.post(
            "/staff/bookings/new/",
            {
                "service": "follow-up",
                "site": "london",
                "date": "2027-03-22",
                "slot": value,
                "name": "Caller",
                "email": "caller@example.com",
            },
        )
        page = response.content.decode()
        assert response.status_code == 409
        assert "This time is no longer free" in page and "just been booked" not in page
        assert "Monday 22 March 2027" in page and "11:00 with Oliver Eaton" in page
        assert 'value="Caller"' in page

    def test_full_rooms_are_named(self, staff: None) -> None:
        WeeklyAvailability.objects.create(
            practitioner=_pr("tom-walsh"),
            site=_site("bedford"),
            weekday=0,
            starts=time(9),
            ends=time(18),
        )
        _treatment(
            "bedford",
            MONDAY_10,
            email="first@example.com",
            practitioner_id=_pr("hannah-okafor").pk,
        )
        with pytest.raises(SlotTaken, match="No treatment room is free at this time"):
            slot_validate(
                service=_svc("treatment-session"),
                site=_site("bedford"),
                start=MONDAY_10,
                practitioner_id=_pr("tom-walsh").pk,
            )


# 9 ------------------------------------------------------------------------------------------


class CancelTests:
    def test_a_past_booking_cannot_be_cancelled(
        self, client: Client, call: Booking, bob: Any, set_now: Any
    ) -> None:
        set_now(CALL + timedelta(hours=1))
        with pytest.raises(PolicyError, match="already started"):
            booking_cancel(booking=call, by_staff=True)
        client.force_login(bob)
        response = client.post(
            f"/staff/bookings/{call.reference}/action/",
            {"action": "cancel", "confirm": "yes"},
            follow=True,
        )
        assert "already started" in response.content.decode()
        assert Booking.objects.get(pk=call.pk).status == "confirmed"
        assert not OutboxMessage.objects.filter(kind="cancellation").exists()

    def test_cancelling_asks_for_confirmation_first(
        self, client: Client, call: Booking, bob: Any
    ) -> None:
        client.force_login(bob)
        url = f"/staff/bookings/{call.reference}/action/"
        first = client.post(url, {"action": "cancel"})
        assert first.status_code == 302
        assert first["Location"] == f"/staff/bookings/{call.reference}/cancel/"
        assert Booking.objects.get(pk=call.pk).status == "confirmed"
        page = client.get(first["Location"]).content.decode()
        assert 'name="confirm" value="yes"' in page and "onclick" not in page
        client.post(url, {"action": "cancel", "confirm": "yes"})
        assert Booking.objects.get(pk=call.pk).status == "cancelled"


# 10 -----------------------------------------------------------------------------------------


class SearchTests:
    def test_search_finds_only_bookings_in_care_and_audits_without_the_query(
        self, client: Client, call: Booking, bob: Any, charlie: Any, dana: Any
    ) -> None:
        for who, found in ((bob, True), (charlie, False), (dana, True)):
            client.force_login(who)
            for query in ("alice run", "ALICE@example", "07700900123", call.reference):
                page = client.post("/staff/bookings/search/", {"q": query}).content.decode()
                assert (f"/staff/bookings/{call.reference}/" in page) is found, (who, query)
        events = AuditEvent.objects.filter(object_type="booking_search")
        assert events.count() == 12
        assert events.filter(actor=bob, detail="search: 1 results").count() == 4
        assert events.filter(actor=charlie, detail="search: 0 results").count() == 4
        assert not any("alice" in e.detail.lower() or "07700" in e.detail for e in events)


# 11 -----------------------------------------------------------------------------------------


class LabelTests:
    def test_the_error_summary_uses_field_labels(
        self, client: Client, staff: None, bob: Any
    ) -> None:
        client.force_login(bob)
        response = client.post(
            "/staff/bookings/new/",
            {
                "service": "follow-up",
                "site": "london",
                "date": "2027-03-22",
                "email": "x@example.com",
            },
        )
        page = response.content.decode()
        assert response.status_code == 422
        assert "<li>Full name: This field is required.</li>" in page
        assert "<li>Time: Choose a time.</li>" in page
        assert "<li>name:" not in page and "<li>start:" not in page

    def test_sites_for_service_filters_by_service(self, staff: None) -> None:
        assert list(sites_for_service(service=_svc("discovery-call"))) == []
        in_person = {s.slug for s in sites_for_service(service=_svc("treatment-session"))}
        assert in_person == {"london", "manchester", "bedford"}
        Service.objects.filter(slug="treatment-session").update(is_active=False)
        assert list(sites_for_service(service=_svc("treatment-session"))) == []

    def test_the_staff_nav_is_labelled_staff(self, client: Client, staff: None, bob: Any) -> None:
        client.force_login(bob)
        page = client.get("/staff/bookings/").content.decode()
        assert 'aria-label="Staff"' in page and 'aria-label="Bookings"' not in page
