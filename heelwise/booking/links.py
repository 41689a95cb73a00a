"""Signed links that let a patient manage a booking without an account."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from heelwise.booking.models import Booking

SALT = "heelwise.booking.manage"
MAX_AGE_SECONDS = 400 * 24 * 3600  # well past the longest booking horizon


def manage_token(booking: Booking) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object(
        {"r": booking.reference, "u": booking.uid.hex}
    )


def manage_path(booking: Booking) -> str:
    return reverse("booking:manage", args=[manage_token(booking)])


def manage_url(booking: Booking) -> str:
    return settings.SITE_URL + manage_path(booking)


def reference_from_token(token: str) -> tuple[str, str]:
    """(reference, uid hex) from a token; raises signing.BadSignature when forged or expired."""
    data = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=MAX_AGE_SECONDS)
    if not isinstance(data, dict) or "r" not in data or "u" not in data:
        raise signing.BadSignature("Malformed booking token")
    return str(data["r"]), str(data["u"])
