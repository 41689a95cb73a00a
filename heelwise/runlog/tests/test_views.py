from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from heelwise.runlog import services
from heelwise.runlog.models import CheckIn, Run, Shoe

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _history(user: Any, days: int) -> None:
    """One run and one check-in a day for ``days`` days up to today (bulk, like an import)."""
    today = services.local_today()
    shoe = services.shoe_save(user=user, name="Daily trainer", is_default=True)
    runs, checkins = [], []
    for i in range(days):
        d = today - timedelta(days=i)
        start = datetime(d.year, d.month, d.day, 7, tzinfo=UTC)
        runs.append(
            Run(user=user, start=start, local_date=d, distance_m=5000 + (i % 7) * 500,
                duration_s=1800, shoe=shoe, source="fit")
        )  # fmt: skip
        checkins.append(
            CheckIn(user=user, date=d, first_step_pain=i % 5, run_pain_during=i % 4,
                    settled_by_morning=True)
        )  # fmt: skip
    Run.objects.bulk_create(runs)
    CheckIn.objects.bulk_create(checkins)


class AccessTests:
    def test_it_requires_login(self, client: Client) -> None:
        response = client.get(reverse("runlog:dashboard"))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_it_hides_a_runners_data_from_other_users(
        self, alice: Any, bob: Any, charlie: Any
    ) -> None:
        run = services.run_create(
            user=alice, start=datetime(2025, 3, 1, 8, tzinfo=UTC), duration_s=1800, distance_m=5000
        )
        shoe = services.shoe_save(user=alice, name="Ghost")
        for other in (bob, charlie):
            client = _client(other)
            assert client.get(reverse("runlog:run_detail", args=[run.pk])).status_code == 404
            assert (
                client.post(
                    reverse("runlog:run_detail", args=[run.pk]), {"action": "delete"}
                ).status_code
                == 404
            )
            assert client.get(reverse("runlog:shoe_edit", args=[shoe.pk])).status_code == 404
            assert b"Ghost" not in client.get(reverse("runlog:shoes")).content
        assert Run.objects.filter(pk=run.pk).exists()

    def test_it_will_not_put_another_runners_shoe_on_a_run(self, alice: Any, charlie: Any) -> None:
        run = services.run_create(
            user=alice, start=datetime(2025, 3, 1, 8, tzinfo=UTC), duration_s=1800, distance_m=5000
        )
        theirs = services.shoe_save(user=charlie, name="Not yours")
        response = _client(alice).post(
            reverse("runlog:run_detail", args=[run.pk]), {"shoe": theirs.pk}
        )
        assert response.status_code == 404
        run.refresh_from_db()
        assert run.shoe is None


class CheckInViewTests:
    def test_it_saves_a_check_in(self, alice: Any) -> None:
        response = _client(alice).post(
            reverse("runlog:checkin"),
            {"first_step_pain": "3", "run_pain_during": "2", "run_pain_after": "",
             "settled": "yes", "exercises": "all", "notes": "easy"},
        )  # fmt: skip
        assert response.status_code == 302 and response["Location"] == reverse("runlog:dashboard")
        checkin = CheckIn.objects.get(user=alice)
        assert checkin.first_step_pain == 3 and checkin.run_pain_during == 2
        assert checkin.run_pain_after is None and checkin.settled_by_morning is True

    def test_it_sends_a_red_flag_straight_to_triage_advice(self, alice: Any) -> None:
        client = _client(alice)
        response = client.post(
            reverse("runlog:checkin"),
            {"first_step_pain": "4", "red_flags": ["cannot_bear_weight"]},
        )
        assert response["Location"] == reverse("runlog:checkin_advice")
        page = client.get(response["Location"]).content.decode()
        assert "same-day" in page and "999" in page

    def test_it_shows_the_care_plan_from_the_latest_assessment(self, alice: Any) -> None:
        from django.utils import timezone

        from heelwise.assessment.models import Assessment

        Assessment.objects.create(
            user=alice,
            questionnaire_response={},
            result={"care_plan": [{"item": "made_up_item"}, {"item": "calf_stretch"}]},
            kb_version="test",
            disposition="self_care",
            saved_at=timezone.now(),
        )
        page = _client(alice).get(reverse("runlog:checkin")).content.decode()
        assert "Your care plan" in page and "Made up item" in page

    def test_it_rejects_pain_out_of_range(self, alice: Any) -> None:
        response = _client(alice).post(reverse("runlog:checkin"), {"first_step_pain": "11"})
        assert response.status_code == 422
        assert not CheckIn.objects.exists()


