"""Account deletion erases the person everywhere; the account and delete pages show what will
happen to upcoming appointments."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.test import Client

from heelwise.accounts.models import User
from heelwise.accounts.services import user_delete
from heelwise.assessment.models import Assessment
from heelwise.booking import clock
from heelwise.booking.availability import LONDON
from heelwise.booking.models import Booking
from heelwise.booking.services import PatientDetails, booking_create, booking_mark
from heelwise.clinics.models import Service, Site
from heelwise.runlog.models import CheckIn, ImportJob

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 10, 8, 0, tzinfo=UTC)  # a Wednesday
EMAIL = "alice@example.com"
NAME = "Alice Runner"
PHONES = ("07700 900123", "07700900123")


@pytest.fixture
def at_now(demo_clinic: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


def _book(start: datetime, *, email: str = EMAIL, user: Any = None, now: datetime = NOW) -> Booking:
    return booking_create(
        service=Service.objects.get(slug="treatment-session"),
        site=Site.objects.get(slug="london"),
        start=start,
        patient=PatientDetails(name=NAME, email=email, phone=PHONES[0], notes="Sore heel"),
        user=user,
        now=now,
    )


def _rows_mentioning(needle: str) -> dict[str, int]:
    """Every row of every installed app's tables whose text or JSON columns contain ``needle``."""
    found: dict[str, int] = {}
    for model in apps.get_models():
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not fields:
            continue
        query = Q()
        for name in fields:
            query |= Q(**{f"{name}__icontains": needle})
        count = model._default_manager.filter(query).count()
        if count:
            found[model._meta.label] = count
    return found


class ErasureEverywhereTests:
    def test_no_row_of_any_app_holds_the_persons_email_name_or_phone(
        self, at_now: None, alice: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        past = _book(datetime(2027, 3, 8, 10, 0, tzinfo=LONDON), user=alice, now=NOW - timedelta(9))
        booking_mark(booking=past, status=Booking.Status.ATTENDED, now=NOW)
        _book(datetime(2027, 3, 15, 10, 0, tzinfo=LONDON), user=alice)
        # Bookings made without signing in are not the account's (an unverified address is no
        # proof): heelwise/booking/tests/test_personal_data.py shows they are left alone.
        shared = Assessment.objects.create(
            user=alice,
            saved_at=NOW,
            questionnaire_response={},
            result={},
            kb_version="test",
            disposition="self_care",
        )
        Booking.objects.filter(user=alice).update(assessment=shared)
        CheckIn.objects.create(user=alice, date=date(2027, 3, 9), first_step_pain=4)
        staff = User.objects.create_superuser("admin@example.com", "admin-password-1")
        LogEntry.objects.create(  # a staff member changed her account in the admin
            user=staff,
            content_type=ContentType.objects.get_for_model(User),
            object_id=str(alice.pk),
            object_repr=str(alice),
            action_flag=CHANGE,
            change_message='[{"changed": {"fields": ["Full name"]}}]',
        )
        ImportJob.objects.create(user=alice, upload_name="alice-runner-strava.zip")
        assert _rows_mentioning(EMAIL)  # the scan finds what is there

        with django_capture_on_commit_callbacks(execute=True):
            user_delete(user=alice)

        for needle in (EMAIL, NAME, *PHONES, "alice-runner"):
            assert _rows_mentioning(needle) == {}, needle
        assert not Booking.objects.filter(status=Booking.Status.CONFIRMED).exists()


def _upcoming(alice: User) -> Booking:
    return _book(datetime(2027, 3, 15, 10, 0, tzinfo=LONDON), user=alice)


class AccountPagesTests:
    def test_the_account_page_lists_upcoming_bookings(
        self, at_now: None, alice: User, client: Client
    ) -> None:
        booking = _upcoming(alice)
        client.force_login(alice)
        html = client.get("/accounts/").content.decode()
        assert "Your appointments" in html
        assert booking.reference in html
        assert "Monday 15 March 2027, 10:00" in html

    def test_the_account_page_says_when_there_are_none(self, alice: User, client: Client) -> None:
        client.force_login(alice)
        html = client.get("/accounts/").content.decode()
        assert "You have no upcoming appointments" in html

    def test_the_delete_page_says_upcoming_bookings_will_be_cancelled(
        self, at_now: None, alice: User, client: Client
    ) -> None:
        booking = _upcoming(alice)
        client.force_login(alice)
        html = client.get("/accounts/delete/").content.decode()
        assert "will be cancelled" in html
        assert booking.reference in html

    def test_the_delete_form_names_each_problem_plainly(self, alice: User, client: Client) -> None:
        client.force_login(alice)
        response = client.post("/accounts/delete/", {"password": ""})
        assert response.status_code == 422
        html = response.content.decode()
        assert "Enter your password to confirm it is you." in html
        assert "Tick the box to confirm that you understand what will be deleted." in html
        assert "deleted.:" not in html
        assert "This field is required." not in html
