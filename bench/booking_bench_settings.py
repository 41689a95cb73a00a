"""Bench-only settings for bench/bench_booking.py: production settings plus a bench URLconf
that adds a bare one-INSERT view for comparison. Never used by the application."""

from __future__ import annotations

import os

os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789abcdef")

from config.settings.base import *  # noqa: E402, F403
from config.settings.base import DATABASES  # noqa: E402

ROOT_URLCONF = "booking_bench_urls"
DEBUG = False
DATABASES["default"]["CONN_MAX_AGE"] = 600
# Rate limits stay on (the code path is measured) but per-process and generous.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
BOOKING_RATE = "1000000/s"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = {"version": 1, "disable_existing_loggers": True, "root": {"level": "ERROR"}}
