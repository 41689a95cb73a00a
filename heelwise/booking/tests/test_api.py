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


# --- Errors: one shape, {"detail": str, "errors": {field: [message, ...]}} -------------------


def _error(response: Any, status: int) -> dict[str, Any]:
    """The response is a JSON error of the API's one shape, with this status."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert isinstance(body["detail"], str) and body["detail"]
    assert all(isinstance(m, list) and m for m in body["errors"].values())
    return body


class BookingErrorsApiTests:
    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            ({"service": 123}, "service", "Must be a string."),
            ({"start": 20270322}, "start", "Must be a string."),
            ({"email": ["alice@example.com"]}, "email", "Must be a string."),
            ({"practitioner": "abc"}, "practitioner", "Must be a whole number."),
            ({"practitioner": [1]}, "practitioner", "Must be a whole number."),
            ({"practitioner": True}, "practitioner", "Must be a whole number."),
            ({"practitioner": 1.0}, "practitioner", "Must be a whole number."),
            ({"practitioner": "1"}, "practitioner", "Must be a whole number."),
            ({"name": True}, "name", "Must be a string."),
        ],
    )
    def test_a_wrong_type_is_a_422_naming_the_field(
        self, client: Client, clinic: None, changes: dict[str, Any], field: str, message: str
    ) -> None:
        body = _error(_post(client, **changes), 422)
        assert body["errors"] == {field: [message]}
        assert field in body["detail"]
        assert not Booking.objects.exists()

    def test_an_unknown_field_is_a_422_naming_it(self, client: Client, clinic: None) -> None:
        body = _error(_post(client, colour="red", Email="a@example.com"), 422)
        assert set(body["errors"]) == {"colour", "Email"}
        assert body["errors"]["colour"][0].startswith("Unknown field")
        assert not Booking.objects.exists()

    def test_a_blank_practitioner_means_no_preference(self, client: Client, clinic: None) -> None:
        assert _post(client, practitioner="").status_code == 201

    @pytest.mark.parametrize(
        ("raw", "detail"),
        [
            ("{", "request body is not valid JSON: Expecting property name enclosed in double "),
            (
                '{"service": }',
                "request body is not valid JSON: Expecting value at line 1 column 13",
            ),
            ('{"name": NaN}', "request body is not valid JSON: NaN is not a JSON number."),
            ("[]", "request body must be a JSON object."),
            ('"discovery-call"', "request body must be a JSON object."),
        ],
    )
    def test_a_body_that_is_not_a_json_object_is_a_400_saying_why(
        self, client: Client, clinic: None, raw: str, detail: str
    ) -> None:
        response = client.post("/api/v1/bookings", raw, content_type="application/json")
        body = _error(response, 400)
        assert body["detail"].startswith(detail)
        assert body["errors"] == {}
        assert not Booking.objects.exists()

    def test_an_empty_body_is_a_400(self, client: Client, clinic: None) -> None:
        response = client.generic("POST", "/api/v1/bookings", b"", CONTENT_TYPE="application/json")
        assert _error(response, 400)["detail"] == "request body is empty: send a JSON object."
        assert not Booking.objects.exists()

    @pytest.mark.parametrize(
        "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
    )
    def test_a_body_not_sent_as_json_is_a_415(
        self, client: Client, clinic: None, content_type: str
    ) -> None:
        import json

        response = client.generic(
            "POST", "/api/v1/bookings", json.dumps(CALL), CONTENT_TYPE=content_type
        )
        body = _error(response, 415)
        assert "Content-Type: application/json" in body["detail"]
        assert content_type in body["detail"]
        assert not Booking.objects.exists()

    def test_json_with_a_charset_is_accepted(self, client: Client, clinic: None) -> None:
        response = client.post(
            "/api/v1/bookings", CALL, content_type="application/json; charset=utf-8"
        )
        assert response.status_code == 201, response.content

    def test_409_and_form_errors_have_the_same_shape(self, client: Client, clinic: None) -> None:
        start = "2027-03-22T09:00:00+00:00"
        assert _post(client, start=start).status_code == 201
        assert _error(_post(client, start=start, email="b@example.com"), 409)["errors"] == {}
        assert set(_error(_post(client, email="nope"), 422)["errors"]) == {"email"}
        assert Booking.objects.count() == 1

    def test_a_wrong_method_is_a_json_405(self, client: Client, clinic: None) -> None:
        for response in (client.get("/api/v1/bookings"), client.delete("/api/v1/bookings")):
            body = _error(response, 405)
            assert response["Allow"] == "POST"
            assert "use POST" in body["detail"]
        assert _error(client.post("/api/v1/slots", {}, content_type="application/json"), 405)


class SlotsErrorsApiTests:
    def test_a_past_date_is_a_422_naming_date(self, client: Client, clinic: None) -> None:
        body = _error(client.get("/api/v1/slots?service=discovery-call&date=2020-01-01"), 422)
        assert body["errors"] == {"date": ["date is in the past (today is 2027-03-10 in the UK)."]}
        yesterday = client.get("/api/v1/slots?service=discovery-call&date=2027-03-09&days=7")
        assert _error(yesterday, 422)["errors"] == body["errors"]
        assert client.get("/api/v1/slots?service=discovery-call&date=2027-03-10").status_code == 200

    def test_an_unknown_query_parameter_is_a_422_naming_it(
        self, client: Client, clinic: None
    ) -> None:
        response = client.get("/api/v1/slots?service=discovery-call&date=2027-03-22&day=7")
        body = _error(response, 422)
        assert list(body["errors"]) == ["day"]
        assert body["errors"]["day"][0].startswith("Unknown field")

    def test_a_repeated_query_parameter_is_a_422_naming_it(
        self, client: Client, clinic: None
    ) -> None:
        twice = "/api/v1/slots?service=discovery-call&service=discovery-call&date=2027-03-22"
        assert _error(client.get(twice), 422)["errors"] == {
            "service": ["service given twice: give it once."]
        }
        thrice = client.get(f"{twice}&date=2027-03-23&date=2027-03-24")
        assert _error(thrice, 422)["errors"] == {
            "service": ["service given twice: give it once."],
            "date": ["date given 3 times: give it once."],
        }

    def test_query_string_and_value_problems_are_named_together(
        self, client: Client, clinic: None
    ) -> None:
        response = client.get("/api/v1/slots?service=nope&date=2027-03-22&days=7&day=7")
        body = _error(response, 422)
        assert body["errors"] == {
            "day": ["Unknown field: check its spelling against /api/v1/docs."],
            "service": ["Unknown service."],
        }
        assert body["detail"] == "Invalid request: check day, service."

    def test_wrong_types_and_missing_parameters_name_the_field(
        self, client: Client, clinic: None
    ) -> None:
        body = _error(client.get("/api/v1/slots?date=2027-03-22&days=seven"), 422)
        assert body["errors"] == {
            "service": ["This field is required."],
            "days": ["Must be a whole number."],
        }


class SessionWritesApiTests:
    """A write carrying a signed-in session must pass Django's CSRF check; anonymous clients
    (scripts, other programs) need no token."""

    @staticmethod
    def _csrf_client(user: Any) -> tuple[Client, str]:
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        client.get("/accounts/login/")  # sets the csrftoken cookie, as any form page does
        return client, client.cookies["csrftoken"].value

    def test_a_session_write_without_a_csrf_token_is_refused(
        self, clinic: None, alice: Any
    ) -> None:
        client, _token = self._csrf_client(alice)
        body = _error(_post(client), 403)
        assert body["detail"].startswith("CSRF check failed")
        assert not Booking.objects.exists()
        assessment = client.post("/api/v1/assessments", {}, content_type="application/json")
        assert _error(assessment, 403)["detail"].startswith("CSRF check failed")

    def test_a_session_write_with_the_token_books_for_the_signed_in_user(
        self, clinic: None, alice: Any
    ) -> None:
        client, token = self._csrf_client(alice)
        response = client.post(
            "/api/v1/bookings",
            CALL,
            content_type="application/json",
            headers={"X-CSRFToken": token},
        )
        assert response.status_code == 201, response.content
        assert Booking.objects.get().user == alice

    def test_an_anonymous_client_needs_no_token(self, clinic: None) -> None:
        assert _post(Client(enforce_csrf_checks=True)).status_code == 201

    @override_settings(BOOKING_RATE="1/h")
    def test_only_the_staff_role_skips_the_rate_limit(
        self, clinic: None, alice: Any, bob: Any
    ) -> None:
        """The admin-site flag is_staff is not the clinic's staff role (docs/booking.md)."""
        from django.core.cache import cache

        cache.clear()
        alice.is_staff = True
        alice.save(update_fields=["is_staff"])
        codes = []
        for user, hour in ((alice, 10), (alice, 11), (bob, 11), (bob, 12)):
            client, token = self._csrf_client(user)
            response = client.post(
                "/api/v1/bookings",
                {**CALL, "start": f"2027-03-22T{hour}:00:00+00:00"},
                content_type="application/json",
                headers={"X-CSRFToken": token},
            )
            codes.append(response.status_code)
        assert codes == [201, 429, 201, 201]
        cache.clear()


