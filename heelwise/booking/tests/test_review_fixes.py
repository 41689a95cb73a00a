"""Review round 3 and the runner re-test: the staff cancel page's audit row, the search kept
out of URLs, a double-sent confirm form, the follow-up's wording, the patient's cancel page,
and the confirm page, call email and calendar title."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from heelwise.booking.ics import summary_for
from heelwise.booking.links import manage_token, reference_from_token
from heelwise.booking.models import Booking, OutboxMessage
from heelwise.booking.outbox import outbox_send
from heelwise.booking.services import PatientDetails, booking_create
from heelwise.clinics.models import Practitioner, Service, Site
from heelwise.common.models import AuditEvent

pytestmark = pytest.mark.django_db

CALL = datetime(2027, 3, 22, 9, 0, tzinfo=UTC)  # Monday: Priya's remote discovery calls
ALICE = PatientDetails(name="Alice Runner", email="alice@example.com", phone="07700 900123")
DETAILS = "/book/discovery-call/remote/details/"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def staff(clinic: None, bob: Any, charlie: Any) -> None:
    Practitioner.objects.filter(slug="priya-shah").update(user=bob)
    Practitioner.objects.filter(slug="tom-walsh").update(user=charlie)


def _call(patient: PatientDetails = ALICE, **kw: Any) -> Booking:
    return booking_create(
        service=Service.objects.get(slug="discovery-call"),
        site=None,
        start=CALL,
        patient=patient,
        **kw,
    )


class StaffCancelPageAuditTests:
    def test_the_cancel_confirmation_page_is_audited(
        self, client: Client, staff: None, bob: Any, alice: Any
    ) -> None:
        call = _call(user=alice)
        client.force_login(bob)
        page = client.get(f"/staff/bookings/{call.reference}/cancel/")
        assert page.status_code == 200 and "Alice Runner" in page.content.decode()
        event = AuditEvent.objects.get(object_type="booking", action=AuditEvent.Action.VIEW)
        assert event.actor == bob and event.object_id == str(call.pk)
        assert event.subject_user_id == alice.pk
        assert "Alice" not in event.detail and "alice" not in event.detail


class SearchPrivacyTests:
    def test_the_search_is_posted_and_never_put_in_a_url(
        self, client: Client, staff: None, bob: Any
    ) -> None:
        call = _call()
        client.force_login(bob)
        form = client.get("/staff/bookings/search/").content.decode()
        assert re.search(r'<form method="post" action="/staff/bookings/search/"', form)
        assert 'name="csrfmiddlewaretoken"' in form
        response = client.post("/staff/bookings/search/", {"q": "alice@example"})
        assert response.status_code == 200  # results in the answer: no redirect with the query
        assert "Location" not in response
        assert f"/staff/bookings/{call.reference}/" in response.content.decode()
        assert "no-store" in response["Cache-Control"]
        for link in re.findall(r'(?:href|action)="([^"]*)"', response.content.decode()):
            assert "alice" not in link.lower() and "q=" not in link, link

    def test_a_query_in_the_address_searches_nothing(
        self, client: Client, staff: None, bob: Any
    ) -> None:
        _call()
        client.force_login(bob)
        page = client.get("/staff/bookings/search/", {"q": "alice"}).content.decode()
        assert "no longer sent in the page address" in page
        assert "found" not in page and 'value="alice"' not in page
        assert not AuditEvent.objects.filter(object_type="booking_search").exists()

    def test_the_search_needs_the_csrf_token(self, staff: None, bob: Any) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(bob)
        assert client.post("/staff/bookings/search/", {"q": "alice"}).status_code == 403


class DoubleSubmitTests:
    def _review(self, client: Client) -> dict[str, str]:
        data = {
            "start": CALL.isoformat(),
            "name": "Alice Runner",
            "email": "alice@example.com",
            "phone": "07700 900123",
        }
        review = client.post(DETAILS, data).content.decode()
        key = re.search(r'name="submission_key" value="([0-9a-f]{32})"', review)
        assert key
        return {**data, "step": "confirm", "submission_key": key.group(1)}

    def test_sending_the_confirm_form_twice_shows_the_booking_again(
        self, client: Client, staff: None
    ) -> None:
        data = self._review(client)
        first = client.post(DETAILS, data)
        second = client.post(DETAILS, data)
        booking = Booking.objects.get()
        # Both lead to the done page of the one booking (the signed tokens carry a timestamp,
        # so compare what they sign, not their text).
        for response in (first, second):
            location = str(response["Location"])
            assert location.startswith("/book/done/")
            token = location.removeprefix("/book/done/").rstrip("/")
            assert reference_from_token(token) == (booking.reference, booking.uid.hex)
        page = client.get(second["Location"]).content.decode()
        assert booking.reference in page and "no longer free" not in page
        assert OutboxMessage.objects.filter(kind=OutboxMessage.Kind.CONFIRMATION).count() == 1

    def test_another_form_for_the_same_time_is_still_refused(
        self, client: Client, staff: None
    ) -> None:
        client.post(DETAILS, self._review(client))
        again = client.post(DETAILS, self._review(Client()), follow=True)  # a new form
        assert "no longer free" in again.content.decode()
        assert Booking.objects.count() == 1


class FollowUpWordingTests:
    def test_the_follow_up_is_described_as_it_is_offered(
        self, client: Client, clinic: None
    ) -> None:
        follow_up = Service.objects.get(slug="follow-up")
        assert not follow_up.is_remote
        page = client.get("/book/").content.decode()
        card = page[page.index("Follow-up appointment") :].split("</li>")[0]
        assert "video" not in card.lower() and "In person" in card
        clinics = client.get("/book/follow-up/").content.decode()
        assert "/book/follow-up/remote/" not in clinics and "video" not in clinics.lower()


class PatientCancelPageTests:
    def test_the_cancel_link_opened_directly_asks_first(self, client: Client, staff: None) -> None:
        call = _call()
        url = f"/book/manage/{manage_token(call)}/cancel/"
        page = client.get(url)
        assert page.status_code == 200
        text = page.content.decode()
        assert f"Cancel booking {call.reference}?" in text
        assert f'<form method="post" action="{url}">' in text and "onclick" not in text
        assert Booking.objects.get().status == "confirmed"
        manage = client.get(f"/book/manage/{manage_token(call)}/").content.decode()
        assert f'href="{url}"' in manage  # the manage page's button leads to this step
        assert client.post(url).status_code == 302
        assert Booking.objects.get().status == "cancelled"
        assert "nothing to cancel" in client.get(url).content.decode()


class ConfirmAndEmailTests:
    def test_the_review_page_shows_the_notes_and_the_sharing(
        self, client: Client, staff: None
    ) -> None:
        data = {
            "start": CALL.isoformat(),
            "name": "Alice Runner",
            "email": "alice@example.com",
            "phone": "07700 900123",
            "notes": "Left heel, worse in the morning",
        }
        page = client.post(DETAILS, data).content.decode()
        assert "Left heel, worse in the morning" in page
        assert "Your self-assessment" in page and "Not shared" in page

    def test_the_call_email_gives_the_number_and_the_invite_names_the_service(
        self, staff: None
    ) -> None:
        call = _call()
        mail.outbox.clear()
        outbox_send(message_id=OutboxMessage.objects.get(kind="confirmation").pk)
        (message,) = mail.outbox
        assert "will call you at this time on 07700 900123" in message.body
        assert summary_for(call).startswith(f"{call.service.name} - ")
        treatment = booking_create(
            service=Service.objects.get(slug="treatment-session"),
            site=Site.objects.get(slug="london"),
            start=datetime(2027, 3, 22, 10, 0, tzinfo=UTC),
            patient=PatientDetails(name="Bo", email="bo@example.com"),
        )
        assert summary_for(treatment).startswith("Treatment session - ")
