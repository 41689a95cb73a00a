from __future__ import annotations

from django.contrib import admin

from heelwise.website.models import Enquiry


@admin.register(Enquiry)
class EnquiryAdmin(admin.ModelAdmin[Enquiry]):
    list_display = ("created_at", "name", "topic", "site", "preferred_contact", "handled")
    list_filter = ("handled", "topic", "site")
    search_fields = ("name", "email")
    readonly_fields = (
        "created_at",
        "name",
        "email",
        "phone",
        "preferred_contact",
        "site",
        "topic",
        "message",
        "consent",
    )
    fields = (*readonly_fields, "handled", "staff_notes")
