"""The clinic-staff re-test of the booking workflow: course spacing on every move, a move to
where the booking already is, search input (control characters, short queries, phone formats,
reference case), schedule changes in the admin that would strand bookings, clear admin errors,
the patient pages' place and status after a refusal, and the staff pages' wording and layout.

Personas as in ``test_staff_booking``: Bob is Priya Shah's practitioner record, Charlie is Tom
Walsh's, Dana a clinic administrator.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from heelwise.booking.availability import LONDON
from heelwise.booking.links import manage_token
from heelwise.booking.models import (
    Booking,
    Course,
    CoursePlan,
    OutboxMessage,
    TimeOff,
    WaitlistEntry,
    WeeklyAvailability,
)
from heelwise.booking.selectors import booking_get, booking_get_by_token
from heelwise.booking.services import (
    ALREADY_THERE,
    NothingChanged,
    PatientDetails,
    booking_create,
    booking_reschedule,
    course_book,
)
from heelwise.clinics.forms import TimeOffForm
from heelwise.clinics.models import Closure, Practitioner, Room, Service, Site
from heelwise.common.models import AuditEvent

pytestmark = pytest.mark.django_db

# Tom Walsh works in Manchester on Mondays and Tuesdays, 09:00-18:00.
MON_22 = datetime(2027, 3, 22, 10, 0, tzinfo=LONDON)
MON_5 = datetime(2027, 4, 5, 10, 0, tzinfo=LONDON)
MON_19 = datetime(2027, 4, 19, 10, 0, tzinfo=LONDON)
ALICE = PatientDetails(name="Alice Runner", email="alice@example.com", phone="07700 900123")


@pytest.fixture
def dana(db: None) -> Any:
    from heelwise.accounts.models import User

    return User.objects.create_user(
        "dana@example.com", "dana-password-1", full_name="Dana Admin", role=User.Role.ADMIN
    )


@pytest.fixture
def root(db: None) -> Any:
    from heelwise.accounts.models import User

    return User.objects.create_superuser("root@example.com", "root-password-1")


@pytest.fixture
def staff(clinic: None, bob: Any, charlie: Any) -> None:
    Practitioner.objects.filter(slug="priya-shah").update(user=bob)
    Practitioner.objects.filter(slug="tom-walsh").update(user=charlie)


def _treatment(start: datetime, patient: PatientDetails = ALICE, site: str = "manchester") -> Any:
    return booking_create(
        service=Service.objects.get(slug="treatment-session"),
        site=Site.objects.get(slug=site),
        start=start,
        patient=patient,
        by_staff=True,
    )


@pytest.fixture
def course(staff: None) -> Course:
    """Alice's three sessions in Manchester, 14 days apart."""
    return course_book(
        plan=CoursePlan.objects.get(slug="three-session-course"),
        site=Site.objects.get(slug="manchester"),
        starts=[MON_22, MON_5, MON_19],
        patient=ALICE,
        by_staff=True,
    )


def _session(course: Course, n: int) -> Booking:
    return course.bookings.order_by("start")[n - 1]


def _slot(start: datetime, practitioner_id: int) -> str:
    return f"{start.isoformat()}|{practitioner_id}"


# 1 Course spacing on every move -----------------------------------------------------------------


