"""Project-wide pytest fixtures: personas, the demo clinic, PostgreSQL-only tests and the
Playwright browser (Debian chromium, never a downloaded browser).

With CI=true any skipped test fails the run: a missing service or browser must not pass quietly.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent
SCREENSHOTS = ROOT / "var" / "screenshots"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
IN_CI = os.environ.get("CI", "").lower() == "true"


def missing(reason: str) -> None:
    """Skip locally, fail in CI."""
    if IN_CI:
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if IN_CI and skipped and session.exitstatus == 0:
        session.exitstatus = 1
        if reporter:
            reporter.write_line(f"CI=true: {len(skipped)} test(s) were skipped; failing the run.")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.fixture
def postgres_only(db: None) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        missing("this test needs PostgreSQL (set DATABASE_URL=postgres://...)")


# --- Personas -------------------------------------------------------------------------------


@pytest.fixture
def demo_clinic(db: None) -> None:
    from heelwise.common.demo import demo_data_load

    demo_data_load()


@pytest.fixture
def alice(db: None) -> Any:
    """A runner (patient)."""
    from heelwise.accounts.models import User

    return User.objects.create_user(
        "alice@example.com", "alice-password-1", full_name="Alice Runner"
    )


@pytest.fixture
def bob(db: None) -> Any:
    """Alice's clinician."""
    from heelwise.accounts.models import User

    return User.objects.create_user(
        "bob@example.com", "bob-password-1", full_name="Bob Clinician", role=User.Role.CLINICIAN
    )


@pytest.fixture
def charlie(db: None) -> Any:
    """A clinician with no care relationship to Alice: must never see her data."""
    from heelwise.accounts.models import User

    return User.objects.create_user(
        "charlie@example.com", "charlie-password-1", full_name="Charlie", role=User.Role.CLINICIAN
    )


# --- Browser ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        missing("Debian's chromium is not installed (apt-get install chromium)")
    assert path is not None
    return path


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - it is a pinned dev dependency
        missing("playwright for Python is not installed")
        raise
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = errors
    yield page
    context.close()


@pytest.fixture
def phone_page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    yield page
    context.close()


def axe_check(page: Any) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.x A/AA rules) in the page; return serious and critical violations."""
    if not AXE_JS.exists():
        missing("axe-core is not installed (npm ci)")
    # Evaluated through the DevTools protocol: a <script> tag would be blocked by our strict CSP.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}
        })"""
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


@pytest.fixture
def axe() -> Any:
    return axe_check


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def shot() -> Any:
    return screenshot
