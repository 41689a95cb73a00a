"""GET /api/v1/slots and POST /api/v1/bookings: 201, 409, 422 naming fields, 429."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings

from heelwise.booking.models import Booking

pytestmark = pytest.mark.django_db

CALL = {
    "service": "discovery-call",
    "site": "remote",
    "start": "2027-03-22T10:00:00+00:00",
    "name": "Alice Runner",
    "email": "alice@example.com",
    "phone": "07700 900123",
    "notes": "Heel pain for 3 months",
}


def _post(client: Client, **changes: Any) -> Any:
    return client.post("/api/v1/bookings", {**CALL, **changes}, content_type="application/json")


class SlotsApiTests:
    def test_it_lists_remote_slots_with_london_offsets_and_practitioners(
        self, client: Client, clinic: None
    ) -> None:
        response = client.get("/api/v1/slots?service=discovery-call&date=2027-03-22")
        assert response.status_code == 200
        slots = response.json()
        assert slots[0]["start"] == "2027-03-22T09:00:00+00:00"
        assert slots[0]["practitioner"]["name"] == "Priya Shah"
        assert {s["site"] for s in slots} == {"remote"}

    def test_it_lists_several_days_at_a_site(self, client: Client, clinic: None) -> None:
        response = client.get(
            "/api/v1/slots?service=initial-consultation&site=london&date=2027-03-27&days=3"
        )
        days = {s["start"][:10] for s in response.json()}
        assert days == {"2027-03-27", "2027-03-28"}  # Easter Monday 29th is a bank holiday
        assert any(s["start"].endswith("+01:00") for s in response.json())

    def test_it_names_bad_query_fields(self, client: Client, clinic: None) -> None:
        response = client.get("/api/v1/slots?service=nope&site=mars&date=2027-13-01&days=99")
        assert response.status_code == 422
        assert set(response.json()["errors"]) == {"service", "site", "date", "days"}

    def test_openapi_documents_the_booking_routes(self, client: Client) -> None:
        paths = client.get("/api/v1/openapi.json").json()["paths"]
        assert "/api/v1/slots" in paths
        post = paths["/api/v1/bookings"]["post"]
        assert {"201", "409", "422", "429"} <= set(post["responses"])


class BookingsApiTests:
    def test_it_books_and_returns_reference_and_manage_link(
        self, client: Client, clinic: None, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            response = _post(client)
        assert response.status_code == 201, response.content
        body = response.json()
        assert len(body["reference"]) == 8
        assert body["start"] == "2027-03-22T10:00:00+00:00"
        assert "/book/manage/" in body["manage_url"]
        booking = Booking.objects.get(reference=body["reference"])
        assert booking.site is None and booking.room is None
        assert [m.to for m in mail.outbox] == [["alice@example.com"]]
        assert body["reference"] in mail.outbox[0].subject

    def test_it_returns_409_when_the_slot_is_taken(self, client: Client, clinic: None) -> None:
        start = "2027-03-22T09:00:00+00:00"  # Monday: Priya is the only remote clinician
        assert _post(client, start=start).status_code == 201
        second = _post(client, start=start, email="bob@example.com")
        assert second.status_code == 409
        assert Booking.objects.count() == 1

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"service": "massage"}, "service"),
            ({"start": "2027-03-22T09:07:00+00:00"}, "start"),
            ({"start": "2027-03-01T09:00:00+00:00"}, "start"),
            ({"start": "2027-06-01T09:00:00+01:00"}, "start"),
            ({"start": "next tuesday"}, "start"),
            ({"start": "2027-03-22T09:00:00"}, "start"),
            ({"email": "alice@"}, "email"),
            ({"name": "  "}, "name"),
            ({"phone": "call me"}, "phone"),
            ({"site": "mars", "service": "initial-consultation"}, "site"),
        ],
    )
    def test_it_names_the_bad_field_with_422(
        self, client: Client, clinic: None, changes: dict[str, str], field: str
    ) -> None:
        response = _post(client, **changes)
        assert response.status_code == 422, response.content
        assert field in response.json()["errors"]
        assert Booking.objects.count() == 0

    def test_it_names_every_bad_field_at_once(self, client: Client, clinic: None) -> None:
        response = _post(client, email="nope", start="2027-03-22T09:07:00+00:00", name="")
        assert response.status_code == 422
        assert {"email", "start", "name"} <= set(response.json()["errors"])

    def test_it_refuses_a_time_the_schedule_never_offers(
        self, client: Client, clinic: None
    ) -> None:
        response = _post(client, start="2027-03-28T10:00:00+01:00")  # no remote Sunday sessions
        assert response.status_code == 422
        assert "start" in response.json()["errors"]

    @override_settings(BOOKING_RATE="2/h")
    def test_it_rate_limits_anonymous_clients(self, client: Client, clinic: None) -> None:
        from django.core.cache import cache

        cache.clear()
        codes = [
            _post(client, start=f"2027-03-22T{h}:00:00+00:00").status_code for h in (10, 11, 12)
        ]
        assert codes == [201, 201, 429]
        cache.clear()


def test_slot_dates_are_local_days(client: Client, clinic: None) -> None:
    """A day means the Europe/London day, whatever the server's clock zone."""
    slots = client.get("/api/v1/slots?service=discovery-call&date=2027-03-22").json()
    assert {s["start"][:10] for s in slots} == {date(2027, 3, 22).isoformat()}


def test_a_cached_service_is_never_used_stale(client: Client, clinic: None) -> None:
    """The API caches services per process; an admin change is seen by the very next booking."""
    from heelwise.clinics.models import Service

    assert _post(client, start="2027-03-22T09:00:00+00:00").status_code == 201  # now cached
    Service.objects.filter(slug="discovery-call").update(minutes=30)
    response = _post(client, start="2027-03-22T11:00:00+00:00", email="b@example.com")
    assert response.status_code == 201
    assert response.json()["end"] == "2027-03-22T11:30:00+00:00"
    slots = client.get("/api/v1/slots?service=discovery-call&date=2027-03-22").json()
    assert all(
        s["end"][11:16] in {f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 15, 30, 45)}
        for s in slots
    )
    assert {(s["start"][11:16], s["end"][11:16]) for s in slots} >= {("12:00", "12:30")}
    Service.objects.filter(slug="discovery-call").update(is_active=False)
    gone = _post(client, start="2027-03-22T14:00:00+00:00", email="c@example.com")
    assert gone.status_code == 422 and "service" in gone.json()["errors"]


class HorizonAndPhoneApiTests:
    def test_a_date_beyond_the_horizon_is_a_422_naming_date(
        self, client: Client, clinic: None
    ) -> None:
        response = client.get("/api/v1/slots?service=discovery-call&date=9999-12-30&days=7")
        assert response.status_code == 422
        assert response.json()["errors"]["date"] == [
            "date is beyond the booking horizon of 30 days (the last bookable day is 2027-04-09)."
        ]
        last = client.get("/api/v1/slots?service=discovery-call&date=2027-04-09&days=60")
        assert last.status_code == 200

    def test_a_call_needs_a_phone_number(self, client: Client, clinic: None) -> None:
        response = _post(client, phone="")
        assert response.status_code == 422
        assert response.json()["errors"]["phone"] == [
            "Enter a phone number: the clinician will call you on it."
        ]
        assert not Booking.objects.exists()
        in_person = _post(
            client,
            service="follow-up",
            site="london",
            start="2027-03-22T10:00:00+00:00",
            phone="",
        )
        assert in_person.status_code == 201
