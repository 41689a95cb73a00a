"""The care plan as a PDF (WeasyPrint, from an HTML template with print CSS)."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
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


# Laying out the PDF takes about a second of CPU, and a stored result never changes, so the last
# few PDFs are kept per process (keyed by assessment, knowledge-base version and site address).
_PDF_CACHE_SIZE = 32
_pdfs: OrderedDict[str, bytes] = OrderedDict()
_lock = threading.Lock()


def cached_care_plan_pdf(key: str, build: Callable[[], dict[str, Any]]) -> bytes:
    with _lock:
        pdf = _pdfs.get(key)
        if pdf is not None:
            _pdfs.move_to_end(key)
            return pdf
    pdf = care_plan_pdf(build())
    with _lock:
        _pdfs[key] = pdf
        while len(_pdfs) > _PDF_CACHE_SIZE:
            _pdfs.popitem(last=False)
    return pdf
