"""A ceiling on wrong passwords for one account, from anywhere, that its owner can always lift.

Per-address limits (accounts/views.py) stop one client guessing; this one bounds guessing spread
over many addresses. It counts only failed sign-ins (``user_login_failed``), in the shared cache
so every app server sees the same count, per account and clock hour. At the ceiling, sign-in to
that account is paused and the 429 page points to the password reset: setting a new password
through the emailed link clears the count (``clear``), so a stranger who fails on purpose can
delay the owner but never lock them out.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.dispatch import receiver

CEILING = 50  # wrong passwords an hour for one account, from all addresses together
WINDOW_S = 3600


def _key(email: str, now: float | None = None) -> str:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]  # no address in keys
    window = int((time.time() if now is None else now) // WINDOW_S)
    return f"heelwise:login-failures:{digest}:{window}"


def failures(email: str) -> int:
    return int(cache.get(_key(email)) or 0)


def paused(email: str) -> bool:
    return bool(email) and failures(email) >= CEILING


def clear(email: str) -> None:
    cache.delete(_key(email))


@receiver(user_login_failed, dispatch_uid="heelwise.accounts.count_login_failure")
def count_failure(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    email = str(credentials.get("username") or "")
    if not email:
        return
    key = _key(email)
    if cache.add(key, 1, timeout=WINDOW_S + 60):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_S + 60)
