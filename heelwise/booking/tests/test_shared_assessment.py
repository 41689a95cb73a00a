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
    data = {"start": START.isoformat(), "name": "Dana Runner", "email": "dana@example.com"}
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
