"""Small display filters for the public site."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def uk_phone(number: str) -> str:
    """Show "+44 1234 380345" as a caller in the UK dials it: "01234 380345"."""
    number = number.strip()
    if number.startswith("+44"):
        return "0" + number[3:].lstrip()
    return number


@register.filter
def tel_href(number: str) -> str:
    """A tel: URI target: digits and a leading +, nothing else."""
    cleaned = "".join(ch for ch in number if ch.isdigit() or ch == "+")
    return cleaned
