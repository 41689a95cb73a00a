"""Wording of the password-reset pages and email taken from the settings, so what they say
about the link matches what Django enforces (the email is rendered without a request, so
context processors do not reach it)."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.http import HttpRequest

from heelwise.common.context_processors import site_context

register = template.Library()


def lifetime_words(seconds: int) -> str:
    """A link lifetime in words: 10800 -> "3 hours", 86400 -> "1 day", 900 -> "15 minutes"."""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    minutes = max(1, seconds // 60)
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


@register.simple_tag
def reset_link_lifetime() -> str:
    """How long a password-reset link works (settings.PASSWORD_RESET_TIMEOUT)."""
    return lifetime_words(int(settings.PASSWORD_RESET_TIMEOUT))


@register.simple_tag
def clinic_name() -> str:
    """The clinic's name, as every page shows it (heelwise.common.context_processors)."""
    return str(site_context(HttpRequest())["CLINIC_NAME"])