class CourseSpacingTests:
    def test_staff_cannot_move_a_session_next_to_another(
        self, client: Client, course: Course, dana: Any
    ) -> None:
        second = _session(course, 2)
        client.force_login(dana)
        url = f"/staff/bookings/{second.reference}/move/"
        page = client.get(url + "?date=2027-03-22").content.decode()
        assert "14-21 days apart" in page
        assert _slot(MON_22 + timedelta(hours=1), second.practitioner_id) not in page
        response = client.post(
            url,
            {
                "slot": _slot(MON_22 + timedelta(hours=1), second.practitioner_id),
                "date": "2027-03-22",
            },
        )
        text = response.content.decode()
        assert response.status_code == 422
        assert "Sessions of this course must be 14-21 days apart" in text
        assert "0 days after the session on Monday 22 March 2027" in text
        assert "28 days before the session on Monday 19 April 2027" in text
        second.refresh_from_db()
        assert second.start == MON_5 and second.sequence == 0
        assert not OutboxMessage.objects.filter(kind=OutboxMessage.Kind.RESCHEDULED).exists()

    def test_the_next_session_is_checked_too_and_a_good_move_works(self, course: Course) -> None:
        second, third = _session(course, 2), _session(course, 3)
        from heelwise.booking.availability import BookingInputError

        with pytest.raises(BookingInputError) as refused:  # Tuesday 6 April: 13 days before
            booking_reschedule(booking=second, start=MON_5 + timedelta(days=1), by_staff=True)
        assert (
            "13 days before the session on Monday 19 April 2027" in refused.value.errors["start"][0]
        )
        moved = booking_reschedule(booking=third, start=MON_19 + timedelta(days=1), by_staff=True)
        assert moved.start == MON_19 + timedelta(days=1)

    def test_a_cancelled_session_does_not_count(self, course: Course) -> None:
        from heelwise.booking.services import booking_cancel

        booking_cancel(booking=_session(course, 1), by_staff=True)
        tuesday_30 = MON_22 + timedelta(days=8)  # 8 days after the cancelled first session
        moved = booking_reschedule(booking=_session(course, 2), start=tuesday_30, by_staff=True)
        assert moved.start == tuesday_30

    def test_the_patient_reschedule_link_keeps_the_spacing(
        self, client: Client, course: Course
    ) -> None:
        second = _session(course, 2)
        token = manage_token(second)
        page = client.get(f"/book/manage/{token}/reschedule/?date=2027-03-22").content.decode()
        assert "Move to Monday 22 March" not in page
        page = client.get(f"/book/manage/{token}/reschedule/?date=2027-04-05").content.decode()
        assert "Move to Monday 5 April, 10:15" in page  # its own day keeps the spacing
        assert "Move to Tuesday 6 April" not in page  # 13 days before the third session
        response = client.post(
            f"/book/manage/{token}/reschedule/",
            {"start": (MON_22 + timedelta(hours=1)).isoformat()},
        )
        assert response.status_code == 422
        assert "0 days after the session on Monday 22 March 2027" in response.content.decode()
        second.refresh_from_db()
        assert second.start == MON_5


# 2 A move to where it already is ----------------------------------------------------------------


class NothingToMoveTests:
    def test_staff_move_to_the_same_time_changes_nothing(
        self, client: Client, staff: None, dana: Any
    ) -> None:
        booking = _treatment(MON_22)
        WaitlistEntry.objects.create(
            service=booking.service,
            site=booking.site,
            day=date(2027, 3, 22),
            name="Wait Er",
            email="wait@example.com",
        )
        client.force_login(dana)
        url = f"/staff/bookings/{booking.reference}/move/"
        response = client.post(
            url, {"slot": _slot(MON_22, booking.practitioner_id), "date": "2027-03-22"}
        )
        assert response.status_code == 302
        assert response["Location"] == f"/staff/bookings/{booking.reference}/"
        page = client.get(response["Location"]).content.decode()
        assert "It is already at that time; nothing was changed." in page
        booking.refresh_from_db()
        assert booking.sequence == 0 and booking.start == MON_22
        assert not OutboxMessage.objects.filter(kind=OutboxMessage.Kind.RESCHEDULED).exists()
        assert not AuditEvent.objects.filter(detail="moved").exists()
        assert WaitlistEntry.objects.get().status == WaitlistEntry.Status.WAITING

    def test_the_service_and_the_patient_page_refuse_a_move_to_the_same_time(
        self, client: Client, staff: None
    ) -> None:
        booking = _treatment(MON_22)
        with pytest.raises(NothingChanged, match=ALREADY_THERE):
            booking_reschedule(booking=booking, start=MON_22)
        token = manage_token(booking)
        response = client.post(
            f"/book/manage/{token}/reschedule/", {"start": MON_22.isoformat()}, follow=True
        )
        assert "It is already at that time; nothing was changed." in response.content.decode()
        booking.refresh_from_db()
        assert booking.sequence == 0
        assert not OutboxMessage.objects.filter(kind=OutboxMessage.Kind.RESCHEDULED).exists()


