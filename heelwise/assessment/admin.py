from __future__ import annotations

from django.contrib import admin

from heelwise.assessment.models import Assessment


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin[Assessment]):
    list_display = ("public_id", "created", "disposition", "stopped_early", "user", "kb_version")
    list_filter = ("disposition", "stopped_early")
    readonly_fields = ("public_id", "questionnaire_response", "result", "kb_version", "created")
    raw_id_fields = ("user",)
