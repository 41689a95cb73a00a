"""Errors raised by the activity-file parsers.

Every failure a caller can see is a :class:`ParseError` whose message names the specific reason
("FIT file CRC mismatch (expected 0x1234, got 0xABCD)", "XML entity declarations are not
allowed", ...). Nothing else escapes the public functions.

Each class has a stable ``code`` (``ERROR_CODES`` lists them all) that a UI maps to plain
language; the message stays technical. Codes are never renamed: callers store and compare them.
"""

from __future__ import annotations


class ParseError(Exception):
    """A file could not be turned into activities; ``str(err)`` is the reason for the user."""

    code = "parse_error"


class UnsupportedFormatError(ParseError):
    code = "unsupported_format"


class FileTooLargeError(ParseError):
    code = "too_large"


class TruncatedFileError(ParseError):
    code = "truncated"


class CorruptFileError(ParseError):
    code = "corrupt"


class CrcMismatchError(CorruptFileError):
    code = "crc_mismatch"


class HeaderError(CorruptFileError):
    code = "bad_header"


class CompressionError(CorruptFileError):
    code = "bad_compression"


class HostileContentError(ParseError):
    """XML entity declarations, DTDs, zip bombs, path traversal: refused, never expanded."""

    code = "hostile"


class NotAnActivityError(ParseError):
    """A well-formed file that holds no activity (FIT settings/workout, a GPX of waypoints...)."""

    code = "not_activity"


class NoDataError(NotAnActivityError):
    code = "no_data"


class NoRealDateError(ParseError):
    """An activity whose times count from when the device was switched on, not from a date.

    FIT date_time values below 0x10000000 are seconds since power-on. Unless the file also has a
    ``timestamp_correlation`` message pairing such a time with a real one, the activity cannot be
    placed on the calendar, so it is refused rather than dated 1990.
    """

    code = "no_real_date"


#: Every code a :class:`ParseError` (or an archive ``FileResult``) can carry.
ERROR_CODES: frozenset[str] = frozenset(
    cls.code
    for cls in (
        ParseError,
        UnsupportedFormatError,
        FileTooLargeError,
        TruncatedFileError,
        CorruptFileError,
        CrcMismatchError,
        HeaderError,
        CompressionError,
        HostileContentError,
        NotAnActivityError,
        NoDataError,
        NoRealDateError,
    )
)
