from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from heelwise.website.models import Enquiry


def _enquiry(name: str) -> Enquiry:
    return Enquiry.objects.create(
        name=name, email=f"{name}@example.com", topic="other", message="A message", consent=True
    )


@pytest.mark.django_db
class HousekeepingTests:
    def test_it_deletes_only_enquiries_past_retention(self) -> None:
        old = _enquiry("old")
        Enquiry.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
        recent = _enquiry("recent")
        out = StringIO()
        call_command("housekeeping", stdout=out)
        assert list(Enquiry.objects.values_list("pk", flat=True)) == [recent.pk]
        assert "enquiries=1" in out.getvalue()

    def test_a_second_pass_finds_nothing_more(self) -> None:
        old = _enquiry("old")
        Enquiry.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
        call_command("housekeeping", stdout=StringIO())
        out = StringIO()
        call_command("housekeeping", stdout=out)
        assert "enquiries=0" in out.getvalue()
