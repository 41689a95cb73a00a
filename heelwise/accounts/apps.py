from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "heelwise.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from heelwise.accounts import signals  # noqa: F401 - connects the sign-in audit
