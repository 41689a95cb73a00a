"""Fixtures for the booking tests: a fixed clock and the demo clinic's booking set-up."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from heelwise.booking import clock
from heelwise.booking.services import PatientDetails

# A Wednesday, GMT, well inside every service's horizon for late March 2027.
DEFAULT_NOW = datetime(2027, 3, 10, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_service_cache() -> None:
    from heelwise.booking.selectors import service_cache_clear

    service_cache_clear()


@pytest.fixture
def set_now(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    def _set(instant: datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: instant)

    _set(DEFAULT_NOW)
    return _set


@pytest.fixture
def clinic(demo_clinic: None, set_now: Callable[[datetime], None]) -> None:
    """The demo clinic (sites, practitioners, services, availability, policies) at DEFAULT_NOW."""


@pytest.fixture
def patient() -> PatientDetails:
    return PatientDetails(name="Alice Runner", email="alice@example.com", phone="07700 900123")
