from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from heelwise.common.models import AuditEvent
from heelwise.common.services import audit_record
from heelwise.website.forms import EnquiryForm
from heelwise.website.models import ENQUIRY_AUDIT_TYPE, Enquiry
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
    """Delete enquiries older than the retention period in the privacy notice (12 months),
    answered or not (age counts from arrival). Anything that led to care is copied into the
    clinical record, which has its own rules."""
    deleted, _ = Enquiry.objects.filter(created_at__lt=now - older_than).delete()
    return deleted


# --- Staff inbox: audited reads and the answered/open status -------------------------------------


class EnquiryStateError(Exception):
    """The enquiry is already in the state asked for (someone else may have just changed it)."""


def enquiry_list_view_record(*, viewer: Any, enquiries: Sequence[Enquiry]) -> None:
    """Audit a staff read of the inbox list (it shows names): which enquiries, never their data."""
    audit_record(
        actor=viewer,
        action=AuditEvent.Action.VIEW,
        object_type=ENQUIRY_AUDIT_TYPE,
        object_id="list",
        detail="listed " + (",".join(str(e.pk) for e in enquiries) or "none"),
    )


def enquiry_view_record(*, viewer: Any, enquiry: Enquiry) -> None:
    """Audit a staff read of one enquiry (message and contact details). References only."""
    audit_record(
        actor=viewer,
        action=AuditEvent.Action.VIEW,
        object_type=ENQUIRY_AUDIT_TYPE,
        object_id=enquiry.pk,
        detail="viewed the enquiry",
    )


def _enquiry_set_answered(*, enquiry_id: int, by: Any, answered: bool) -> Enquiry:
    enquiry = Enquiry.objects.select_for_update().get(pk=enquiry_id)
    if enquiry.handled == answered:
        raise EnquiryStateError(
            "This enquiry is already marked answered. Nothing was changed."
            if answered
            else "This enquiry is already open. Nothing was changed."
        )
    enquiry.handled = answered
    enquiry.handled_at = timezone.now() if answered else None
    enquiry.handled_by = by if answered else None
    # No full_clean(): only these three fields change, set here rather than from input.
    enquiry.save(update_fields=["handled", "handled_at", "handled_by"])
    audit_record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        object_type=ENQUIRY_AUDIT_TYPE,
        object_id=enquiry.pk,
        detail="marked answered" if answered else "reopened",
    )
    return enquiry


@transaction.atomic
def enquiry_mark_answered(*, enquiry_id: int, by: Any) -> Enquiry:
    """Mark an open enquiry answered, recording who and when (on the row and in the audit trail).
    The row is locked, so two people pressing the button at once cannot both succeed."""
    return _enquiry_set_answered(enquiry_id=enquiry_id, by=by, answered=True)


@transaction.atomic
def enquiry_reopen(*, enquiry_id: int, by: Any) -> Enquiry:
    """Reopen an answered enquiry; who reopened it and when is kept in the audit trail."""
    return _enquiry_set_answered(enquiry_id=enquiry_id, by=by, answered=False)
