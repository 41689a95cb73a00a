from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings

from heelwise.common.models import AuditEvent


def audit_record(
    *,
    actor: Any,
    action: str,
    object_type: str,
    object_id: object,
    subject_user_id: int | None = None,
    detail: str = "",
) -> AuditEvent:
    """Append one entry to the audit trail. ``actor`` is a user or None (anonymous/system)."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        subject_user_id=subject_user_id,
        detail=detail[:200],
    )


def session_purge_expired() -> None:
    """Delete expired sessions (what ``manage.py clearsessions`` does), e.g. an anonymous
    visitor's unfinished questionnaire answers once its session has expired."""
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
