"""The admin: patient data is read-only and every read of it is audited; clinic configuration
stays editable."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from heelwise.accounts.models import User
from heelwise.assessment.models import Assessment
from heelwise.common.models import AuditEvent
from heelwise.runlog.models import CheckIn
from heelwise.website.models import Enquiry

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client: Client) -> Client:
    admin_user = User.objects.create_superuser(
        "admin@example.com", "admin-password-1", full_name="Clinic Admin"
    )
    client.force_login(admin_user)
    return client


@pytest.fixture
def check_in(alice: User) -> CheckIn:
    return CheckIn.objects.create(
        user=alice, date=date(2027, 3, 9), first_step_pain=6, notes="Ran 5k"
    )


def _views() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="view").order_by("id"))


class PatientDataAdminTests:
    def test_opening_a_record_is_audited_with_its_patient_and_nothing_personal(
        self, staff_client: Client, alice: User, check_in: CheckIn
    ) -> None:
        response = staff_client.get(f"/admin/runlog/checkin/{check_in.pk}/change/")
        assert response.status_code == 200
        [event] = _views()
        assert event.object_type == "runlog.checkin"
        assert event.object_id == str(check_in.pk)
        assert event.subject_user_id == alice.pk
        assert event.actor is not None and event.actor.email == "admin@example.com"
        assert "alice" not in event.detail.lower() and "5k" not in event.detail

    def test_opening_a_list_is_audited(
        self, staff_client: Client, check_in: CheckIn, alice: User
    ) -> None:
        assert staff_client.get("/admin/runlog/checkin/?q=alice").status_code == 200
        [event] = _views()
        assert (event.object_type, event.object_id, event.detail) == (
            "runlog.checkin",
            "list",
            "admin list",
        )

    @pytest.mark.parametrize(
        "model", ["runlog/checkin", "runlog/run", "assessment/assessment", "booking/booking"]
    )
    def test_patient_data_cannot_be_added(self, staff_client: Client, model: str) -> None:
        assert staff_client.get(f"/admin/{model}/add/").status_code == 403

    def test_patient_data_cannot_be_changed_or_deleted(
        self, staff_client: Client, check_in: CheckIn
    ) -> None:
        url = f"/admin/runlog/checkin/{check_in.pk}/"
        response = staff_client.post(url + "change/", {"first_step_pain": 0, "date": "2027-03-09"})
        assert response.status_code == 403
        assert staff_client.post(url + "delete/", {"post": "yes"}).status_code == 403
        check_in.refresh_from_db()
        assert check_in.first_step_pain == 6

    def test_an_assessment_opens_read_only(self, staff_client: Client, alice: User) -> None:
        assessment = Assessment.objects.create(
            user=alice,
            saved_at=timezone.now(),
            questionnaire_response={},
            result={},
            kb_version="t",
            disposition="soon",
        )
        response = staff_client.get(f"/admin/assessment/assessment/{assessment.pk}/change/")
        assert response.status_code == 200
        assert 'name="_save"' not in response.content.decode()
        assert _views()[-1].subject_user_id == alice.pk

    def test_clinic_configuration_stays_editable(self, staff_client: Client) -> None:
        assert staff_client.get("/admin/clinics/site/add/").status_code == 200
        assert staff_client.get("/admin/booking/servicepolicy/add/").status_code == 200
        assert not _views()


class EnquiryAdminTests:
    def test_enquiries_are_read_only_and_reads_audited(self, staff_client: Client) -> None:
        enquiry = Enquiry.objects.create(
            name="Dana", email="dana@example.com", topic="other", message="Hello", consent=True
        )
        url = f"/admin/website/enquiry/{enquiry.pk}/change/"
        assert staff_client.get(url).status_code == 200
        event = _views()[-1]
        assert (event.object_type, event.object_id) == ("website.enquiry", str(enquiry.pk))
        assert staff_client.post(url, {"handled": "on"}).status_code == 403
        enquiry.refresh_from_db()
        assert not enquiry.handled
        assert staff_client.get("/admin/website/enquiry/add/").status_code == 403
        assert (
            staff_client.post(url.replace("change", "delete"), {"post": "yes"}).status_code == 403
        )


class AuditEventAdminTests:
    def test_the_list_makes_the_same_queries_for_any_number_of_actors(
        self, staff_client: Client, django_assert_max_num_queries: Any
    ) -> None:
        def add_events(count: int) -> None:
            for i in range(count):
                actor = User.objects.create_user(f"staff{i}-{count}@example.com", "x" * 12)
                AuditEvent.objects.create(
                    actor=actor, action="view", object_type="t", object_id="1"
                )

        add_events(1)
        staff_client.get("/admin/common/auditevent/")  # warm caches (content types, session)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as one:
            assert staff_client.get("/admin/common/auditevent/").status_code == 200
        add_events(5)
        with django_assert_max_num_queries(len(one.captured_queries)):
            assert staff_client.get("/admin/common/auditevent/").status_code == 200
