from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "heelwise.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from heelwise.accounts import (  # noqa: F401 - connect the sign-in audit and failure count
            sign_in_limits,
            signals,
        )
