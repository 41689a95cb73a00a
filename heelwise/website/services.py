from __future__ import annotations

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
