"""Bench-only URLconf: the real site plus /bench/insert/, a bare view doing one INSERT."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns as site_urlpatterns


@csrf_exempt
def bare_insert(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_hit (body) VALUES (%s) RETURNING id", [request.body])
        (hit_id,) = cursor.fetchone()
    return JsonResponse({"id": hit_id}, status=201)


urlpatterns = [path("bench/insert/", bare_insert), *site_urlpatterns]
