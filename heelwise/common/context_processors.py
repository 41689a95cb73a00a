from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site_context(request: HttpRequest) -> dict[str, Any]:
    return {"CLINIC_NAME": "ProHealth Clinic", "SITE_URL": settings.SITE_URL}
