"""A clinician's read-only view of the recovery of a patient they care for (a booking), and the
list of their patients. Anyone without a care relationship gets 404; every read is audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from heelwise.booking.tests.care import care_booking
from heelwise.common.models import AuditEvent
from heelwise.runlog import services
from heelwise.runlog.tests.test_views import _client, _history

pytestmark = pytest.mark.django_db


@pytest.fixture
def bob_cares_for_alice(demo_clinic: None, alice: Any, bob: Any) -> Any:
    """Bob is the practitioner of Alice's discovery call; Alice has a month of recovery data."""
    _history(alice, 30)
    return care_booking(alice, bob)


@pytest.fixture
def admin(db: None) -> Any:
    """A clinic administrator (no practitioner, no bookings)."""
    from heelwise.accounts.models import User

    return User.objects.create_user(
        "dee@example.com", "dee-password-1", full_name="Dee Admin", role=User.Role.ADMIN
    )


def _url(patient: Any, name: str = "runlog:clinician_patient") -> str:
    return reverse(name, args=[patient.pk])


CHARTS = ("runlog:clinician_chart_pain_load", "runlog:clinician_chart_shoes")


class ClinicianRecoveryAccessTests:
    def test_the_clinician_of_a_booking_sees_the_patients_recovery(
        self, bob_cares_for_alice: Any, alice: Any, bob: Any
    ) -> None:
        response = _client(bob).get(_url(alice))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Recovery of Alice Runner" in html
        assert "Daily trainer" in html  # her shoes
        assert "Return to running" in html and "Recent check-ins" in html
        assert "no-store" in response["Cache-Control"]
        for name in CHARTS:
            assert _client(bob).get(_url(alice, name)).status_code == 200

    def test_another_clinician_gets_a_404(
        self, bob_cares_for_alice: Any, alice: Any, charlie: Any
    ) -> None:
        client = _client(charlie)
        for name in ("runlog:clinician_patient", *CHARTS):
            assert client.get(_url(alice, name)).status_code == 404
        assert b"Alice" not in client.get(reverse("runlog:clinician_patients")).content

    def test_a_cancelled_booking_is_no_care_relationship(
        self, demo_clinic: None, alice: Any, charlie: Any
    ) -> None:
        care_booking(alice, charlie, status="cancelled")
        assert _client(charlie).get(_url(alice)).status_code == 404

    def test_a_patient_gets_a_404_for_someone_elses_recovery(
        self, bob_cares_for_alice: Any, alice: Any, bob: Any
    ) -> None:
        from heelwise.accounts.models import User

        erin = User.objects.create_user("erin@example.com", "erin-password-1")
        care_booking(erin, bob)
        client = _client(alice)
        for name in ("runlog:clinician_patient", *CHARTS):
            assert client.get(_url(erin, name)).status_code == 404
        # Not even her own, through the clinician's page; nor the clinician's list.
        assert client.get(_url(alice)).status_code == 404
        assert client.get(reverse("runlog:clinician_patients")).status_code == 404

    def test_an_unknown_patient_is_the_same_404(self, bob_cares_for_alice: Any, bob: Any) -> None:
        assert _client(bob).get("/recovery/patients/999999/").status_code == 404

    def test_a_clinic_administrator_sees_it(
        self, bob_cares_for_alice: Any, alice: Any, admin: Any
    ) -> None:
        client = _client(admin)
        assert client.get(_url(alice)).status_code == 200
        page = client.get(reverse("runlog:clinician_patients")).content.decode()
        assert _url(alice) in page

    def test_anonymous_is_sent_to_log_in(self, bob_cares_for_alice: Any, alice: Any) -> None:
        for url in (_url(alice), reverse("runlog:clinician_patients")):
            response = Client().get(url)
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_it_is_read_only(self, bob_cares_for_alice: Any, alice: Any, bob: Any) -> None:
        response = _client(bob).post(_url(alice))
        assert response.status_code == 405
        html = _client(bob).get(_url(alice)).content.decode()
        assert "Book a clinician" not in html and "Do today's check-in" not in html
        assert "/recovery/shoes/" not in html  # no links into the patient's own forms


