"""Bench-only settings for bench/bench_assessment_pages.py: production settings, a bench URLconf
with a bare one-query view for comparison, plain static storage (no collectstatic needed)."""

from __future__ import annotations

import os

os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789abcdef")

from config.settings.base import *  # noqa: E402, F403
from config.settings.base import DATABASES  # noqa: E402

ROOT_URLCONF = "assessment_bench_urls"
DEBUG = False
DATABASES["default"]["CONN_MAX_AGE"] = 600
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LOGGING = {"version": 1, "disable_existing_loggers": True, "root": {"level": "ERROR"}}