class RunAndShoeViewTests:
    def test_it_adds_a_manual_run_with_the_default_shoe(self, alice: Any) -> None:
        shoe = services.shoe_save(user=alice, name="Ghost", is_default=True)
        response = _client(alice).post(
            reverse("runlog:run_new"),
            {"day": "2025-07-01", "start_time": "00:30", "sport": "running", "minutes": "30",
             "distance_km": "5.2"},
        )  # fmt: skip
        assert response.status_code == 302
        run = Run.objects.get(user=alice)
        assert run.shoe == shoe and run.distance_m == pytest.approx(5200)
        assert str(run.local_date) == "2025-07-01"  # 00:30 BST is 23:30 UTC the day before
        assert run.start == datetime(2025, 6, 30, 23, 30, tzinfo=UTC)

    def test_it_keeps_one_default_shoe(self, alice: Any) -> None:
        client = _client(alice)
        for name in ("A", "B"):
            client.post(
                reverse("runlog:shoes"),
                {"name": name, "brand": "", "start_km": "0", "retire_at_km": "650",
                 "is_default": "on"},
            )  # fmt: skip
        assert list(
            Shoe.objects.filter(user=alice, is_default=True).values_list("name", flat=True)
        ) == ["B"]

    def test_it_shows_shoe_mileage_and_pain(self, alice: Any) -> None:
        _history(alice, 20)
        page = _client(alice).get(reverse("runlog:shoes")).content.decode()
        assert "Daily trainer" in page and "no trial has shown" in page


class DashboardTests:
    def test_it_renders_for_a_new_runner(self, alice: Any) -> None:
        response = _client(alice).get(reverse("runlog:dashboard"))
        assert response.status_code == 200
        assert b"Do today's check-in" in response.content

    # session, user, runs, check-ins, programme, latest assessment, shoes + distance, shoe
    # pain; plus the
    # programme's check-ins when it started before the window shown.
    @pytest.mark.parametrize(("weeks", "queries"), [(26, 9), (260, 8)])
    def test_it_uses_a_bounded_number_of_queries(
        self, alice: Any, weeks: int, queries: int, django_assert_num_queries: Any
    ) -> None:
        _history(alice, 5 * 365)
        services.programme_start(user=alice, started_on=services.local_today() - timedelta(400))
        client = _client(alice)
        with django_assert_num_queries(queries):
            response = client.get(reverse("runlog:dashboard"), {"weeks": weeks})
        assert response.status_code == 200
        assert b"average pain" in response.content

    def test_it_serves_charts_as_svg_without_scripts_allowed(self, alice: Any) -> None:
        _history(alice, 30)
        client = _client(alice)
        for name in ("runlog:chart_pain_load", "runlog:chart_shoes"):
            response = client.get(reverse(name))
            assert response.status_code == 200
            assert response["Content-Type"].startswith("image/svg+xml")
            assert "script-src" not in response["Content-Security-Policy"]
            assert response["Content-Security-Policy"].startswith("default-src 'none'")
            assert b"<svg" in response.content

    def test_it_alerts_when_pain_is_worse_over_two_weeks(self, alice: Any) -> None:
        today = services.local_today()
        for i in range(21):
            services.checkin_save(
                user=alice, day=today - timedelta(days=i), first_step_pain=6 if i < 7 else 2
            )
        page = _client(alice).get(reverse("runlog:dashboard")).content.decode()
        assert "gone up over the last two weeks" in page and "Book a clinician" in page