class ClinicianRecoveryAuditTests:
    def test_each_read_is_audited_without_personal_data(
        self, bob_cares_for_alice: Any, alice: Any, bob: Any, charlie: Any
    ) -> None:
        reads = AuditEvent.objects.filter(object_type="runlog.recovery")
        _client(charlie).get(_url(alice))  # refused: no record
        assert not reads.exists()
        _client(bob).get(_url(alice))
        event = reads.get()
        assert (event.actor, event.action, event.subject_user_id) == (bob, "view", alice.pk)
        assert event.object_type == "runlog.recovery" and event.object_id == str(alice.pk)
        assert "Alice" not in event.detail and "alice@" not in event.detail
        for name in CHARTS:
            _client(bob).get(_url(alice, name))
        assert reads.filter(actor=bob, subject_user_id=alice.pk).count() == 3


class ClinicianRecoveryPageTests:
    def test_it_renders_the_charts_and_their_tables(
        self, bob_cares_for_alice: Any, alice: Any, bob: Any
    ) -> None:
        alice.date_joined -= timedelta(days=365)  # weeks before joining are not listed
        alice.save(update_fields=["date_joined"])
        html = _client(bob).get(_url(alice), {"weeks": 12}).content.decode()
        assert f'src="{_url(alice, CHARTS[0])}?weeks=12"' in html
        assert f'src="{_url(alice, CHARTS[1])}"' in html
        assert "Weekly distance, change and average pain" in html  # the chart's table
        assert "Distance and average pain during runs, per pair" in html  # the shoes' table
        assert html.count('<th scope="row">') >= 12 + 1 + 14  # weeks, shoes, check-ins
        five_years = _client(bob).get(_url(alice), {"weeks": 260}).content.decode()
        assert "Distance, change and average pain per 4 weeks" in five_years
        svg = _client(bob).get(_url(alice, CHARTS[0]))
        assert svg["Content-Type"].startswith("image/svg+xml")
        assert svg["Content-Security-Policy"].startswith("default-src 'none'")

    # session, viewer, patient (care check), audit insert, runs, check-ins, programme, latest
    # assessment, shoes + distance, shoe pain, recent check-ins; plus the programme's check-ins
    # when it started before the window shown.
    @pytest.mark.parametrize("weeks", [26, 260])
    def test_it_uses_a_bounded_number_of_queries(
        self,
        demo_clinic: None,
        alice: Any,
        bob: Any,
        weeks: int,
        django_assert_max_num_queries: Any,
    ) -> None:
        care_booking(alice, bob)
        _history(alice, 5 * 365)
        services.programme_start(user=alice, started_on=services.local_today() - timedelta(400))
        client = _client(bob)
        with django_assert_max_num_queries(12):
            response = client.get(_url(alice), {"weeks": weeks})
        assert response.status_code == 200

    def test_the_list_shows_only_my_patients_and_links_to_them(
        self, bob_cares_for_alice: Any, alice: Any, bob: Any, charlie: Any
    ) -> None:
        from heelwise.accounts.models import User

        someone = User.objects.create_user("sam@example.com", "sam-password-1", full_name="Sam")
        care_booking(someone, charlie)
        response = _client(bob).get(reverse("runlog:clinician_patients"))
        assert response.status_code == 200
        html = response.content.decode()
        assert _url(alice) in html and "Sam" not in html
        assert services.local_today().strftime("%-d %b %Y") in html  # her latest check-in

    def test_the_staff_booking_page_links_to_it_for_the_carer_only(
        self, bob_cares_for_alice: Any, alice: Any, bob: Any, charlie: Any
    ) -> None:
        url = f"/staff/bookings/{bob_cares_for_alice.reference}/"
        assert _url(alice) in _client(bob).get(url).content.decode()
        assert _url(alice) not in _client(charlie).get(url).content.decode()
        calendar = _client(bob).get("/staff/bookings/").content.decode()
        assert reverse("runlog:clinician_patients") in calendar
