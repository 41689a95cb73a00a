"""End to end in headless Chromium: every public page passes axe-core (no serious or critical
violations) without CSP errors, the enquiry form works with bad then good input, and the home
and clinics pages are screenshotted at phone and desktop widths under var/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from heelwise.website.models import Enquiry

pytestmark = pytest.mark.browser

PUBLIC_PATHS = [
    "/",
    "/clinics/",
    "/clinics/london/",
    "/clinics/manchester/",
    "/clinics/bedford/",
    "/heel-pain-guide/",
    "/practitioners/",
    "/practitioners/oliver-eaton/",
    "/contact/",
    "/contact/thank-you/",
    "/privacy/",
    "/accessibility/",
    "/accounts/login/",
    "/no-such-page/",
]


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def csp_errors(page: Any) -> list[str]:
    return [e for e in page.console_errors if "Content Security Policy" in e or "Refused to" in e]


def test_every_public_page_passes_axe_without_csp_errors(
    page: Any, axe: Any, demo_clinic: None
) -> None:
    for path in PUBLIC_PATHS:
        response = page.goto(path)
        assert response is not None
        assert response.status == (404 if path == "/no-such-page/" else 200), path
        assert page.locator("h1").count() == 1, path
        assert axe(page) == [], path
    assert csp_errors(page) == []


def test_phone_pages_pass_axe_and_the_menu_opens(
    phone_page: Any, axe: Any, demo_clinic: None, shot: Any
) -> None:
    errors: list[str] = []
    phone_page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    for path in ("/", "/clinics/", "/heel-pain-guide/", "/contact/"):
        phone_page.goto(path)
        assert axe(phone_page) == [], path
    phone_page.goto("/")
    nav = phone_page.get_by_role("navigation", name="Main")
    guide_link = nav.get_by_role("link", name="Heel pain guide", exact=True)
    assert not guide_link.is_visible()
    nav.get_by_text("Menu", exact=True).click()
    assert guide_link.is_visible()
    assert nav.get_by_role("link", name="Book online").is_visible()
    shot(phone_page, "menu-phone")
    assert [e for e in errors if "Content Security Policy" in e] == []


def test_the_phone_menu_works_without_javascript(
    browser: Any, live_server: Any, demo_clinic: None
) -> None:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, java_script_enabled=False
    )
    page = context.new_page()
    page.goto("/")
    nav = page.get_by_role("navigation", name="Main")
    clinics = nav.get_by_role("link", name="Clinics")
    assert not clinics.is_visible()
    nav.get_by_text("Menu", exact=True).click()
    clinics.click()
    page.wait_for_url("**/clinics/")
    assert page.locator("h1").inner_text() == "Our clinics"
    context.close()


def test_the_desktop_menu_shows_all_links(page: Any, demo_clinic: None) -> None:
    page.goto("/")
    nav = page.get_by_role("navigation", name="Main")
    for name in ("Heel pain guide", "Clinics", "Practitioners", "Contact", "Book online"):
        assert nav.get_by_role("link", name=name).is_visible(), name
    assert nav.get_by_role("link", name="Book online").get_attribute("href") == "/book/"
    assert not nav.get_by_text("Menu", exact=True).is_visible()


def test_a_person_finds_all_three_clinics(page: Any, demo_clinic: None) -> None:
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clinics").click()
    page.wait_for_url("**/clinics/")
    for postcode in ("W1G 7JD", "M3 3BN", "MK40 4GH"):
        assert page.get_by_text(postcode).first.is_visible()
    assert page.locator("table.hours-table").count() == 3


def test_the_enquiry_form_rejects_bad_input_then_accepts_good_input(
    page: Any, axe: Any, demo_clinic: None, shot: Any
) -> None:
    page.goto("/contact/")
    page.get_by_label("Your name", exact=True).fill("A")
    page.get_by_label("Email address", exact=True).fill("alice-at-example")
    page.get_by_label("Your message", exact=True).fill("Heel hurts on first steps every morning.")
    page.get_by_role("button", name="Send message").click()
    page.wait_for_load_state()

    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert "There is a problem" in page.title() or "Error:" in page.title()
    text = summary.inner_text()
    assert "at least two characters" in text
    assert "name@example.com" in text
    assert "tick the box" in text
    # Input kept, fields flagged and described.
    assert page.get_by_label("Email address", exact=True).input_value() == "alice-at-example"
    assert page.get_by_label("Your message", exact=True).input_value().startswith("Heel hurts")
    assert page.get_by_label("Email address", exact=True).get_attribute("aria-invalid") == "true"
    assert axe(page) == []
    shot(page, "contact-errors-desktop")
    assert Enquiry.objects.count() == 0

    # The summary links move focus to the field.
    summary.get_by_role("link", name="Enter an email address in the form name@example.com.").click()
    assert page.evaluate("document.activeElement.id") == "id_email"

    page.get_by_label("Your name", exact=True).fill("Alice Runner")
    page.get_by_label("Email address", exact=True).fill("alice@example.com")
    page.get_by_label("Nearest clinic (optional)", exact=True).select_option(
        label="Bedford (The Village Medical Centre)"
    )
    page.get_by_label("What is it about?", exact=True).select_option(value="heel_pain")
    page.get_by_label(
        "I agree that the clinic may use these details to reply to me.", exact=True
    ).check()
    page.get_by_role("button", name="Send message").click()
    page.wait_for_url("**/contact/thank-you/")
    assert page.locator("h1").inner_text() == "Thank you, we have your message"
    assert axe(page) == []
    assert Enquiry.objects.count() == 1
    assert Enquiry.objects.get().site.slug == "bedford"  # type: ignore[union-attr]
    assert csp_errors(page) == []


SCREENSHOTS = [
    ("home", "/"),
    ("clinics", "/clinics/"),
    ("clinic-london", "/clinics/london/"),
    ("guide", "/heel-pain-guide/"),
    ("practitioners", "/practitioners/"),
    ("practitioner", "/practitioners/priya-shah/"),
    ("contact", "/contact/"),
    ("thanks", "/contact/thank-you/"),
    ("privacy", "/privacy/"),
    ("login", "/accounts/login/"),
]


def test_screenshots_at_phone_and_desktop_widths(
    page: Any, phone_page: Any, demo_clinic: None, shot: Any
) -> None:
    for name, path in SCREENSHOTS:
        page.goto(path)
        assert shot(page, f"{name}-desktop").exists()
        phone_page.goto(path)
        assert shot(phone_page, f"{name}-phone").exists()
    # The phone layout never scrolls sideways.
    for _, path in SCREENSHOTS:
        phone_page.goto(path)
        assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390, path


def test_the_skip_link_is_first_and_moves_focus_to_main(page: Any, demo_clinic: None) -> None:
    page.goto("/clinics/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0  # visible on screen when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
