"""Writes: finishing an assessment, saving it to an account, purging anonymous ones, erasure."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from heelwise.assessment import engine, fhir
from heelwise.assessment.models import ANONYMOUS_RETENTION, Assessment
from heelwise.common.services import audit_record

if TYPE_CHECKING:
    from heelwise.accounts.models import User


class AssessmentError(ValueError):
    """The answers cannot be assessed; ``problems`` names every bad field."""

    def __init__(self, problems: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{p['field']}: {p['message']}" for p in problems))
        self.problems = problems


@transaction.atomic
def assessment_submit(
    *, answers: Mapping[str, Any], user: User | None = None, stopped_early: bool = False
) -> Assessment:
    """Assess the answers and store them as a FHIR QuestionnaireResponse beside the result.

    ``user`` is None for an anonymous visitor: the row then holds no personal identifier.
    """
    request = engine.to_request(answers)
    problems = engine.validate(request)
    if problems:
        raise AssessmentError(problems)
    result = engine.assess(answers)
    now = timezone.now()
    assessment = Assessment(
        user=user,
        questionnaire_response=fhir.questionnaire_response(answers, authored=now),
        result=result,
        kb_version=result["knowledge_base"],
        disposition=result["disposition"],
        stopped_early=stopped_early,
        created=now,
        saved_at=now if user is not None else None,
    )
    assessment.full_clean()
    assessment.save()
    # Retention does not depend on a scheduler being set up: every submission also deletes
    # anonymous assessments past their retention (the hourly `assessment_purge` does the same).
    assessment_purge_anonymous()
    if user is not None:
        audit_record(
            actor=user,
            action="create",
            object_type="assessment",
            object_id=assessment.public_id,
            subject_user_id=user.pk,
            detail="self-assessment submitted",
        )
    return assessment


@transaction.atomic
def assessment_save_to_account(*, assessment: Assessment, user: User) -> Assessment:
    """Attach an anonymous assessment to ``user`` (idempotent for the same user)."""
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.user_id == user.pk:
        return locked
    if locked.user_id is not None:
        raise PermissionError("This assessment belongs to another account.")
    locked.user = user
    locked.saved_at = timezone.now()
    locked.full_clean()
    locked.save(update_fields=["user", "saved_at"])
    audit_record(
        actor=user,
        action="update",
        object_type="assessment",
        object_id=locked.public_id,
        subject_user_id=user.pk,
        detail="anonymous assessment saved to the account",
    )
    return locked


def assessment_purge_anonymous(*, older_than: timedelta = ANONYMOUS_RETENTION) -> int:
    """Delete anonymous assessments past their retention; return how many were deleted."""
    cutoff = timezone.now() - older_than
    # An anonymous assessment the patient attached to a booking is part of that booking's
    # record (shared with the clinician on purpose), so it is kept with the booking.
    deleted, _ = Assessment.objects.filter(
        user__isnull=True, created__lt=cutoff, bookings__isnull=True
    ).delete()
    return deleted


def assessment_erase_for_user(user: User) -> None:
    """Personal-data erasure (accounts.personal_data provider)."""
    Assessment.objects.filter(user=user).delete()
