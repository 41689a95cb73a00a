"""Enquiries are answered in the staff inbox (/staff/enquiries/), which records who marked one
answered and audits every read; here they are read-only, and every list or enquiry opened is
audited too."""

from __future__ import annotations

from django.contrib import admin

from heelwise.common.admin import PatientDataAdmin
from heelwise.website.models import Enquiry


@admin.register(Enquiry)
class EnquiryAdmin(PatientDataAdmin[Enquiry]):
    audit_subject = None  # enquiries are not linked to accounts
    list_display = ("created_at", "name", "topic", "site", "preferred_contact", "handled")
    list_filter = ("handled", "topic", "site")
    list_select_related = ("site",)
    search_fields = ("name", "email")
