from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from heelwise.website.models import Enquiry
from heelwise.website.services import enquiry_purge


def make(age_days: int) -> Enquiry:
    enquiry = Enquiry.objects.create(
        name="Alice", email="alice@example.com", topic="other", message="Hello there", consent=True
    )
    Enquiry.objects.filter(pk=enquiry.pk).update(
        created_at=timezone.now() - timedelta(days=age_days)
    )
    return enquiry


@pytest.mark.django_db
class EnquiryRetentionTests:
    def test_it_deletes_only_enquiries_past_the_retention_period(self) -> None:
        old, recent = make(400), make(30)
        assert enquiry_purge(now=timezone.now()) == 1
        assert list(Enquiry.objects.values_list("pk", flat=True)) == [recent.pk]
        assert not Enquiry.objects.filter(pk=old.pk).exists()

    def test_the_command_accepts_a_shorter_period(self) -> None:
        make(400)
        make(30)
        out = StringIO()
        call_command("enquiries_purge", "--days", "7", stdout=out)
        assert Enquiry.objects.count() == 0
        assert "Deleted 2 enquiries" in out.getvalue()
