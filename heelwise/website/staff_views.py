"""Staff enquiries inbox: the messages sent through the public contact form, for clinic
administrators and clinicians (enquirers are prospective patients, with no care relationship
yet). Every read is recorded in the audit trail, and so is marking one answered or reopening it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from heelwise.accounts.models import User
from heelwise.clinics.models import Site
from heelwise.website import selectors, services
from heelwise.website.forms import EnquiryFilterForm
from heelwise.website.models import Enquiry

View = Callable[..., HttpResponse]

PAGE_SIZE = 20  # keeps the listed ids inside the audit row's 200-character detail
STAFF_ROLES = {User.Role.ADMIN, User.Role.CLINICIAN}
ACTIONS = {"answered": services.enquiry_mark_answered, "reopen": services.enquiry_reopen}


def enquiry_staff_required(view: View) -> View:
    """Clinic administrators and clinicians, by role (``is_staff`` alone is not enough)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(user, "role", None) not in STAFF_ROLES:
            raise PermissionDenied("Clinic staff only")
        return view(request, *args, **kwargs)

    return wrapper


def _page(request: HttpRequest, paginator: Paginator[Enquiry]) -> tuple[Any, str]:
    raw = request.GET.get("page", "")
    try:
        return paginator.page(raw or 1), ""
    except (PageNotAnInteger, EmptyPage):
        return paginator.page(1), f"page “{raw[:40]}”"


@never_cache
@enquiry_staff_required
@require_GET
def enquiry_list(request: HttpRequest) -> HttpResponse:
    sites = list(Site.objects.all())
    form = EnquiryFilterForm(request.GET, sites=sites, no_site=selectors.NO_SITE)
    status, site_value, ignored = form.applied()
    site = form.sites.get(site_value) or (site_value or None)
    paginator = Paginator(selectors.enquiry_list_for_staff(status=status, site=site), PAGE_SIZE)
    page, bad_page = _page(request, paginator)
    if bad_page:
        ignored.append(bad_page)
    enquiries = list(page.object_list)
    services.enquiry_list_view_record(viewer=request.user, enquiries=enquiries)
    query = {"status": status, **({"site": site_value} if site_value else {})}
    if isinstance(site, Site):
        site_label = site.name
    else:
        site_label = "no clinic preference" if site == selectors.NO_SITE else "all clinics"
    context = {
        "page": page,
        "enquiries": enquiries,
        "status": status,
        "status_label": dict(EnquiryFilterForm.STATUS_CHOICES)[status],
        "site_value": site_value,
        "site_label": site_label,
        "sites": sites,
        "no_site": selectors.NO_SITE,
        "status_choices": EnquiryFilterForm.STATUS_CHOICES,
        "ignored": ignored,
        "query": urlencode(query),
    }
    return render(request, "website/staff/enquiry_list.html", context)


def _enquiry(enquiry_id: int) -> Enquiry:
    try:
        return selectors.enquiry_get(enquiry_id=enquiry_id)
    except Enquiry.DoesNotExist as exc:
        raise Http404("No such enquiry") from exc


def _detail(
    request: HttpRequest, enquiry: Enquiry, *, error: str = "", status: int = 200
) -> HttpResponse:
    services.enquiry_view_record(viewer=request.user, enquiry=enquiry)
    context = {
        "enquiry": enquiry,
        "history": list(selectors.enquiry_history(enquiry=enquiry)),
        "error": error,
    }
    return render(request, "website/staff/enquiry_detail.html", context, status=status)


@never_cache
@enquiry_staff_required
@require_GET
def enquiry_detail(request: HttpRequest, enquiry_id: int) -> HttpResponse:
    return _detail(request, _enquiry(enquiry_id))


@never_cache
@enquiry_staff_required
@require_POST
def enquiry_action(request: HttpRequest, enquiry_id: int) -> HttpResponse:
    enquiry = _enquiry(enquiry_id)
    action = request.POST.get("action", "")
    service = ACTIONS.get(action)
    if service is None:
        error = "Unknown action: choose “Mark answered” or “Reopen”. Nothing was changed."
        return _detail(request, enquiry, error=error, status=400)
    try:
        service(enquiry_id=enquiry.pk, by=request.user)
    except services.EnquiryStateError as exc:
        return _detail(request, _enquiry(enquiry_id), error=str(exc), status=409)
    messages.success(
        request,
        f"Enquiry #{enquiry.pk} marked answered."
        if action == "answered"
        else f"Enquiry #{enquiry.pk} reopened.",
    )
    return redirect("website_staff:enquiry", enquiry_id=enquiry.pk)
