"""A self-assessment shared with the clinician through the discovery-call booking."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from heelwise.assessment.models import Assessment
from heelwise.assessment.services import assessment_purge_anonymous
from heelwise.assessment.tests.helpers import PLANTAR_FASCIITIS, walk
from heelwise.booking.models import Booking
from heelwise.booking.tests.test_views import START

pytestmark = pytest.mark.django_db

DETAILS = "/book/discovery-call/remote/details/"


def _book_link(client: Client) -> str:
    """Take an anonymous assessment and return the result page's 'book a call' link."""
    redirect = walk(client, PLANTAR_FASCIITIS)
    html = client.get(redirect["Location"]).content.decode()
    match = re.search(r'href="(/book/\?[^"]+)"', html)
    assert match, "the result page links to the booking flow"
    return match.group(1).replace("&amp;", "&")


def _book(client: Client, link: str, captured: Any) -> Booking:
    assert client.get(link)["Location"] == "/book/discovery-call/"
    data = {
        "start": START.isoformat(),
        "name": "Dana Runner",
        "email": "dana@example.com",
        "phone": "07700 900456",
    }
    review = client.post(DETAILS, data)
    assert review.status_code == 200
    with captured(execute=True):
        client.post(DETAILS, {**data, "step": "confirm"})
    return Booking.objects.get()


