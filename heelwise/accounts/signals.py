"""Sign-ins go into the audit trail, so "who used this account, and when" can be answered."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from heelwise.common.models import AuditEvent
from heelwise.common.services import audit_record


@receiver(user_logged_in, dispatch_uid="heelwise.accounts.audit_login")
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(
        actor=user,
        action=AuditEvent.Action.LOGIN,
        object_type="user",
        object_id=user.pk,
        subject_user_id=user.pk,
        detail="signed in",
    )
