"""Sign-ins go into the audit trail, so "who used this account, and when" can be answered, and
a signed-in session lasts its normal time even if it began as an anonymous questionnaire
session (whose answers expire after 24 hours: heelwise/assessment/views.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from heelwise.common.models import AuditEvent
from heelwise.common.services import audit_record


@receiver(user_logged_in, dispatch_uid="heelwise.accounts.audit_login")
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        session.set_expiry(None)  # login() keeps an anonymous session's short expiry otherwise
    audit_record(
        actor=user,
        action=AuditEvent.Action.LOGIN,
        object_type="user",
        object_id=user.pk,
        subject_user_id=user.pk,
        detail="signed in",
    )