# 3 Search input and references ------------------------------------------------------------------


class SearchInputTests:
    def test_control_characters_and_short_queries_search_nothing_and_audit_nothing(
        self, client: Client, staff: None, dana: Any
    ) -> None:
        booking = _treatment(MON_22)
        client.force_login(dana)
        for query in ("\x00\x00", "\x00a\x00", "a", " \t"):
            response = client.post("/staff/bookings/search/", {"q": query})
            page = response.content.decode()
            assert response.status_code == 200
            assert booking.reference not in page, repr(query)
            assert "Enter at least 2 letters or digits to search" in page
        assert not AuditEvent.objects.filter(object_type="booking_search").exists()
        # Control characters inside a real query are dropped, not searched for.
        for query in ("Ali\x00ce", "Alice\x00", "alice\tRunner\x07"):
            page = client.post("/staff/bookings/search/", {"q": query}).content.decode()
            assert f"/staff/bookings/{booking.reference}/" in page, repr(query)
        assert AuditEvent.objects.filter(object_type="booking_search").count() == 3

    @pytest.mark.parametrize(
        ("stored", "query"),
        [
            ("07700 900123", "+44 7700 900123"),
            ("07700 900123", "0044 7700 900123"),
            ("+44 7700 900123", "07700900123"),
            ("+44 (0)7700 900123", "07700 900 123"),
            ("+447700900123", "7700 900123"),
        ],
    )
    def test_phone_search_ignores_spaces_and_the_uk_prefix(
        self, client: Client, staff: None, dana: Any, stored: str, query: str
    ) -> None:
        booking = _treatment(MON_22, PatientDetails(name="P", email="p@example.com", phone=stored))
        client.force_login(dana)
        page = client.post("/staff/bookings/search/", {"q": query}).content.decode()
        assert f"/staff/bookings/{booking.reference}/" in page

    def test_references_are_accepted_in_any_case(
        self, client: Client, staff: None, dana: Any
    ) -> None:
        booking = _treatment(MON_22)
        client.force_login(dana)
        lower = booking.reference.lower()
        assert client.get(f"/staff/bookings/{lower}/").status_code == 200
        assert client.get(f"/staff/bookings/{lower}/move/").status_code == 200
        assert booking_get(reference=f" {lower} ").pk == booking.pk
        assert booking_get_by_token(reference=lower, uid_hex=booking.uid.hex).pk == booking.pk


@pytest.mark.postgres
def test_a_nul_in_the_search_is_not_sent_to_postgresql(
    postgres_only: None, client: Client, staff: None, dana: Any
) -> None:
    booking = _treatment(MON_22)
    client.force_login(dana)
    assert client.post("/staff/bookings/search/", {"q": "\x00\x00"}).status_code == 200
    page = client.post("/staff/bookings/search/", {"q": "Alice\x00"}).content.decode()
    assert f"/staff/bookings/{booking.reference}/" in page


# 4 Schedule changes in the admin that would strand bookings -------------------------------------


def _admin_form_data(response: Any) -> dict[str, Any]:
    """The admin change page's form (and its inlines) as the browser would post it back."""
    data: dict[str, Any] = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management[name].html_name] = management[name].value()
        forms.extend(formset.forms)
    for form in forms:
        for name in form.fields:
            bound = form[name]
            value = bound.value()
            if isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
            elif value is not None:
                data[bound.html_name] = str(value)
    return data


