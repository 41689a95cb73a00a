"""Bench-only URLconf: the real site plus /bench/bare/, a bare view doing one query."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.http import HttpRequest, JsonResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


def bare_one_query(request: HttpRequest) -> JsonResponse:
    count = Session.objects.filter(session_key="no-such-session").count()
    return JsonResponse({"count": count})


urlpatterns = [path("bench/bare/", bare_one_query), *site_urlpatterns]
