"""Public pages for patients. Thin views: read through selectors, write through services."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from heelwise.clinics.models import Practitioner, Site
from heelwise.clinics.selectors import practitioner_list, service_list, site_get, site_list
from heelwise.website.forms import EnquiryForm
from heelwise.website.services import enquiry_create


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "website/home.html",
        {"sites": site_list(), "services": service_list(bookable_only=True)},
    )


def clinics(request: HttpRequest) -> HttpResponse:
    return render(request, "website/clinics.html", {"sites": site_list()})


def clinic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        site = site_get(slug=slug)
    except Site.DoesNotExist as exc:
        raise Http404("No such clinic") from exc
    return render(request, "website/clinic_detail.html", {"site": site})


def guide(request: HttpRequest) -> HttpResponse:
    return render(request, "website/guide.html")


def practitioners(request: HttpRequest) -> HttpResponse:
    return render(request, "website/practitioners.html", {"practitioners": practitioner_list()})


def practitioner_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        practitioner = practitioner_list().get(slug=slug)
    except Practitioner.DoesNotExist as exc:
        raise Http404("No such practitioner") from exc
    return render(request, "website/practitioner_detail.html", {"practitioner": practitioner})


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="settings.ENQUIRY_RATE", method="POST", block=True)
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
