"""Reads for the public pages: the clinics' selectors plus what the website shows beside them
(practitioners at each site and upcoming closures), all prefetched so page cost is bounded;
and the staff enquiries inbox."""

from __future__ import annotations

from datetime import date

from django.db.models import Prefetch, QuerySet

from heelwise.clinics.models import Closure, Practitioner, Site
from heelwise.clinics.selectors import site_list
from heelwise.common.models import AuditEvent
from heelwise.website.models import ENQUIRY_AUDIT_TYPE, Enquiry


def site_list_public(*, today: date) -> QuerySet[Site]:
    return site_list().prefetch_related(
        Prefetch(
            "practitioners",
            queryset=Practitioner.objects.filter(is_active=True).order_by("display_order", "name"),
            to_attr="public_practitioners",
        ),
        Prefetch(
            "closures",
            queryset=Closure.objects.filter(last_day__gte=today).order_by("first_day"),
            to_attr="upcoming_closures",
        ),
    )


def site_get_public(*, slug: str, today: date) -> Site:
    return site_list_public(today=today).get(slug=slug)


# --- Staff enquiries inbox ---------------------------------------------------------------------


ENQUIRY_STATUSES = {"open": False, "answered": True}
NO_SITE = "none"  # the site filter's value for enquiries with no clinic preference


def enquiry_list_for_staff(*, status: str, site: Site | None | str) -> QuerySet[Enquiry]:
    """Enquiries newest first for the staff inbox. ``status`` is "open", "answered" or "all";
    ``site`` a site, ``NO_SITE`` (no preference) or ``None`` (every clinic)."""
    enquiries = Enquiry.objects.select_related("site").order_by("-created_at", "-pk")
    if status in ENQUIRY_STATUSES:
        enquiries = enquiries.filter(handled=ENQUIRY_STATUSES[status])
    if site == NO_SITE:
        enquiries = enquiries.filter(site__isnull=True)
    elif isinstance(site, Site):
        enquiries = enquiries.filter(site=site)
    return enquiries


def enquiry_get(*, enquiry_id: int) -> Enquiry:
    return Enquiry.objects.select_related("site", "handled_by").get(pk=enquiry_id)


def enquiry_history(*, enquiry: Enquiry) -> QuerySet[AuditEvent]:
    """Who marked the enquiry answered or reopened it, and when (from the audit trail)."""
    return (
        AuditEvent.objects.filter(
            object_type=ENQUIRY_AUDIT_TYPE,
            object_id=str(enquiry.pk),
            action=AuditEvent.Action.UPDATE,
        )
        .select_related("actor")
        .order_by("-at", "-pk")
    )
