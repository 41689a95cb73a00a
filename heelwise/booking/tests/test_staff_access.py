"""Least access on the staff booking pages, persona by persona.

Alice (patient) has a discovery call with Priya Shah, whose practitioner record is Bob's
(clinician A). Charlie (clinician B) works as Tom Walsh. A clinic administrator sees everything;
a clinician sees the details of the bookings in their care and everyone else's as busy times.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from heelwise.booking.models import Booking, OutboxMessage
from heelwise.booking.services import PatientDetails, booking_create
from heelwise.clinics.models import Practitioner, Service
from heelwise.common.models import AuditEvent

pytestmark = pytest.mark.django_db

START = datetime(2027, 3, 22, 9, 0, tzinfo=UTC)  # Monday 09:00 GMT: Priya's remote session
NOTES = "Left heel, worse since the marathon"
CALENDAR = "/staff/bookings/?date=2027-03-22"


@pytest.fixture
def admin(db: None) -> Any:
    from heelwise.accounts.models import User

    return User.objects.create_user(
        "dana@example.com", "dana-password-1", full_name="Dana Admin", role=User.Role.ADMIN
    )


@pytest.fixture
def booking(clinic: None, alice: Any, bob: Any, charlie: Any) -> Booking:
    Practitioner.objects.filter(slug="priya-shah").update(user=bob)
    Practitioner.objects.filter(slug="tom-walsh").update(user=charlie)
    made = booking_create(
        service=Service.objects.get(slug="discovery-call"),
        site=None,
        start=START,
        patient=PatientDetails(
            name="Alice Runner", email="alice@example.com", phone="07700 900123", notes=NOTES
        ),
        user=alice,
    )
    assert made.practitioner.slug == "priya-shah"
    return made


def _urls(booking: Booking) -> list[str]:
    return [
        CALENDAR,
        "/staff/bookings/new/",
        "/staff/bookings/course/",
        "/staff/bookings/deliveries/",
        f"/staff/bookings/{booking.reference}/",
    ]


class AnonymousTests:
    def test_every_staff_page_sends_them_to_log_in(self, client: Client, booking: Booking) -> None:
        for url in _urls(booking):
            response = client.get(url)
            assert response.status_code == 302, url
            assert "/accounts/login/" in response["Location"]
        action = client.post(f"/staff/bookings/{booking.reference}/action/", {"action": "cancel"})
        assert "/accounts/login/" in action["Location"]
        booking.refresh_from_db()
        assert booking.status == "confirmed"


class PatientTests:
    def test_every_staff_page_refuses_a_patient(
        self, client: Client, booking: Booking, alice: Any
    ) -> None:
        client.force_login(alice)
        for url in _urls(booking):
            assert client.get(url).status_code == 403, url
        action = client.post(f"/staff/bookings/{booking.reference}/action/", {"action": "cancel"})
        assert action.status_code == 403

    def test_the_admin_site_flag_alone_opens_nothing(
        self, client: Client, booking: Booking
    ) -> None:
        from heelwise.accounts.models import User

        flagged = User.objects.create_user("ed@example.com", "ed-password-1", is_staff=True)
        client.force_login(flagged)
        for url in _urls(booking):
            assert client.get(url).status_code == 403, url


class CareClinicianTests:
    """Bob, the practitioner of Alice's booking."""

    def test_the_calendar_shows_his_patients_and_audits_the_view_without_names(
        self, client: Client, booking: Booking, bob: Any, django_assert_max_num_queries: Any
    ) -> None:
        client.force_login(bob)
        with django_assert_max_num_queries(12):
            page = client.get(CALENDAR).content.decode()
        assert "Alice Runner" in page
        assert f"/staff/bookings/{booking.reference}/" in page
        event = AuditEvent.objects.get(object_type="booking_calendar")
        assert event.actor == bob and event.action == "view"
        assert event.object_id == "2027-03-22" and "1 bookings" in event.detail
        assert "Alice" not in event.detail and "alice" not in event.detail
        client.get(CALENDAR)
        assert AuditEvent.objects.filter(object_type="booking_calendar").count() == 2

    def test_the_detail_shows_everything_and_audits_whose_data_it_was(
        self, client: Client, booking: Booking, bob: Any, alice: Any
    ) -> None:
        client.force_login(bob)
        page = client.get(f"/staff/bookings/{booking.reference}/").content.decode()
        assert "alice@example.com" in page and "07700 900123" in page and NOTES in page
        event = AuditEvent.objects.get(object_type="booking", action="view")
        assert event.actor == bob and event.subject_user_id == alice.pk
        assert event.object_id == str(booking.pk)

    def test_he_may_cancel_it_and_returns_to_the_calendar(
        self, client: Client, booking: Booking, bob: Any, alice: Any
    ) -> None:
        client.force_login(bob)
        response = client.post(
            f"/staff/bookings/{booking.reference}/action/", {"action": "cancel", "confirm": "yes"}
        )
        booking.refresh_from_db()
        assert booking.status == "cancelled"
        # A cancelled booking leaves his care: back to its day, not to a 404.
        assert response["Location"] == "/staff/bookings/?date=2027-03-22"
        event = AuditEvent.objects.get(object_type="booking", action="update")
        assert event.subject_user_id == alice.pk and event.detail == "cancel"

    def test_the_delivery_log_lists_his_bookings_emails(
        self, client: Client, booking: Booking, bob: Any
    ) -> None:
        client.force_login(bob)
        page = client.get("/staff/bookings/deliveries/").content.decode()
        assert booking.reference in page


