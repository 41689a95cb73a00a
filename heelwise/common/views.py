from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse


def rate_limited(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Shown when a client sends too many requests (django-ratelimit's RATELIMIT_VIEW)."""
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse(
            {
                "detail": "Too many requests from this client. Please wait a few minutes.",
                "errors": {},
            },
            status=429,
        )
    signing_in = request.path.startswith("/accounts/login/")
    return TemplateResponse(request, "429.html", {"signing_in": signing_in}, status=429)


def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for on pages without an icon link: the site's logo
    (looked up per request, so a missing manifest entry cannot stop the URLconf loading)."""
    from django.http import HttpResponsePermanentRedirect
    from django.templatetags.static import static

    return HttpResponsePermanentRedirect(static("img/logo.svg"))
