from __future__ import annotations

from django.apps import AppConfig


class WebsiteConfig(AppConfig):
    name = "heelwise.website"
    label = "website"
    default_auto_field = "django.db.models.BigAutoField"
