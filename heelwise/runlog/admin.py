"""Recovery records are the runner's own data: read-only here, and every read is audited."""

from __future__ import annotations

from django.contrib import admin

from heelwise.common.admin import PatientDataAdmin
from heelwise.runlog.models import CheckIn, ImportJob, Programme, Run, Shoe


@admin.register(Run)
class RunAdmin(PatientDataAdmin[Run]):
    list_display = ("user", "local_date", "sport", "kind", "distance_m", "duration_s", "source")
    list_filter = ("kind", "source")
    list_select_related = ("user",)
    raw_id_fields = ("user", "shoe", "import_job")
    date_hierarchy = "local_date"


@admin.register(CheckIn)
class CheckInAdmin(PatientDataAdmin[CheckIn]):
    list_display = ("user", "date", "first_step_pain", "run_pain_during", "settled_by_morning")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    date_hierarchy = "date"


@admin.register(Shoe)
class ShoeAdmin(PatientDataAdmin[Shoe]):
    list_display = ("user", "name", "brand", "retire_at_km", "is_default", "retired")
    list_select_related = ("user",)
    raw_id_fields = ("user",)


@admin.register(ImportJob)
class ImportJobAdmin(PatientDataAdmin[ImportJob]):
    list_display = ("user", "upload_name", "status", "done", "total", "created_at")
    list_filter = ("status",)
    list_select_related = ("user",)
    raw_id_fields = ("user",)


@admin.register(Programme)
class ProgrammeAdmin(PatientDataAdmin[Programme]):
    list_display = ("user", "started_on", "start_stage", "rules_version", "active")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
