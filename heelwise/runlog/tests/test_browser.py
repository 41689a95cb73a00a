"""End to end in Debian chromium: import a Strava-style export, read the per-file report, log a
week of check-ins and watch the walk-run programme advance and then step back."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from heelwise.runlog.services import local_today
from heelwise.runlog.tests.builders import demo_archive

pytestmark = pytest.mark.browser


def _login(page: Any, user: Any, live_server: Any) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def _check_in(page: Any, day: date, morning: int, during: int | None, settled: str) -> None:
    page.goto(f"/recovery/check-in/?day={day.isoformat()}")
    page.locator(f"#id_first_step_pain_{morning}").check()
    if during is not None:
        # choice 0 is "No run today"; pain n is choice n + 1
        page.locator(f"#id_run_pain_during_{during + 1}").check()
        page.locator(f"#id_run_pain_after_{during + 1}").check()
    page.get_by_label(
        {"yes": "Yes, it settled", "no": "No, it still hurt this morning"}.get(
            settled, "No pain yesterday or no run"
        )
    ).check()
    page.get_by_label("All of them").check()
    page.get_by_role("button", name="Save check-in").click()
    page.wait_for_url("**/recovery/")


def _no_serious_violations(page: Any, axe: Any) -> None:
    violations = axe(page)
    assert violations == [], violations


def test_import_check_ins_and_programme(
    page: Any, live_server: Any, alice: Any, axe: Any, shot: Any, tmp_path: Path
) -> None:
    _login(page, alice, live_server)
    today = local_today()
    week = [today - timedelta(days=6 - i) for i in range(7)]

    # Import a Strava-style export archive and read the per-file report.
    archive = tmp_path / "export_12345.zip"
    # Runs in the last week that have ended by now, whatever the time of day the test runs
    # (a run starting at 07:30 today is in the future before then, and is refused).
    now = datetime.now(UTC)
    starts = [now - timedelta(days=days, hours=1) for days in (6, 4, 2, 0)]
    archive.write_bytes(demo_archive(recent=starts))
    page.goto("/recovery/shoes/")
    page.get_by_label("Name").fill("Pegasus 40")
    page.get_by_label("Use for new runs by default").check()
    page.get_by_role("button", name="Add shoes").click()
    page.goto("/recovery/import/")
    _no_serious_violations(page, axe)
    page.get_by_label("Activity file or export archive").set_input_files(str(archive))
    page.get_by_role("button", name="Upload and import").click()
    page.wait_for_selector("#import-report")
    summary = page.locator("#import-summary").inner_text()
    assert "8 runs imported" in summary and "1 duplicate skipped" in summary
    assert "1 file with errors" in summary
    report = page.locator("#import-report").inner_text()
    assert "CRC mismatch" in report and "transition between the legs" in report
    assert "walking kept as cross-training" in report
    shot(page, "runlog-import-report")
    _no_serious_violations(page, axe)

    # Start the walk-run programme on the first day of the week.
    page.goto("/recovery/programme/")
    page.get_by_label("Start at").select_option("0")
    page.get_by_label("First session").fill(week[0].isoformat())
    page.get_by_role("button", name="Start the programme").click()
    assert "Brisk walk" in page.locator("#programme-status").inner_text()

    # Two walk sessions whose pain settled by the next morning: the programme advances.
    _check_in(page, week[0], 3, 2, "")
    _check_in(page, week[1], 3, None, "yes")
    _check_in(page, week[2], 2, 2, "")
    _check_in(page, week[3], 2, None, "yes")
    status = page.locator("#programme-status").inner_text()
    assert "Run 1 min, walk 1 min" in status, status
    assert page.get_by_test_id("last-decision").inner_text() == "Move up a stage"
    shot(page, "runlog-dashboard-advanced")

    # Two run-walk sessions whose pain did not settle: hold, then step back.
    _check_in(page, week[4], 2, 4, "")
    _check_in(page, week[5], 3, 4, "no")
    assert page.get_by_test_id("last-decision").inner_text() == "Repeat this stage"
    _check_in(page, week[6], 3, None, "no")
    assert "Brisk walk" in page.locator("#programme-status").inner_text()
    assert page.get_by_test_id("last-decision").inner_text() == "Step back a stage"
    shot(page, "runlog-dashboard-stepped-back")
    _no_serious_violations(page, axe)

    page.goto("/recovery/programme/")
    history = page.locator("#programme-history").inner_text()
    assert "Move up a stage" in history and "Step back a stage" in history
    shot(page, "runlog-programme")
    _no_serious_violations(page, axe)

    page.goto("/recovery/check-in/")
    _no_serious_violations(page, axe)
    page.goto("/recovery/shoes/")
    _no_serious_violations(page, axe)
    assert page.console_errors == []


def test_check_in_on_a_phone_with_a_red_flag(
    phone_page: Any, live_server: Any, alice: Any, axe: Any, shot: Any
) -> None:
    page = phone_page
    _login(page, alice, live_server)
    page.goto("/recovery/check-in/")
    shot(page, "runlog-checkin-phone")
    _no_serious_violations(page, axe)
    page.locator("#id_first_step_pain_4").check()
    page.get_by_label("Pain that wakes me at night or is there at rest").check()
    page.get_by_role("button", name="Save check-in").click()
    page.wait_for_url("**/check-in/advice/")
    assert "within the next two days" in page.content()
    shot(page, "runlog-red-flag-advice-phone")
    _no_serious_violations(page, axe)


def test_import_progress_updates_while_the_task_runs(
    page: Any, live_server: Any, alice: Any, axe: Any, shot: Any
) -> None:
    """The task runs in a worker in production: the page polls with htmx until it is done."""
    from heelwise.runlog.models import ImportJob

    _login(page, alice, live_server)
    job = ImportJob.objects.create(
        user=alice, upload_name="export.zip", status=ImportJob.Status.RUNNING, total=40, done=10
    )
    page.goto(f"/recovery/import/{job.pk}/")
    assert "10 of 40 files" in page.locator("#import-progress").inner_text()
    shot(page, "runlog-import-progress")
    _no_serious_violations(page, axe)
    ImportJob.objects.filter(pk=job.pk).update(done=25)
    from playwright.sync_api import expect

    expect(page.locator("#import-progress")).to_contain_text("25 of 40 files", timeout=10_000)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE,
        done=40,
        report={
            "summary": {"imported": 39, "cross_training": 0, "duplicates": 0, "errors": 1,
                        "skipped": 0},
            "rows": [{"file": "export.zip!activities/7.fit", "status": "error",
                      "reason": "FIT file CRC mismatch (expected 0x1234, got 0x4321)"}],
        },
    )  # fmt: skip
    page.wait_for_selector("#import-report")
    assert "39 runs imported" in page.locator("#import-summary").inner_text()
    assert page.locator("#import-progress").get_attribute("hx-trigger") is None
    assert page.console_errors == []


def test_a_clinician_reads_a_patients_recovery(
    page: Any, live_server: Any, demo_clinic: None, alice: Any, bob: Any, axe: Any, shot: Any
) -> None:
    """Bob, the practitioner of Alice's booking, opens her read-only recovery page."""
    from heelwise.booking.tests.care import care_booking
    from heelwise.runlog.tests.test_views import _history

    _history(alice, 30)
    care_booking(alice, bob)
    _login(page, bob, live_server)
    page.goto("/recovery/patients/")
    _no_serious_violations(page, axe)
    page.get_by_role("link", name="Alice Runner").click()
    page.wait_for_url(f"**/recovery/patients/{alice.pk}/")
    assert "Recovery of Alice Runner" in page.content()
    assert page.get_by_role("button", name="Save check-in").count() == 0  # read-only
    shot(page, "runlog-clinician-patient")
    _no_serious_violations(page, axe)
    assert page.console_errors == []