class StaffApiBookingTests:
    """Clinic staff booking through the API are treated as on the staff page: not held to the
    online notice, and told which booking clashes (the role, not the admin-site flag)."""

    TREATMENT = {
        **CALL,
        "service": "treatment-session",
        "site": "london",
        "start": "2027-03-22T10:00:00+00:00",
    }

    @staticmethod
    def _post_as(user: Any, **changes: Any) -> Any:
        client = Client()
        client.force_login(user)
        return client.post(
            "/api/v1/bookings",
            {**StaffApiBookingTests.TREATMENT, **changes},
            content_type="application/json",
        )

    def test_staff_may_book_inside_the_online_notice(
        self, client: Client, clinic: None, alice: Any, bob: Any, set_now: Any
    ) -> None:
        from datetime import UTC, datetime

        set_now(datetime(2027, 3, 22, 0, 0, tzinfo=UTC))  # 10 hours before; 12 hours' notice
        anonymous = client.post("/api/v1/bookings", self.TREATMENT, content_type="application/json")
        assert "12 hours' notice" in _error(anonymous, 422)["errors"]["start"][0]
        alice.is_staff = True  # the admin-site flag is not the clinic's staff role
        alice.save(update_fields=["is_staff"])
        assert "start" in _error(self._post_as(alice), 422)["errors"]
        response = self._post_as(bob)
        assert response.status_code == 201, response.content
        booking = Booking.objects.get()
        assert booking.booked_by == bob and booking.user is None

    def test_staff_are_told_which_booking_clashes_only_if_they_may_see_it(
        self, clinic: None, bob: Any
    ) -> None:
        from heelwise.accounts.models import User

        assert _post(Client(), **self.TREATMENT).status_code == 201
        other = Booking.objects.get()
        # Bob is not the practitioner of that booking: he may not see it, so he is told only
        # that the patient is busy then (not its time, place, service or reference).
        refused = self._post_as(bob, site="bedford")
        (message,) = _error(refused, 422)["errors"]["start"]
        assert message == (
            "This patient already has an appointment at an overlapping time. Choose another time."
        )
        assert other.reference not in refused.content.decode()
        admin = User.objects.create_user(
            "dana@example.com", "dana-password-1", full_name="Dana", role=User.Role.ADMIN
        )
        refused = self._post_as(admin, site="bedford")
        (message,) = _error(refused, 422)["errors"]["start"]
        assert message.startswith("This patient already has a booking at 10:00-10:30 ")
        assert "Treatment session" in message and other.reference in message
        assert Booking.objects.count() == 1
