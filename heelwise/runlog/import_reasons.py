"""Plain-language reasons for the import report, one per parser error code.

The parsers' messages are technical ("FIT header corrupt at byte 771 ..."); the runner sees the
sentence below for the error's class (``heelwise.parsers.errors``, each class has a stable
``code``) and the parser's message as a smaller "details" line.
"""

from __future__ import annotations

PLAIN_REASONS = {
    "parse_error": "This file could not be read as an activity.",
    "unsupported_format": "This is not a FIT, GPX or TCX activity file.",
    "too_large": "This file is too large to import.",
    "truncated": (
        "This file looks incomplete: it may have been cut short while copying or downloading. "
        "Try exporting it again."
    ),
    "corrupt": "This file is damaged or is not a FIT, GPX or TCX file.",
    "crc_mismatch": (
        "This file is damaged: its contents do not match its built-in check. "
        "Try exporting it again from your watch or app."
    ),
    "bad_header": "This file is damaged or is not a FIT file.",
    "bad_compression": "This compressed file is damaged. Try downloading it again.",
    "hostile": (
        "This file was refused for safety: it is built in a way that could harm the server "
        "(for example a zip bomb or an unsafe path)."
    ),
    "not_activity": "This file holds no activity (for example watch settings or a route).",
    "no_data": "This file holds no recorded activity.",
    "no_real_date": (
        "This activity has no real date: the device's clock was not set when it was recorded."
    ),
}
UNKNOWN_REASON = "This file could not be imported."


def plain_reason(code: str | None) -> str:
    """The sentence for the runner for a parser error ``code`` (a generic one if unknown)."""
    return PLAIN_REASONS.get(code or "", UNKNOWN_REASON)
