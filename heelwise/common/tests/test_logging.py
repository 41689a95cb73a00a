"""Nothing personal reaches the logs, tracebacks included."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from io import StringIO

import pytest

from heelwise.common.logging import RedactPersonalData

SECRET_DETAIL = (
    'duplicate key value violates unique constraint "accounts_user_email_key"\n'
    "DETAIL:  Key (email)=(alice@example.com) already exists; phone 07700 900123."
)


def _log_failure(logger: logging.Logger) -> None:
    try:
        raise RuntimeError(SECRET_DETAIL)
    except RuntimeError:
        logger.exception("Saving the account failed")


@pytest.fixture
def console() -> Iterator[StringIO]:
    """A buffer written through the configured console handler's formatter and filters
    (settings.LOGGING), attached where that handler is: on the root logger."""
    configured = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    buffer = StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(configured.formatter)
    for log_filter in configured.filters:
        handler.addFilter(log_filter)
    root = logging.getLogger()
    root.addHandler(handler)
    yield buffer
    root.removeHandler(handler)


class RedactionTests:
    def test_the_configured_log_output_redacts_tracebacks(self, console: StringIO) -> None:
        _log_failure(logging.getLogger("heelwise.tests.logging"))
        output = console.getvalue()
        assert "Saving the account failed" in output
        assert "Traceback" in output and "RuntimeError" in output
        assert "[email]" in output and "[phone]" in output
        assert "alice@example.com" not in output
        assert "07700 900123" not in output

    def test_the_filter_alone_cleans_tracebacks_for_any_formatter(self) -> None:
        buffer = StringIO()
        handler = logging.StreamHandler(buffer)
        handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
        handler.addFilter(RedactPersonalData())
        logger = logging.getLogger("heelwise.tests.logging.filter")
        logger.addHandler(handler)
        logger.propagate = False
        try:
            _log_failure(logger)
        finally:
            logger.removeHandler(handler)
            logger.propagate = True
        output = buffer.getvalue()
        assert "RuntimeError" in output
        assert "alice@example.com" not in output
        assert "07700 900123" not in output