class StrandedBookingTests:
    def test_deactivating_a_site_with_bookings_needs_acknowledging(
        self, client: Client, staff: None, root: Any
    ) -> None:
        booking = _treatment(MON_22)
        site = Site.objects.get(slug="manchester")
        client.force_login(root)
        url = f"/admin/clinics/site/{site.pk}/change/"
        data = _admin_form_data(client.get(url))
        assert client.post(url, data).status_code == 302  # unchanged: no tick needed
        data.pop("is_active")
        refused = client.post(url, data)
        assert refused.status_code == 200
        text = refused.content.decode()
        assert "1 confirmed booking falls at this clinic from now on" in text
        assert booking.reference in text
        assert Site.objects.get(pk=site.pk).is_active
        assert client.post(url, {**data, "acknowledge_clashes": "on"}).status_code == 302
        assert not Site.objects.get(pk=site.pk).is_active

    def test_deactivating_a_room_with_bookings_needs_acknowledging(
        self, client: Client, staff: None, root: Any
    ) -> None:
        booking = _treatment(MON_22)
        room = Room.objects.get(pk=booking.room_id)
        client.force_login(root)
        url = f"/admin/clinics/site/{room.site_id}/change/"
        data = _admin_form_data(client.get(url))
        prefix = next(k for k, v in data.items() if k.endswith("-id") and v == str(room.pk))[:-3]
        data.pop(f"{prefix}-is_active")
        refused = client.post(url, data)
        assert refused.status_code == 200 and booking.reference in refused.content.decode()
        assert Room.objects.get(pk=room.pk).is_active
        data[f"{prefix}-acknowledge_clashes"] = "on"
        assert client.post(url, data).status_code == 302
        assert not Room.objects.get(pk=room.pk).is_active

    def test_shrinking_weekly_availability_over_bookings_needs_acknowledging(
        self, client: Client, staff: None, root: Any
    ) -> None:
        booking = _treatment(MON_22)  # Tom, Manchester, Monday 10:00-10:30
        rule = WeeklyAvailability.objects.get(
            practitioner__slug="tom-walsh", site__slug="manchester", weekday=0
        )
        client.force_login(root)
        url = f"/admin/booking/weeklyavailability/{rule.pk}/change/"
        data = {
            "practitioner": rule.practitioner_id,
            "site": rule.site_id,
            "weekday": 0,
            "starts": "09:00",
            "ends": "12:00",
            "valid_from": "",
            "valid_until": "",
        }
        assert client.post(url, data).status_code == 302  # still covers 10:00-10:30
        refused = client.post(url, {**data, "ends": "10:15"})
        assert refused.status_code == 200 and booking.reference in refused.content.decode()
        assert WeeklyAvailability.objects.get(pk=rule.pk).ends == time(12)
        ended = {**data, "valid_until": "2027-03-21"}  # ends before the booking's day
        assert client.post(url, ended).status_code == 200
        assert client.post(url, {**ended, "acknowledge_clashes": "on"}).status_code == 302
        assert WeeklyAvailability.objects.get(pk=rule.pk).valid_until == date(2027, 3, 21)

    def test_deleting_weekly_availability_over_bookings_needs_acknowledging(
        self, client: Client, staff: None, root: Any
    ) -> None:
        booking = _treatment(MON_22)
        rule = WeeklyAvailability.objects.get(
            practitioner__slug="tom-walsh", site__slug="manchester", weekday=0
        )
        client.force_login(root)
        url = f"/admin/booking/weeklyavailability/{rule.pk}/delete/"
        page = client.get(url).content.decode()
        assert booking.reference in page and "I will move or cancel these bookings" in page
        refused = client.post(url, {"post": "yes"}, follow=True)
        assert booking.reference in refused.content.decode()
        assert WeeklyAvailability.objects.filter(pk=rule.pk).exists()
        response = client.post(url, {"post": "yes", "acknowledge_clashes": "on"})
        assert response.status_code == 302
        assert not WeeklyAvailability.objects.filter(pk=rule.pk).exists()
        # The bulk delete action, which would skip this check, is not offered.
        listing = client.get("/admin/booking/weeklyavailability/").content.decode()
        assert 'value="delete_selected"' not in listing

    def test_deleting_availability_without_bookings_asks_nothing(
        self, client: Client, staff: None, root: Any
    ) -> None:
        rule = WeeklyAvailability.objects.get(
            practitioner__slug="tom-walsh", site__slug="manchester", weekday=0
        )
        client.force_login(root)
        response = client.post(
            f"/admin/booking/weeklyavailability/{rule.pk}/delete/", {"post": "yes"}
        )
        assert response.status_code == 302
        assert not WeeklyAvailability.objects.filter(pk=rule.pk).exists()


