"""Logging filter that keeps personal data out of logs.

Patient data is special-category data under UK GDPR, so log records are scrubbed of anything
that looks like an email address, a UK phone number or a UK postcode before they are written.
Code should not log personal data in the first place; this is the safety net.
"""

from __future__ import annotations

import logging
import re

_PATTERNS = (
    (re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"), "[email]"),
    (re.compile(r"(?<!\d)(\+44\s?|0)(\d[\s-]?){9,10}(?!\d)"), "[phone]"),
    (re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE), "[postcode]"),
)


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True
