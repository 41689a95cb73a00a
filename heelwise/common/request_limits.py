"""Refuse an oversized request body before anything reads it.

Django streams a multipart file part to a temporary file as soon as anything touches
``request.POST`` (``CsrfViewMiddleware`` does, before any view), so without a cap an anonymous
POST to any form could fill the server's disk. Only the watch-file import accepts large files,
and it has its own limit (``heelwise.runlog.upload_limits``); every other request whose declared
``Content-Length`` is over ``HEELWISE_MAX_REQUEST_BYTES`` (default 5 MB: far above any form or
JSON body Heelwise takes) gets 413 at once, with nothing read. A body sent without a declared
length is read as empty by Django under WSGI, so it cannot get round the cap.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.exempt = ""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = str(request.META.get("CONTENT_LENGTH") or "")
        limit = int(getattr(settings, "HEELWISE_MAX_REQUEST_BYTES", 5 * 1024 * 1024))
        if declared.isdigit() and int(declared) > limit:
            self.exempt = self.exempt or reverse("runlog:import_new")
            # The import has its own, larger limit, but only for a signed-in runner: CSRF reads
            # the body before the view's login check, so an anonymous POST gets the small cap.
            signed_in = getattr(getattr(request, "user", None), "is_authenticated", False)
            if request.path_info != self.exempt or not signed_in:
                return render(request, "413.html", {"limit": _size(limit)}, status=413)
        return self.get_response(request)


def _size(limit: int) -> str:
    """The limit in words: '5 MB', '500 KB'."""
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g} MB"
    return f"{max(1, limit // 1024)} KB"
