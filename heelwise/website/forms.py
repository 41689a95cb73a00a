from __future__ import annotations

import re
from typing import Any

from django import forms

from heelwise.clinics.models import Site
from heelwise.website.models import Enquiry

_PHONE_RE = re.compile(r"^\+?[0-9 ()-]{7,20}$")


class EnquiryForm(forms.ModelForm[Enquiry]):
    # Honeypot: hidden from people (CSS and aria-hidden), tempting to bots. Any value => spam.
    website = forms.CharField(required=False, label="Leave this field empty")

    class Meta:
        model = Enquiry
        fields = [
            "name",
            "email",
            "phone",
            "preferred_contact",
            "site",
            "topic",
            "message",
            "consent",
        ]
        labels = {
            "name": "Your name",
            "email": "Email address",
            "phone": "Phone number (optional)",
            "preferred_contact": "How should we reply?",
            "site": "Nearest clinic (optional)",
            "topic": "What is it about?",
            "message": "Your message",
            "consent": "I agree that the clinic may use these details to reply to me.",
        }
        help_texts = {
            "email": "We only use it to reply to you.",
            "phone": "Only needed if you would like a phone call. For example, 07700 900123.",
            "site": "Choose the clinic you would visit, if you know.",
            "message": "Please do not include detailed medical history here; a clinician will "
            "ask what they need when they reply. Up to 3,000 characters.",
        }
        widgets = {
            "preferred_contact": forms.RadioSelect,
            "message": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site_field = self.fields["site"]
        assert isinstance(site_field, forms.ModelChoiceField)
        site_field.queryset = Site.objects.filter(is_active=True)
        site_field.empty_label = "No preference"
        self.fields["consent"].required = True
        self.fields["consent"].error_messages["required"] = (
            "Please tick the box so that we may use your details to reply."
        )
        self.fields["name"].error_messages["required"] = "Please tell us your name."
        self.fields["email"].error_messages["required"] = "Please give an email address."
        self.fields["email"].error_messages["invalid"] = (
            "Enter an email address in the form name@example.com."
        )
        self.fields["topic"].error_messages["required"] = (
            "Please choose what your message is about."
        )
        self.fields["message"].error_messages["required"] = "Please write a message."
        self.fields["name"].widget.attrs.update({"autocomplete": "name"})
        self.fields["email"].widget.attrs.update({"autocomplete": "email"})
        self.fields["phone"].widget.attrs.update({"autocomplete": "tel", "inputmode": "tel"})
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if len(name) < 2:
            raise forms.ValidationError("Please give at least two characters of your name.")
        return name

    def clean_phone(self) -> str:
        phone = self.cleaned_data.get("phone", "").strip()
        if phone and not _PHONE_RE.match(phone):
            raise forms.ValidationError(
                "Enter a phone number using digits, spaces and an optional leading +."
            )
        return phone

    def clean_message(self) -> str:
        message = self.cleaned_data["message"].strip()
        if len(message) < 10:
            raise forms.ValidationError("Please write a little more (at least 10 characters).")
        return message

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("preferred_contact") == Enquiry.ContactPreference.PHONE and not cleaned.get(
            "phone"
        ):
            self.add_error("phone", "Please give a phone number if you would like us to call.")
        return cleaned

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website"))


class EnquiryFilterForm(forms.Form):
    """The staff inbox filters (GET). A value that is not one of the choices is ignored, and the
    page says so, rather than failing or guessing."""

    STATUS_CHOICES = (("open", "Open"), ("answered", "Answered"), ("all", "Open and answered"))
    DEFAULT_STATUS = "open"

    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False, label="Status")
    site = forms.ChoiceField(required=False, label="Clinic")

    def __init__(self, *args: Any, sites: list[Site], no_site: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sites = {site.slug: site for site in sites}
        site_field = self.fields["site"]
        assert isinstance(site_field, forms.ChoiceField)
        site_field.choices = [
            ("", "All clinics"),
            *((site.slug, site.name) for site in sites),
            (no_site, "No clinic preference"),
        ]

    def applied(self) -> tuple[str, str, list[str]]:
        """(status, site value, what was ignored) after dropping any value not on offer."""
        self.is_valid()
        ignored = []
        status = self.cleaned_data.get("status") or self.DEFAULT_STATUS
        site = self.cleaned_data.get("site") or ""
        if "status" in self.errors:
            ignored.append(f"status “{str(self.data.get('status'))[:40]}”")
        if "site" in self.errors:
            ignored.append(f"clinic “{str(self.data.get('site'))[:40]}”")
        return status, site, ignored