class ImportViewTests:
    def test_it_polls_progress_until_the_job_finishes(self, alice: Any) -> None:
        from heelwise.runlog.models import ImportJob

        job = ImportJob.objects.create(user=alice, upload_name="export.zip", total=10, done=3)
        client = _client(alice)
        url = reverse("runlog:import_detail", args=[job.pk])
        partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
        assert 'hx-trigger="every 1s"' in partial and "3 of 10 files" in partial
        assert "<html" not in partial
        job.status = ImportJob.Status.DONE
        job.report = {"summary": {"imported": 1}, "rows": [{"file": "a.fit", "status": "error",
                      "reason": "FIT file truncated"}]}  # fmt: skip
        job.save()
        done = client.get(url, headers={"HX-Request": "true"}).content.decode()
        assert "hx-trigger" not in done and "FIT file truncated" in done

    def test_it_refuses_an_empty_upload(self, alice: Any) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = _client(alice).post(
            reverse("runlog:import_new"), {"file": SimpleUploadedFile("x.fit", b"")}
        )
        assert response.status_code == 422

    def test_it_refuses_a_huge_upload_before_reading_it(self, alice: Any) -> None:
        response = _client(alice).generic(
            "POST",
            reverse("runlog:import_new"),
            data=b"x" * 10,
            content_type="multipart/form-data; boundary=xyz",
            CONTENT_LENGTH=str(300 * 1024 * 1024),
        )
        assert response.status_code == 413 and b"larger than 200 MB" in response.content

    def test_it_hides_other_runners_imports(self, alice: Any, charlie: Any) -> None:
        from heelwise.runlog.models import ImportJob

        job = ImportJob.objects.create(user=alice, upload_name="export.zip")
        url = reverse("runlog:import_detail", args=[job.pk])
        assert _client(charlie).get(url).status_code == 404


class ProgrammeViewTests:
    def test_it_starts_the_programme(self, alice: Any) -> None:
        client = _client(alice)
        response = client.post(
            reverse("runlog:programme"),
            {"start_stage": "1", "started_on": services.local_today().isoformat()},
        )
        assert response.status_code == 302
        page = client.get(reverse("runlog:programme")).content.decode()
        assert "Run 1 min, walk 1 min" in page

    def test_it_is_not_offered_while_a_red_flag_is_open(self, alice: Any) -> None:
        services.programme_start(user=alice, started_on=services.local_today())
        services.checkin_save(
            user=alice, day=services.local_today(), first_step_pain=3, red_flags=["night_pain"]
        )
        page = _client(alice).get(reverse("runlog:dashboard")).content.decode()
        assert "Paused" in page and "night pain" in page


class PersonalDataTests:
    def test_it_exports_and_erases(self, alice: Any) -> None:
        from heelwise.accounts.services import user_delete, user_export

        _history(alice, 3)
        data = user_export(user=alice)
        assert len(data["recovery"]["runs"]) == 3 and len(data["recovery"]["check_ins"]) == 3
        user_delete(user=alice)
        assert not Run.objects.exists() and not CheckIn.objects.exists()


class AssessmentBlockerTests:
    def _assess(self, user: Any, leading: str, red_flags: list[dict[str, str]]) -> None:
        from django.utils import timezone

        from heelwise.assessment.models import Assessment

        Assessment.objects.create(
            user=user,
            questionnaire_response={},
            result={"red_flags": red_flags, "differential": [{"condition": leading}]},
            kb_version="test",
            disposition="soon",
            saved_at=timezone.now(),
        )

    def test_it_pauses_the_programme_for_a_suspected_stress_fracture(self, alice: Any) -> None:
        services.programme_start(user=alice, started_on=services.local_today())
        self._assess(alice, "calcaneal_stress_fracture", [])
        page = _client(alice).get(reverse("runlog:dashboard")).content.decode()
        assert "Paused" in page and "stress fracture" in page

    def test_it_offers_the_programme_for_plantar_fasciitis(self, alice: Any) -> None:
        services.programme_start(user=alice, started_on=services.local_today())
        self._assess(alice, "plantar_fasciitis", [])
        page = _client(alice).get(reverse("runlog:dashboard")).content.decode()
        assert "Paused" not in page and "Brisk walk" in page


class DemoDataTests:
    def test_it_gives_the_demo_patient_a_recovery_history_once(self, demo_clinic: None) -> None:
        from heelwise.accounts.models import User
        from heelwise.common.demo import demo_data_load
        from heelwise.runlog.demo import DEMO_PATIENT

        patient = User.objects.get(email=DEMO_PATIENT)
        runs = Run.objects.filter(user=patient).count()
        assert runs > 20 and CheckIn.objects.filter(user=patient).count() > 50
        demo_data_load()
        assert Run.objects.filter(user=patient).count() == runs
        page = _client(patient).get(reverse("runlog:dashboard")).content.decode()
        assert "Novablast 4" in page and "Stage" in page