class SharedAssessmentTests:
    def test_the_booking_carries_the_assessment_to_its_practitioner_only(
        self,
        client: Client,
        clinic: None,
        bob: Any,
        charlie: Any,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        link = _book_link(client)
        details = client.get(link, follow=True)
        assert details.status_code == 200
        form = client.get(f"{DETAILS}?start={START.isoformat().replace('+', '%2B')}")
        assert b"will be shared with the clinician" in form.content
        booking = _book(client, link, django_capture_on_commit_callbacks)
        assessment = Assessment.objects.get()
        assert booking.assessment_id == assessment.pk
        booking.practitioner.user = bob
        booking.practitioner.save(update_fields=["user"])

        staff = Client()
        staff.force_login(bob)
        page = staff.get(f"/staff/bookings/{booking.reference}/").content.decode()
        found = re.search(r'href="(/assessment/clinician/[^"]+)"', page)
        assert found, "the staff booking page links to the shared answers"
        assert staff.get(found.group(1)).status_code == 200

        other = Client()
        other.force_login(charlie)
        assert other.get(found.group(1)).status_code == 404

    def test_a_tampered_token_attaches_nothing(
        self, client: Client, clinic: None, django_capture_on_commit_callbacks: Any
    ) -> None:
        link = _book_link(client)
        booking = _book(client, link + "x", django_capture_on_commit_callbacks)
        assert booking.assessment_id is None

    def test_a_shared_anonymous_assessment_outlives_the_anonymous_retention(
        self, client: Client, clinic: None, django_capture_on_commit_callbacks: Any
    ) -> None:
        _book(client, _book_link(client), django_capture_on_commit_callbacks)
        later = timezone.now() + timedelta(days=2)
        with mock.patch("django.utils.timezone.now", return_value=later):
            assert assessment_purge_anonymous() == 0
        assert Assessment.objects.count() == 1


def _link_for(assessment: Assessment) -> str:
    from heelwise.assessment.selectors import booking_token

    return f"/book/?service=discovery-call&assessment={booking_token(assessment)}"


def _clinician_url(assessment: Assessment) -> str:
    from heelwise.assessment.selectors import booking_token

    return f"/assessment/clinician/{booking_token(assessment)}/"


def _priya_is(user: Any) -> None:
    from heelwise.clinics.models import Practitioner

    Practitioner.objects.filter(user=user).update(user=None)
    Practitioner.objects.filter(slug="priya-shah").update(user=user)


class TokenEscalationTests:
    """A booking token is not a key: only whoever may see the assessment can share it."""

    def test_a_clinician_cannot_book_himself_with_a_patients_token_to_read_it(
        self,
        client: Client,
        clinic: None,
        alice: Any,
        charlie: Any,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        client.force_login(alice)
        walk(client, PLANTAR_FASCIITIS)
        assessment = Assessment.objects.get()
        assert assessment.user == alice
        _priya_is(charlie)  # Charlie takes Monday's remote calls: he would be the practitioner

        attacker = Client()
        attacker.force_login(charlie)
        landing = attacker.get(_link_for(assessment), follow=True)
        assert b"cannot be shared from here" in landing.content
        booking = _book(attacker, _link_for(assessment), django_capture_on_commit_callbacks)
        assert booking.user == charlie and booking.practitioner.user == charlie
        assert booking.assessment_id is None
        assert attacker.get(_clinician_url(assessment)).status_code == 404

    def test_another_browser_cannot_share_an_anonymous_assessment(
        self,
        client: Client,
        clinic: None,
        charlie: Any,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        link = _book_link(client)  # taken anonymously in `client`
        _priya_is(charlie)
        attacker = Client()
        attacker.force_login(charlie)
        booking = _book(attacker, link, django_capture_on_commit_callbacks)
        assert booking.assessment_id is None
        assert attacker.get(_clinician_url(Assessment.objects.get())).status_code == 404

    def test_the_owner_shares_her_saved_assessment_and_the_sharing_is_audited(
        self,
        client: Client,
        clinic: None,
        alice: Any,
        bob: Any,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        from heelwise.common.models import AuditEvent

        client.force_login(alice)
        walk(client, PLANTAR_FASCIITIS)
        assessment = Assessment.objects.get()
        booking = _book(client, _link_for(assessment), django_capture_on_commit_callbacks)
        assert booking.assessment_id == assessment.pk and booking.user == alice
        shared = AuditEvent.objects.get(object_type="assessment", action="update")
        assert shared.actor == alice and shared.subject_user_id == alice.pk
        assert shared.object_id == str(assessment.public_id)
        assert booking.reference in shared.detail
        _priya_is(bob)
        staff = Client()
        staff.force_login(bob)
        assert staff.get(_clinician_url(assessment)).status_code == 200


class ClinicianSelectorTests:
    """``assessment_get_for_clinician`` never counts a booking someone else made with the token
    (e.g. rows written before the booking flow checked the visitor)."""

    def _booking(self, *, user: Any, assessment: Assessment, practitioner_user: Any) -> Booking:
        from heelwise.booking.services import PatientDetails, booking_create
        from heelwise.clinics.models import Service

        _priya_is(practitioner_user)
        made = booking_create(
            service=Service.objects.get(slug="discovery-call"),
            site=None,
            start=START,
            patient=PatientDetails(
                name="Someone", email="someone@example.com", phone="07700900123"
            ),
            user=user,
        )
        Booking.objects.filter(pk=made.pk).update(assessment=assessment)  # as a pre-fix row
        return made

    def _assessment(self, owner: Any) -> Assessment:
        return _take(owner)

    def test_a_booking_of_another_account_never_counts(
        self, clinic: None, alice: Any, charlie: Any
    ) -> None:
        from heelwise.assessment.selectors import assessment_get_for_clinician, booking_token

        owned = self._assessment(alice)
        self._booking(user=charlie, assessment=owned, practitioner_user=charlie)
        assert assessment_get_for_clinician(token=booking_token(owned), clinician=charlie) is None

    def test_a_clinician_booking_with_an_anonymous_assessment_does_not_count(
        self, clinic: None, charlie: Any
    ) -> None:
        from heelwise.assessment.selectors import assessment_get_for_clinician, booking_token

        anonymous = self._assessment(None)
        self._booking(user=charlie, assessment=anonymous, practitioner_user=charlie)
        token = booking_token(anonymous)
        assert assessment_get_for_clinician(token=token, clinician=charlie) is None

    def test_a_booking_made_with_it_without_an_account_counts(
        self, clinic: None, alice: Any, bob: Any
    ) -> None:
        from heelwise.assessment.selectors import assessment_get_for_clinician, booking_token

        saved_later = self._assessment(alice)
        self._booking(user=None, assessment=saved_later, practitioner_user=bob)
        token = booking_token(saved_later)
        assert assessment_get_for_clinician(token=token, clinician=bob) == saved_later


class ShareInTheBookingTransactionTests:
    def test_a_failed_booking_leaves_no_share_and_no_audit_row(
        self, clinic: None, alice: Any, monkeypatch: Any
    ) -> None:
        from heelwise.booking import services
        from heelwise.booking.services import PatientDetails, booking_create
        from heelwise.clinics.models import Service
        from heelwise.common.models import AuditEvent

        assessment = _take(alice)

        def broken(**kwargs: Any) -> None:
            raise RuntimeError("outbox down")

        monkeypatch.setattr(services, "outbox_queue_for_booking", broken)
        try:
            booking_create(
                service=Service.objects.get(slug="discovery-call"),
                site=None,
                start=START,
                patient=PatientDetails(
                    name="Alice", email="alice@example.com", phone="07700900123"
                ),
                user=alice,
                assessment=assessment,
            )
        except RuntimeError:
            pass
        else:  # pragma: no cover - the outbox failure must propagate
            raise AssertionError("booking_create swallowed the failure")
        assert not Booking.objects.exists()
        assert not AuditEvent.objects.filter(object_type="assessment", action="update").exists()


def _take(user: Any) -> Assessment:
    """An assessment taken through the pages, by ``user`` (None: anonymously)."""
    taker = Client()
    if user is not None:
        taker.force_login(user)
    walk(taker, PLANTAR_FASCIITIS)
    found = Assessment.objects.order_by("-pk").first()
    assert found is not None and found.user == user
    return found


def test_the_results_cookie_reaches_the_booking_pages(client: Client, clinic: None) -> None:
    """A browser sends a cookie only under its path: the booking flow (/book/) must get it to
    recognise the browser that took an anonymous assessment."""
    walk(client, PLANTAR_FASCIITIS)
    assert client.cookies["hw_results"]["path"] == "/"
