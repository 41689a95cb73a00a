"""The booking app's clock. Tests replace ``now`` to stand at a fixed instant (e.g. just before
the 2027 clock changes) without sleeping or touching the system clock."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()
