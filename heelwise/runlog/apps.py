from __future__ import annotations

from django.apps import AppConfig


class RunlogConfig(AppConfig):
    name = "heelwise.runlog"
    label = "runlog"
    verbose_name = "Recovery tracking"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from heelwise.accounts.personal_data import PersonalDataProvider, register
        from heelwise.runlog.safety import latest_assessment_blockers, register_blocker_source
        from heelwise.runlog.services import runlog_erase, runlog_export

        register(PersonalDataProvider(name="recovery", export=runlog_export, erase=runlog_erase))
        register_blocker_source(latest_assessment_blockers)

        from heelwise.common import demo_hooks
        from heelwise.runlog.demo import runlog_demo_load

        if runlog_demo_load not in demo_hooks.HOOKS:
            demo_hooks.HOOKS.append(runlog_demo_load)
