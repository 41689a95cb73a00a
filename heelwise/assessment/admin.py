from __future__ import annotations

from django.contrib import admin

from heelwise.assessment.models import Assessment
from heelwise.common.admin import PatientDataAdmin


@admin.register(Assessment)
class AssessmentAdmin(PatientDataAdmin[Assessment]):
    """Read-only; each list or record opened is audited."""

    list_display = ("public_id", "created", "disposition", "stopped_early", "user", "kb_version")
    list_filter = ("disposition", "stopped_early")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
