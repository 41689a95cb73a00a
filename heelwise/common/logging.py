"""Logging filter and formatter that keep personal data out of logs.

Patient data is special-category data under UK GDPR, so log output is scrubbed of anything that
looks like an email address, a UK phone number or a UK postcode before it is written. That
includes tracebacks: a database error's text can quote the row (PostgreSQL's
``DETAIL: Key (email)=(...) already exists.``). Code should not log personal data in the first
place; this is the safety net.

* ``RedactPersonalData`` (a filter) scrubs the message and pre-formats the traceback and stack
  into scrubbed text, so any handler it is attached to writes them clean.
* ``RedactingFormatter`` scrubs the whole formatted line, whatever the format string puts in it.
"""

from __future__ import annotations

import logging
import re

_PATTERNS = (
    (re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"), "[email]"),
    (re.compile(r"(?<!\d)(\+44\s?|0)(\d[\s-]?){9,10}(?!\d)"), "[phone]"),
    (re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE), "[postcode]"),
)

_TRACEBACKS = logging.Formatter()


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
        if record.exc_info and not record.exc_text:
            # Formatters reuse ``exc_text`` when it is set, so they print the scrubbed text.
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))
