"""Public pages for patients. Thin views: read through selectors, write through services."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from heelwise.clinics.models import Practitioner, Site
from heelwise.clinics.selectors import practitioner_list, service_list
from heelwise.website.content import REFERENCES
from heelwise.website.forms import EnquiryForm
from heelwise.website.hours import bank_holidays_upcoming, hours_summary, week_hours
from heelwise.website.selectors import site_get_public, site_list_public
from heelwise.website.services import enquiry_create


def _site_cards(sites: list[Site]) -> list[dict[str, Any]]:
    """Each site with its hours arranged for display (no queries: hours are prefetched)."""
    cards = []
    for site in sites:
        rows = list(site.opening_hours.all())
        cards.append({"site": site, "week": week_hours(rows), "summary": hours_summary(rows)})
    return cards


def home(request: HttpRequest) -> HttpResponse:
    sites = list(site_list_public(today=timezone.localdate()))
    services = list(service_list(bookable_only=True))
    discovery = next((s for s in services if s.is_free and s.is_remote), None)
    return render(
        request,
        "website/home.html",
        {"cards": _site_cards(sites), "services": services, "discovery": discovery},
    )


def clinics(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    sites = list(site_list_public(today=today))
    return render(
        request,
        "website/clinics.html",
        {"cards": _site_cards(sites), "bank_holidays": bank_holidays_upcoming(today=today)},
    )


def clinic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    today = timezone.localdate()
    try:
        site = site_get_public(slug=slug, today=today)
    except Site.DoesNotExist as exc:
        raise Http404("No such clinic") from exc
    return render(
        request,
        "website/clinic_detail.html",
        {
            "card": _site_cards([site])[0],
            "site": site,
            "bank_holidays": bank_holidays_upcoming(today=today),
        },
    )


def guide(request: HttpRequest) -> HttpResponse:
    return render(request, "website/guide.html", {"references": REFERENCES})


def practitioners(request: HttpRequest) -> HttpResponse:
    return render(
        request, "website/practitioners.html", {"practitioners": list(practitioner_list())}
    )


def practitioner_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        practitioner = practitioner_list().get(slug=slug)
    except Practitioner.DoesNotExist as exc:
        raise Http404("No such practitioner") from exc
    interests = [i.strip() for i in practitioner.special_interests.split(",") if i.strip()]
    return render(
        request,
        "website/practitioner_detail.html",
        {"practitioner": practitioner, "interests": interests},
    )


def enquiry_rate(group: str, request: HttpRequest) -> str:
    """Read the limit per request, so deployments (and tests) can change ENQUIRY_RATE.
    (A string such as "settings.ENQUIRY_RATE" would be imported as a module path.)"""
    return str(settings.ENQUIRY_RATE)


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=enquiry_rate, method="POST", block=True)
def contact(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = EnquiryForm(request.POST)
        if form.is_spam:
            # Pretend success so bots learn nothing; store nothing.
            return redirect("website:contact_thanks")
        if form.is_valid():
            enquiry_create(form=form)
            return redirect("website:contact_thanks")
        status = 422
    else:
        form = EnquiryForm()
        status = 200
    return render(request, "website/contact.html", {"form": form}, status=status)


def contact_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "website/contact_thanks.html")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "website/privacy.html")


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "website/accessibility.html")
