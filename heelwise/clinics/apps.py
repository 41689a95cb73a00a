from __future__ import annotations

from django.apps import AppConfig


class ClinicsConfig(AppConfig):
    name = "heelwise.clinics"
    label = "clinics"
    default_auto_field = "django.db.models.BigAutoField"
