from __future__ import annotations

from django.contrib import admin

from heelwise.runlog.models import CheckIn, ImportJob, Programme, Run, Shoe


@admin.register(Run)
class RunAdmin(admin.ModelAdmin[Run]):
    list_display = ("user", "local_date", "sport", "kind", "distance_m", "duration_s", "source")
    list_filter = ("kind", "source")
    raw_id_fields = ("user", "shoe", "import_job")
    date_hierarchy = "local_date"


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin[CheckIn]):
    list_display = ("user", "date", "first_step_pain", "run_pain_during", "settled_by_morning")
    raw_id_fields = ("user",)
    date_hierarchy = "date"


@admin.register(Shoe)
class ShoeAdmin(admin.ModelAdmin[Shoe]):
    list_display = ("user", "name", "brand", "retire_at_km", "is_default", "retired")
    raw_id_fields = ("user",)


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin[ImportJob]):
    list_display = ("user", "upload_name", "status", "done", "total", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("user",)
    readonly_fields = ("report",)


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin[Programme]):
    list_display = ("user", "started_on", "start_stage", "rules_version", "active")
    raw_id_fields = ("user",)