# 5 Clear admin errors; no second tick for an unchanged period -----------------------------------


class AdminErrorTests:
    def test_time_off_ending_before_it_starts_is_a_field_error(
        self, client: Client, staff: None, root: Any
    ) -> None:
        client.force_login(root)
        response = client.post(
            "/admin/booking/timeoff/add/",
            {
                "practitioner": Practitioner.objects.get(slug="tom-walsh").pk,
                "start_0": "2027-03-22",
                "start_1": "12:00",
                "end_0": "2027-03-22",
                "end_1": "08:00",
                "reason": "",
            },
        )
        page = response.content.decode()
        assert response.status_code == 200 and not TimeOff.objects.exists()
        assert "The end must be after the start." in page
        assert "Constraint" not in page
        assert "end" in response.context["adminform"].form.errors

    @pytest.mark.parametrize(
        ("url", "data", "message"),
        [
            (
                "/admin/booking/break/add/",
                {"practitioner": "tom", "weekday": "0", "starts": "13:00", "ends": "12:00"},
                "The end must be after the start.",
            ),
            (
                "/admin/booking/weeklyavailability/add/",
                {"practitioner": "tom", "weekday": "0", "starts": "13:00", "ends": "12:00"},
                "The end must be after the start.",
            ),
            (
                "/admin/booking/courseplan/add/",
                {
                    "slug": "c",
                    "name": "C",
                    "service": "svc",
                    "sessions": "2",
                    "min_gap_days": "21",
                    "max_gap_days": "14",
                },
                "The maximum gap must be at least the minimum gap (in days).",
            ),
        ],
    )
    def test_other_admin_forms_say_what_is_wrong(
        self, client: Client, staff: None, root: Any, url: str, data: dict[str, str], message: str
    ) -> None:
        if data.get("practitioner") == "tom":
            data = {**data, "practitioner": str(Practitioner.objects.get(slug="tom-walsh").pk)}
        if data.get("service") == "svc":
            data = {**data, "service": str(Service.objects.get(slug="treatment-session").pk)}
        client.force_login(root)
        page = client.post(url, data).content.decode()
        assert message in page and "Constraint" not in page

    def test_resaving_time_off_without_changing_the_period_needs_no_tick(
        self, client: Client, staff: None, root: Any
    ) -> None:
        booking = _treatment(MON_22)
        data = {
            "practitioner": booking.practitioner_id,
            "start": "2027-03-22 08:00",
            "end": "2027-03-22 12:00",
            "reason": "Course",
        }
        form = TimeOffForm(data)
        assert not form.is_valid()
        assert str(form.errors["acknowledge_clashes"][0]).startswith(
            "1 confirmed booking falls in this time off: "
        )
        off = TimeOffForm({**data, "acknowledge_clashes": "on"})
        off.save()
        client.force_login(root)
        url = f"/admin/booking/timeoff/{off.instance.pk}/change/"
        fixed = {
            "practitioner": booking.practitioner_id,
            "start_0": "2027-03-22",
            "start_1": "08:00",
            "end_0": "2027-03-22",
            "end_1": "12:00",
            "reason": "Training course",
        }
        assert client.post(url, fixed).status_code == 302
        assert TimeOff.objects.get().reason == "Training course"
        longer = client.post(url, {**fixed, "end_1": "13:00"})  # the period changed: ask again
        assert longer.status_code == 200 and booking.reference in longer.content.decode()

    def test_two_bookings_fall_and_an_unchanged_closure_is_not_asked_again(
        self, client: Client, staff: None, root: Any
    ) -> None:
        first = _treatment(MON_22)
        _treatment(MON_22 + timedelta(hours=2), PatientDetails(name="B", email="b@example.com"))
        site = Site.objects.get(slug="manchester")
        from heelwise.clinics.forms import ClosureForm

        data = {"site": site.pk, "first_day": "2027-03-22", "last_day": "2027-03-22"}
        form = ClosureForm({**data, "reason": "Flood"})
        assert not form.is_valid()
        assert "2 confirmed bookings fall in this closure" in form.errors["acknowledge_clashes"][0]
        ClosureForm({**data, "reason": "Flood", "acknowledge_clashes": "on"}).save()
        client.force_login(root)
        url = f"/admin/clinics/site/{site.pk}/change/"
        page = client.get(url)
        data = _admin_form_data(page)
        data[next(k for k, v in data.items() if v == "Flood")] = "Flood in the basement"
        response = client.post(url, data)
        assert response.status_code == 302, first.reference
        assert Closure.objects.get().reason == "Flood in the basement"


