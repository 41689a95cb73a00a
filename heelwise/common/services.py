from __future__ import annotations

from typing import Any

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
