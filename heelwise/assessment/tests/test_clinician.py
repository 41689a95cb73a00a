from __future__ import annotations

import pytest
from django.test import Client

from heelwise.assessment.models import Assessment
from heelwise.assessment.selectors import booking_token
from heelwise.assessment.tests.helpers import PLANTAR_FASCIITIS, walk
from heelwise.booking.tests.care import care_booking
from heelwise.common.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def alices_assessment(client: Client, alice) -> Assessment:
    client.force_login(alice)
    walk(client, PLANTAR_FASCIITIS)
    return Assessment.objects.get()


@pytest.fixture
def bob_sees_alice(demo_clinic: None, alice, bob) -> None:
    """Bob is the practitioner of Alice's discovery call."""
    care_booking(alice, bob)


def _url(assessment: Assessment) -> str:
    return f"/assessment/clinician/{booking_token(assessment)}/"


class ClinicianViewTests:
    def test_the_practitioner_of_a_booking_sees_the_attached_answers(
        self, alices_assessment: Assessment, bob_sees_alice: None, bob
    ) -> None:
        clinician = Client()
        clinician.force_login(bob)
        response = clinician.get(_url(alices_assessment))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Plantar fasciitis" in html
        assert "Under the heel, towards the inner (arch) side" in html  # an answer
        assert "not a diagnosis" in html
        assert AuditEvent.objects.filter(actor=bob, action="view").exists()

    def test_another_clinician_gets_a_404(
        self, alices_assessment: Assessment, bob_sees_alice: None, charlie
    ) -> None:
        other = Client()
        other.force_login(charlie)
        assert other.get(_url(alices_assessment)).status_code == 404

    def test_a_patient_cannot_use_the_clinician_page(
        self, client: Client, alices_assessment: Assessment
    ) -> None:
        assert client.get(_url(alices_assessment)).status_code == 404

    def test_a_tampered_token_gets_a_404(
        self, alices_assessment: Assessment, bob_sees_alice: None, bob
    ) -> None:
        clinician = Client()
        clinician.force_login(bob)
        assert clinician.get(_url(alices_assessment)[:-3] + "x/").status_code == 404
