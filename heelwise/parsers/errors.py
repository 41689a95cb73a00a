"""Errors raised by the activity-file parsers.

Every failure a caller can see is a :class:`ParseError` whose message names the specific reason
("FIT file CRC mismatch (expected 0x1234, got 0xABCD)", "XML entity declarations are not
allowed", ...). Nothing else escapes the public functions.
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
