"""The care plan as a PDF (WeasyPrint, from an HTML template with print CSS)."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

# WeasyPrint logs every layout step at INFO; keep the server log for what matters.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def care_plan_document(context: dict[str, Any]) -> Any:
    """The laid-out WeasyPrint document (pages can be inspected before writing)."""
    from weasyprint import CSS, HTML

    html = render_to_string("assessment/care_plan_pdf.html", context)
    css_path = finders.find("css/assessment-print.css")
    stylesheets = [CSS(filename=str(css_path))] if css_path else []
    return HTML(string=html, base_url=str(settings.BASE_DIR / "static")).render(
        stylesheets=stylesheets
    )


def care_plan_pdf(context: dict[str, Any]) -> bytes:
    return bytes(care_plan_document(context).write_pdf())