# 6 The patient pages after a refusal ------------------------------------------------------------


class PatientRefusalTests:
    def _confirm(self, client: Client, start: datetime, email: str) -> Any:
        return client.post(
            "/book/treatment-session/manchester/details/",
            {
                "start": start.isoformat(),
                "name": "Alice Runner",
                "email": email,
                "phone": "07700 900123",
                "step": "confirm",
            },
        )

    def test_a_refused_booking_goes_back_to_the_chosen_day(
        self, client: Client, staff: None, alice: Any
    ) -> None:
        _treatment(MON_22, PatientDetails(name="X", email="x@example.com"))
        taken = self._confirm(client, MON_22, "alice@example.com")
        assert taken.status_code == 302
        assert taken["Location"] == "/book/treatment-session/manchester/?date=2027-03-22"
        # Alice's own booking (linked to her account); signed in, she asks for the same time in
        # Bedford and is refused (an email-only match is booked instead: test_clash_privacy).
        Booking.objects.filter(pk=_treatment(MON_5).pk).update(user=alice)
        client.force_login(alice)
        clash = client.post(
            "/book/treatment-session/bedford/details/",
            {
                "start": MON_5.isoformat(),
                "name": "Alice Runner",
                "email": "alice@example.com",
                "step": "confirm",
            },
        )
        assert clash.status_code == 302
        assert clash["Location"] == "/book/treatment-session/bedford/?date=2027-04-05"
        assert Booking.objects.filter(start=MON_5).count() == 1

    def test_the_reschedule_page_answers_409_or_422_when_it_refuses(
        self, client: Client, staff: None
    ) -> None:
        mine = _treatment(MON_22)
        _treatment(MON_22 + timedelta(hours=1), PatientDetails(name="X", email="x@example.com"))
        _treatment(MON_22 + timedelta(days=1), site="bedford")  # Tuesday: Alice elsewhere
        token = manage_token(mine)
        url = f"/book/manage/{token}/reschedule/"
        taken = client.post(url, {"start": (MON_22 + timedelta(hours=1)).isoformat()})
        assert taken.status_code == 409
        assert "This time is no longer free" in taken.content.decode()
        assert client.post(url, {"start": "soon"}).status_code == 422
        mine.refresh_from_db()
        assert mine.start == MON_22 and mine.sequence == 0
        # Alice elsewhere then, but the link holder is not signed in to an account the other
        # booking is linked to (the email proves nothing): moved like any free time, and staff
        # see a possible double booking (test_clash_privacy).
        moved = client.post(url, {"start": (MON_22 + timedelta(days=1)).isoformat()})
        assert moved.status_code == 302
        assert "(Bedford" not in client.get(moved["Location"]).content.decode()


# 7 Staff page wording and layout ----------------------------------------------------------------


class StaffPageTests:
    def test_the_manage_link_wraps_in_its_column(
        self, client: Client, staff: None, dana: Any
    ) -> None:
        booking = _treatment(MON_22)
        client.force_login(dana)
        page = client.get(f"/staff/bookings/{booking.reference}/").content.decode()
        assert '<a class="break-anywhere" href="http' in page
        css = (Path(settings.BASE_DIR) / "static" / "css" / "booking.css").read_text()
        rule = css[css.index(".break-anywhere") :].split("}")[0]
        assert "overflow-wrap: anywhere" in rule


# 8 Suggestions from the re-test -----------------------------------------------------------------


