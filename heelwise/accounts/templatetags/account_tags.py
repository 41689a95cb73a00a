"""What the account pages show about the person's other records."""

from __future__ import annotations

from typing import Any

from django import template

from heelwise.accounts.models import User
from heelwise.booking.links import manage_path
from heelwise.booking.personal_data import booking_list_upcoming_for_user

register = template.Library()


@register.simple_tag
def upcoming_bookings(user: User) -> list[dict[str, Any]]:
    """The upcoming appointments linked to the person's account (never matched by email: see
    heelwise/booking/personal_data.py), each with the link to cancel or change it."""
    return [
        {"booking": b, "manage_path": manage_path(b)}
        for b in booking_list_upcoming_for_user(user=user)
    ]
