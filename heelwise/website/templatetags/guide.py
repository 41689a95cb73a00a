"""``{% cite "R7" "R11" %}``: numbered, linked citations into the guide's reference list."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from heelwise.website.content import REFERENCE_BY_KEY

register = template.Library()


@register.simple_tag
def cite(*keys: str) -> SafeString:
    try:
        refs = [REFERENCE_BY_KEY[key] for key in keys]
    except KeyError as exc:  # fail loudly: a citation must point at a listed reference
        raise template.TemplateSyntaxError(f"Unknown reference {exc.args[0]!r}") from exc
    links = format_html_join(
        ", ",
        '<a href="#ref-{}"><span class="visually-hidden">reference </span>{}</a>',
        ((ref.number, ref.number) for ref in refs),
    )
    return format_html('<sup class="cite">[{}]</sup>', links)
