from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
ROOT = HERE.parents[2]
SHARED = ROOT.parent / "shared" / "fixtures"
FIT_VALID = sorted((SHARED / "fit").glob("*.fit"))
FIT_INVALID = sorted((SHARED / "fit-invalid").glob("*.fit"))


@pytest.fixture
def data_dir() -> Path:
    return DATA


def shared_fixture(name: str) -> Path:
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"shared fixture {name} not available")
    return path