class SuggestionTests:
    def test_move_and_reschedule_lists_skip_the_patients_other_appointments(
        self, client: Client, staff: None, dana: Any
    ) -> None:
        mine = _treatment(MON_22)  # Manchester 10:00
        _treatment(MON_22 + timedelta(days=1, hours=1), site="bedford")  # Tuesday 11:00 Bedford
        client.force_login(dana)
        page = client.get(
            f"/staff/bookings/{mine.reference}/move/?date=2027-03-23"
        ).content.decode()
        tuesday = MON_22 + timedelta(days=1)
        assert _slot(tuesday, mine.practitioner_id) in page  # 10:00 Tuesday is free for her
        assert _slot(tuesday + timedelta(hours=1), mine.practitioner_id) not in page
        assert _slot(tuesday + timedelta(minutes=45), mine.practitioner_id) not in page
        # The patient's page leaves out only times of bookings the person on it may be told
        # about (their account's): here none, so the list reveals nothing about the other.
        token = manage_token(mine)
        week = client.get(f"/book/manage/{token}/reschedule/?date=2027-03-22").content.decode()
        assert "Move to Tuesday 23 March, 10:00" in week
        assert "Move to Tuesday 23 March, 11:00" in week

    def test_the_moved_email_states_the_old_time_too(self, staff: None) -> None:
        from django.core import mail

        from heelwise.booking.outbox import outbox_send

        booking = _treatment(MON_22)
        booking_reschedule(booking=booking, start=MON_22 + timedelta(hours=2), by_staff=True)
        message = OutboxMessage.objects.get(kind=OutboxMessage.Kind.RESCHEDULED)
        assert message.previous_start == MON_22
        mail.outbox.clear()
        outbox_send(message_id=message.pk)
        body = next(m.body for m in mail.outbox if m.subject.startswith("Booking moved"))
        assert "moved from Monday 22 March 2027, 10:00 (UK time)" in body
        assert "Monday 22 March 2027, 12:00" in body

    def test_staff_made_bookings_and_courses_are_audited(
        self, client: Client, staff: None, dana: Any
    ) -> None:
        client.force_login(dana)
        response = client.post(
            "/staff/bookings/new/",
            {
                "service": "treatment-session",
                "site": "manchester",
                "date": "2027-03-22",
                "slot": _slot(MON_22, Practitioner.objects.get(slug="tom-walsh").pk),
                "name": "Caller Person",
                "email": "caller@example.com",
            },
        )
        assert response.status_code == 302
        booking = Booking.objects.get()
        event = AuditEvent.objects.get(object_type="booking", action="create")
        assert event.actor == dana and event.object_id == str(booking.pk)
        assert event.detail == "created by staff"
        response = client.post(
            "/staff/bookings/course/",
            {
                "plan": CoursePlan.objects.get(slug="three-session-course").pk,
                "site": Site.objects.get(slug="manchester").pk,
                "name": "Course Person",
                "email": "course@example.com",
                "session_1": "2027-03-30T10:00",  # Tuesdays (29 March is Easter Monday)
                "session_2": "2027-04-13T10:00",
                "session_3": "2027-04-27T10:00",
            },
        )
        assert response.status_code == 302
        events = AuditEvent.objects.filter(object_type="booking", action="create")
        assert events.count() == 4
        assert all("Caller" not in e.detail and "course@" not in e.detail for e in events)

    def test_a_second_cancel_says_the_booking_was_cancelled(
        self, client: Client, staff: None, charlie: Any, bob: Any
    ) -> None:
        booking = _treatment(MON_22)  # Tom's: Charlie's care
        client.force_login(charlie)
        url = f"/staff/bookings/{booking.reference}/action/"
        data = {"action": "cancel", "confirm": "yes"}
        assert client.post(url, data).status_code == 302
        again = client.post(url, data, follow=True)
        assert again.status_code == 200
        assert f"Booking {booking.reference} was cancelled" in again.content.decode()
        assert client.get(f"/staff/bookings/{booking.reference}/").status_code == 302
        assert OutboxMessage.objects.filter(kind=OutboxMessage.Kind.CANCELLATION).count() == 1
        client.force_login(bob)  # not his booking: still not told it exists
        assert client.get(f"/staff/bookings/{booking.reference}/").status_code == 404
