from __future__ import annotations

from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "heelwise.assessment"
    label = "assessment"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Self-assessment"

    def ready(self) -> None:
        from heelwise.accounts.personal_data import PersonalDataProvider, register
        from heelwise.assessment.selectors import assessment_export_for_user
        from heelwise.assessment.services import assessment_erase_for_user

        register(
            PersonalDataProvider(
                name="assessments",
                export=assessment_export_for_user,
                erase=assessment_erase_for_user,
            )
        )
