"""Account use cases: sign up, export everything held about a person, delete the account."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from heelwise.accounts.models import User
from heelwise.accounts.personal_data import providers
from heelwise.common.services import audit_record


@transaction.atomic
def user_sign_up(*, email: str, password: str, full_name: str) -> User:
    user = User.objects.create_user(email, password, full_name=full_name, role=User.Role.PATIENT)
    audit_record(
        actor=user,
        action="create",
        object_type="user",
        object_id=user.pk,
        subject_user_id=user.pk,
        detail="signed up",
    )
    return user


def user_export(*, user: User) -> dict[str, Any]:
    """Everything Heelwise holds about this person, as JSON-able data (GDPR Art. 15 and 20)."""
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "role": user.role,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
    }
    for provider in providers():
        data[provider.name] = provider.export(user)
    audit_record(
        actor=user,
        action="export",
        object_type="user",
        object_id=user.pk,
        subject_user_id=user.pk,
        detail="personal data export",
    )
    return data


@transaction.atomic
def user_delete(*, user: User) -> None:
    """Erase the account and the personal data every app holds about it (GDPR Art. 17).

    The audit trail keeps the fact that an erasure happened, with no personal data in it; the
    admin's change history about the account keeps its entries but no longer names the person.
    """
    user_id = user.pk
    for provider in providers():
        provider.erase(user)
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user_id)
    ).update(object_repr=f"user #{user_id} (erased)")
    audit_record(
        actor=None,
        action="delete",
        object_type="user",
        object_id=user_id,
        subject_user_id=user_id,
        detail="account and personal data erased on request",
    )
    user.delete()
