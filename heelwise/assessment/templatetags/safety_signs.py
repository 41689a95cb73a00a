"""The "get help now / today" lists, for any page (site footer, home page).

One source: the sign lists in heelwise/assessment/presentation.py, which tests tie to the
engine's red-flag rules."""

from __future__ import annotations

from django import template

from heelwise.assessment.presentation import EMERGENCY_SIGNS, SAME_DAY_SIGNS, SafetySign

register = template.Library()


@register.simple_tag
def emergency_signs() -> tuple[SafetySign, ...]:
    return EMERGENCY_SIGNS


@register.simple_tag
def same_day_signs() -> tuple[SafetySign, ...]:
    return SAME_DAY_SIGNS
