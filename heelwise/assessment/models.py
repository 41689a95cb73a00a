"""A completed self-assessment: the answers (a FHIR R4 QuestionnaireResponse), the engine's
result and the knowledge-base version that produced it.

An assessment taken anonymously has no user and nothing that identifies a person; it is reachable
only from the browser session that took it and is deleted after ``ANONYMOUS_RETENTION``
(see docs/self-assessment.md) unless the patient saves it to an account.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

ANONYMOUS_RETENTION = timedelta(hours=24)


class Assessment(models.Model):
    class Disposition(models.TextChoices):
        EMERGENCY = "emergency", "Emergency"
        URGENT = "urgent", "Urgent (same day)"
        SOON = "soon", "Soon (1-2 weeks)"
        SELF_CARE = "self_care", "Self-care"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="assessments",
    )
    questionnaire_response = models.JSONField(
        help_text="The answers as a FHIR R4 QuestionnaireResponse."
    )
    result = models.JSONField(help_text="The clinical engine's result (spec/assessment.md).")
    kb_version = models.CharField(max_length=64)
    disposition = models.CharField(max_length=16, choices=Disposition.choices)
    stopped_early = models.BooleanField(
        default=False, help_text="The questionnaire stopped at a red flag."
    )
    created = models.DateTimeField(default=timezone.now, db_index=True)
    saved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(disposition__in=["emergency", "urgent", "soon", "self_care"]),
                name="assessment_disposition_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=True, saved_at__isnull=True)
                | models.Q(user__isnull=False, saved_at__isnull=False),
                name="assessment_saved_iff_user",
            ),
        ]
        indexes = [models.Index(fields=["user", "-created"], name="assessment_user_created")]

    def __str__(self) -> str:
        return f"Assessment {self.public_id} ({self.disposition})"

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None

    @property
    def expires_at(self) -> datetime | None:
        return self.created + ANONYMOUS_RETENTION if self.user_id is None else None
