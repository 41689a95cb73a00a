"""End-to-end walks of three people through the self-assessment in headless chromium.

Each step is checked with axe-core (no serious or critical violations) and screenshotted to
var/screenshots/assessment-*.png.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from heelwise.assessment.tests.helpers import HOT_SWOLLEN_FEVER, PLANTAR_FASCIITIS, SEVERS

pytestmark = pytest.mark.browser

TITLES = {
    "safety": "Safety questions first",
    "about": "About you",
    "where": "Where it hurts",
    "pattern": "How the pain behaves",
    "history": "Your health and history",
    "medicines": "Medicines and health",
}


def _answer(page: Any, key: str, value: str) -> None:
    number = page.locator(f"input[type=number][name={key}]")
    if number.count():
        number.fill(value)
    else:
        page.locator(f".q-option label[for=id_{key}_{value}]").click()


def _check(page: Any, axe: Any, shot: Any, name: str) -> None:
    violations = axe(page)
    assert violations == [], f"{name}: {violations}"
    shot(page, name)


def _walk(page: Any, axe: Any, shot: Any, person: str, answers: dict[str, dict[str, str]]) -> None:
    page.goto("/assessment/")
    _check(page, axe, shot, f"assessment-{person}-0-start")
    page.get_by_role("link", name="Start the assessment").click()
    for number, (step, data) in enumerate(answers.items(), start=1):
        expect(page.locator("h1")).to_have_text(TITLES[step])
        for key, value in data.items():
            if step == "where" and key == "pain_location":
                # Click the spot on the heel diagram; the radio in the list gets checked.
                page.locator(f".hotspot-{value}").click()
                expect(page.locator(f"#id_pain_location_{value}")).to_be_checked()
            else:
                _answer(page, key, value)
            if key == "onset" and value == "gradual":
                # htmx page: the "pop or snap" question hides once the onset was gradual.
                expect(page.locator("#q-pop_felt")).to_be_hidden()
        _check(page, axe, shot, f"assessment-{person}-{number}-{step}")
        page.get_by_role("button", name="Continue").click()
        if step != list(answers)[-1]:
            continue
    expect(page.locator("h1")).to_have_text("Your result")


def test_a_42_year_old_runner_with_plantar_fasciitis(page: Any, axe: Any, shot: Any) -> None:
    _walk(page, axe, shot, "pf", PLANTAR_FASCIITIS)
    expect(page.locator(".triage-title")).to_have_text("You can start looking after this yourself")
    expect(page.get_by_text("This is not a diagnosis.")).to_be_visible()
    expect(page.locator(".stage h3")).to_contain_text("Stage 2 of 3")
    expect(page.locator(".cause-title").first).to_contain_text("Plantar fasciitis")
    expect(page.locator("#plan-calf_stretch .illustration")).to_be_visible()
    _check(page, axe, shot, "assessment-pf-9-result")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the care plan (PDF)").click()
    pdf = download_info.value.path().read_bytes()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    # The PDF opens: WeasyPrint's own output parses as a PDF document with pages.
    assert b"/Pages" in pdf or b"/ObjStm" in pdf
    assert page.console_errors == []


def test_a_hot_red_swollen_heel_with_fever_stops_early(page: Any, axe: Any, shot: Any) -> None:
    _walk(page, axe, shot, "hot", HOT_SWOLLEN_FEVER)
    expect(page.locator(".triage-title")).to_have_text("See a doctor today")
    expect(page.get_by_text("We stopped the questions early")).to_be_visible()
    expect(page.get_by_role("link", name="Call NHS 111")).to_be_visible()
    expect(page.locator(".triage-flags")).to_contain_text("hot, red or swollen")
    _check(page, axe, shot, "assessment-hot-9-result")


def test_an_11_year_old_footballer_with_posterior_heel_pain(
    phone_page: Any, axe: Any, shot: Any
) -> None:
    page = phone_page
    _walk(page, axe, shot, "severs", SEVERS)
    expect(page.locator(".cause-title").first).to_contain_text("Sever")
    expect(page.locator(".triage-flags")).to_contain_text("Children's heel pain")
    expect(page.locator(".child-safety")).to_contain_text("Do not give adult doses")
    _check(page, axe, shot, "assessment-severs-9-result")


def test_a_bad_answer_is_explained_and_the_answers_kept(page: Any, axe: Any, shot: Any) -> None:
    page.goto("/assessment/step/safety/")
    for key, value in PLANTAR_FASCIITIS["safety"].items():
        if key != "fever":
            _answer(page, key, value)
    page.get_by_role("button", name="Continue").click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Please answer this question.")
    expect(summary).to_be_focused()
    expect(page.locator("#id_can_bear_weight_yes")).to_be_checked()
    _check(page, axe, shot, "assessment-error-summary")


def test_the_questionnaire_works_without_javascript(browser: Any, live_server: Any) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/assessment/step/safety/")
        for step, data in HOT_SWOLLEN_FEVER.items():
            for key, value in data.items():
                _answer(page, key, value)
            page.get_by_role("button", name="Continue").click()
            assert step == "safety"
        expect(page.locator(".triage-title")).to_have_text("See a doctor today")
    finally:
        context.close()


def test_saving_to_a_new_account_and_seeing_what_changed(page: Any, axe: Any, shot: Any) -> None:
    _walk(page, axe, shot, "save", PLANTAR_FASCIITIS)
    page.get_by_role("link", name="Create an account to save it").click()
    page.get_by_label("Your name").fill("Dana Runner")
    page.get_by_label("Email address").fill("dana@example.com")
    page.get_by_label("Choose a password").fill("a-long-password-123")
    page.locator("input[name=agree]").check()
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("h1")).to_have_text("Save your assessment to your account")
    page.get_by_role("button", name="Save to my account").click()
    expect(page.locator("h1")).to_have_text("Your past assessments")
    # A second assessment a few weeks later, with less pain.
    later = {**PLANTAR_FASCIITIS, "pattern": {**PLANTAR_FASCIITIS["pattern"], "pain_nrs": "2"}}
    page.goto("/assessment/step/safety/")
    for step, data in later.items():
        expect(page.locator("h1")).to_have_text(TITLES[step])
        for key, value in data.items():
            _answer(page, key, value)
        page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Your result")
    page.goto("/assessment/history/")
    expect(page.locator(".history-changes").first).to_contain_text("2/10")
    _check(page, axe, shot, "assessment-save-history")