class OtherClinicianTests:
    """Charlie, a clinician with no part in Alice's booking."""

    def test_the_calendar_shows_the_booking_as_busy_time_only(
        self, client: Client, booking: Booking, charlie: Any
    ) -> None:
        client.force_login(charlie)
        for url in (CALENDAR, "/staff/bookings/?date=2027-03-22&view=week"):
            page = client.get(url).content.decode()
            assert "staff-booking-busy" in page and "09:00-09:15" in page
            assert "Priya Shah" in page  # whose time is taken, so he can plan around it
            assert "Alice" not in page and NOTES not in page
            assert booking.reference not in page
            assert "discovery call" not in page.lower()
        assert not AuditEvent.objects.filter(object_type="booking_calendar").exists()

    def test_the_detail_and_the_actions_are_not_found(
        self, client: Client, booking: Booking, charlie: Any
    ) -> None:
        client.force_login(charlie)
        assert client.get(f"/staff/bookings/{booking.reference}/").status_code == 404
        for action in ("cancel", "attended"):
            response = client.post(
                f"/staff/bookings/{booking.reference}/action/", {"action": action}
            )
            assert response.status_code == 404
        booking.refresh_from_db()
        assert booking.status == "confirmed"
        assert not AuditEvent.objects.filter(object_type="booking").exists()

    def test_the_delivery_log_leaves_out_other_peoples_emails(
        self, client: Client, booking: Booking, charlie: Any
    ) -> None:
        assert OutboxMessage.objects.filter(booking=booking).exists()
        client.force_login(charlie)
        page = client.get("/staff/bookings/deliveries/").content.decode()
        assert booking.reference not in page and "No emails yet" in page

    def test_he_may_book_a_caller_in_with_a_colleague_but_not_read_it_back(
        self, client: Client, clinic: None, charlie: Any
    ) -> None:
        Practitioner.objects.filter(slug="tom-walsh").update(user=charlie)
        client.force_login(charlie)
        response = client.post(
            "/staff/bookings/new/",
            {
                "service": "follow-up",
                "site": "london",
                "start": "2027-03-22T10:00:00+00:00",
                "name": "Caller",
                "email": "caller@example.com",
            },
            follow=True,
        )
        made = Booking.objects.get()
        assert made.booked_by == charlie and made.practitioner.slug == "oliver-eaton"
        assert response.redirect_chain[-1][0] == "/staff/bookings/?date=2027-03-22"
        assert f"Booked {made.reference} with Oliver Eaton" in response.content.decode()
        assert client.get(f"/staff/bookings/{made.reference}/").status_code == 404


class AdministratorTests:
    def test_an_administrator_sees_every_booking(
        self, client: Client, booking: Booking, admin: Any
    ) -> None:
        client.force_login(admin)
        assert "Alice Runner" in client.get(CALENDAR).content.decode()
        assert AuditEvent.objects.filter(object_type="booking_calendar", actor=admin).exists()
        assert NOTES in client.get(f"/staff/bookings/{booking.reference}/").content.decode()
        assert booking.reference in client.get("/staff/bookings/deliveries/").content.decode()
        client.post(
            f"/staff/bookings/{booking.reference}/action/", {"action": "cancel", "confirm": "yes"}
        )
        booking.refresh_from_db()
        assert booking.status == "cancelled"
        # Cancelled bookings stay open to an administrator.
        assert client.get(f"/staff/bookings/{booking.reference}/").status_code == 200


def test_the_delivery_log_pages_through_every_email_newest_first(
    client: Client, admin: Any, booking: Booking
) -> None:
    """It used to stop at the newest 200 with no way to older ones."""
    template = OutboxMessage.objects.filter(booking=booking).first()
    assert template is not None  # the booking's confirmation
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            booking=booking,
            kind=template.kind,
            status=template.status,
            send_after=START,
            dedupe_key=f"test-log-{i}",
        )
        for i in range(230)
    )
    total = OutboxMessage.objects.count()
    assert total > 200
    client.force_login(admin)
    first = client.get("/staff/bookings/deliveries/")
    assert first.status_code == 200
    assert len(first.context["messages_log"]) == 100
    assert f"({total} emails)" in first.content.decode()
    last_page = (total + 99) // 100
    last = client.get(f"/staff/bookings/deliveries/?page={last_page}")
    assert len(last.context["messages_log"]) == total - 100 * (last_page - 1)
    newest = OutboxMessage.objects.order_by("-created", "-pk").first()
    assert newest is not None and first.context["messages_log"][0].pk == newest.pk
