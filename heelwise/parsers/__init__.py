"""Pure-Python activity-file parsers (FIT, GPX, TCX, gzip, Strava/Garmin export zips).

No Django here: the import service calls these and stores the results.

    from heelwise.parsers import parse_bytes, parse_file, iter_archive, duplicate_key
"""

from __future__ import annotations

from heelwise.parsers.api import DEFAULT_LIMITS, Limits, detect_format, parse_bytes, parse_file
from heelwise.parsers.archive import (
    DEFAULT_ARCHIVE_LIMITS,
    ArchiveLimits,
    FileResult,
    is_activity_name,
    iter_archive,
    iter_paths,
)
from heelwise.parsers.errors import (
    ERROR_CODES,
    CompressionError,
    CorruptFileError,
    CrcMismatchError,
    FileTooLargeError,
    HeaderError,
    HostileContentError,
    NoDataError,
    NoRealDateError,
    NotAnActivityError,
    ParseError,
    TruncatedFileError,
    UnsupportedFormatError,
)
from heelwise.parsers.fit import FitLimits
from heelwise.parsers.models import (
    ON_FOOT_SPORTS,
    RUNNING_SPORTS,
    SPORTS,
    Activity,
    duplicate_key,
)

__all__ = [
    "DEFAULT_ARCHIVE_LIMITS",
    "DEFAULT_LIMITS",
    "ERROR_CODES",
    "ON_FOOT_SPORTS",
    "RUNNING_SPORTS",
    "SPORTS",
    "Activity",
    "ArchiveLimits",
    "CompressionError",
    "CorruptFileError",
    "CrcMismatchError",
    "FileResult",
    "FileTooLargeError",
    "FitLimits",
    "HeaderError",
    "HostileContentError",
    "Limits",
    "NoDataError",
    "NoRealDateError",
    "NotAnActivityError",
    "ParseError",
    "TruncatedFileError",
    "UnsupportedFormatError",
    "detect_format",
    "duplicate_key",
    "is_activity_name",
    "iter_archive",
    "iter_paths",
    "parse_bytes",
    "parse_file",
]
