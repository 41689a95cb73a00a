from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from django.db import transaction

from heelwise.website.forms import EnquiryForm
from heelwise.website.models import Enquiry
from heelwise.website.tasks import enquiry_notify_staff


@transaction.atomic
def enquiry_create(*, form: EnquiryForm) -> Enquiry:
    """Store a validated enquiry and notify staff once the row is committed."""
    enquiry = form.save(commit=False)
    enquiry.full_clean()
    enquiry.save()
    transaction.on_commit(partial(enquiry_notify_staff.enqueue, enquiry.pk))
    return enquiry


ENQUIRY_RETENTION = timedelta(days=365)


@transaction.atomic
def enquiry_purge(*, now: datetime, older_than: timedelta = ENQUIRY_RETENTION) -> int:
    """Delete enquiries older than the retention period in the privacy notice (12 months).
    Anything that led to care is copied into the clinical record, which has its own rules."""
    deleted, _ = Enquiry.objects.filter(created_at__lt=now - older_than).delete()
    return deleted
