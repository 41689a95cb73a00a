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

    def test_a_retired_pair_cannot_be_the_default(self, alice: Any) -> None:
        from django.core.exceptions import ValidationError

        client = _client(alice)
        post = {"name": "Old", "brand": "", "start_km": "0", "retire_at_km": "650",
                "is_default": "on", "retired": "on"}  # fmt: skip
        response = client.post(reverse("runlog:shoes"), post)
        assert response.status_code == 422
        assert response.context["form"].errors["is_default"] == [services.DEFAULT_RETIRED]
        assert "A retired pair cannot be your default" in response.content.decode()
        assert not Shoe.objects.filter(user=alice).exists()
        shoe = services.shoe_save(user=alice, name="Ghost", is_default=True)
        response = client.post(reverse("runlog:shoe_edit", args=[shoe.pk]), post)
        assert response.status_code == 422
        shoe.refresh_from_db()
        assert shoe.is_default and not shoe.retired and shoe.name == "Ghost"
        with pytest.raises(ValidationError):
            services.shoe_save(user=alice, name="Old", is_default=True, retired=True)

    def test_two_pairs_of_the_same_name_can_be_told_apart(self, alice: Any) -> None:
        old = services.shoe_save(user=alice, name="Ghost", brand="Brooks")
        Shoe.objects.filter(pk=old.pk).update(created_at=datetime(2024, 3, 5, 12, tzinfo=UTC))
        services.shoe_save(user=alice, name="Ghost", brand="Brooks")
        client = _client(alice)
        page = client.get(reverse("runlog:shoes")).content.decode()
        assert "<td>5 Mar 2024</td>" in page
        choices = [
            label
            for _, label in client.get(reverse("runlog:run_new"))
            .context["form"]
            .fields["shoe"]
            .choices
        ]
        assert "Brooks Ghost (added 5 Mar 2024)" in choices
        assert len(set(choices)) == len(choices) == 3  # "Default pair" and the two pairs


class RunEditTests:
    def _manual(self, user: Any) -> Run:
        return services.run_create(
            user=user,
            start=datetime(2025, 11, 24, 7, tzinfo=UTC),
            duration_s=1800,
            distance_m=5000,
        )

    def test_it_edits_a_run_entered_by_hand_with_the_same_checks(self, alice: Any) -> None:
        run = self._manual(alice)
        client = _client(alice)
        url = reverse("runlog:run_edit", args=[run.pk])
        form = client.get(url).context["form"]
        assert form["start_time"].value().strftime("%H:%M") == "07:00"
        assert form["minutes"].value() == 30
        bad = _run_post(day="2025-11-24", minutes="1", distance_km="100")
        response = client.post(url, bad)
        assert response.status_code == 422 and "faster than is possible" in str(
            response.context["form"].errors["distance_km"]
        )
        run.refresh_from_db()
        assert run.distance_m == 5000
        good = _run_post(day="2025-11-24", start_time="07:00", minutes="32.25", distance_km="5.5")
        assert client.post(url, good).status_code == 302  # its own start is no duplicate
        run.refresh_from_db()
        assert run.duration_s == 1935 and run.distance_m == pytest.approx(5500)

    def test_an_edit_from_an_older_form_does_not_undo_a_newer_one(self, alice: Any) -> None:
        run = self._manual(alice)
        url = reverse("runlog:run_edit", args=[run.pk])
        tab_a, tab_b = _client(alice), _client(alice)
        version = tab_a.get(url).context["form"]["version"].value()
        assert version == tab_b.get(url).context["form"]["version"].value()
        first = _run_post(day="2025-11-24", start_time="07:00", minutes="40", distance_km="8")
        assert tab_b.post(url, {**first, "version": version}).status_code == 302
        late = _run_post(day="2025-11-24", start_time="07:00", minutes="31", distance_km="5.1")
        response = tab_a.post(url, {**late, "version": version})
        assert response.status_code == 409
        assert "changed somewhere else" in response.content.decode()
        run.refresh_from_db()
        assert run.duration_s == 2400 and run.distance_m == pytest.approx(8000)
        assert response.context["form"]["minutes"].value() == 40  # the saved version is shown

    def test_it_refuses_the_start_of_another_activity(self, alice: Any) -> None:
        self._manual(alice)
        other = services.run_create(
            user=alice, start=datetime(2025, 11, 24, 18, tzinfo=UTC), duration_s=1800,
            distance_m=5000,
        )  # fmt: skip
        url = reverse("runlog:run_edit", args=[other.pk])
        response = _client(alice).post(url, _run_post(day="2025-11-24", start_time="07:00"))
        assert response.status_code == 422
        assert "You already logged a run starting at 07:00 on 24 Nov 2025" in str(
            response.context["form"].errors["start_time"]
        )

    def test_imported_and_other_runners_runs_cannot_be_edited(
        self, alice: Any, charlie: Any
    ) -> None:
        imported = Run.objects.create(
            user=alice, start=datetime(2025, 3, 1, 7, tzinfo=UTC), local_date="2025-03-01",
            distance_m=5000, duration_s=1800, source="fit",
        )  # fmt: skip
        client = _client(alice)
        assert client.get(reverse("runlog:run_edit", args=[imported.pk])).status_code == 404
        assert (
            "Edit this activity"
            not in client.get(reverse("runlog:run_detail", args=[imported.pk])).content.decode()
        )
        with pytest.raises(services.RunNotEditableError):
            services.run_update(
                user=alice, run=imported, start=imported.start, duration_s=60, distance_m=None
            )
        theirs = self._manual(charlie)
        url = reverse("runlog:run_edit", args=[theirs.pk])
        assert client.post(url, _run_post(day="2025-11-24")).status_code == 404
        theirs.refresh_from_db()
        assert theirs.distance_m == 5000


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
        assert "Paused because you reported heel pain at night or at rest at a check-in" in page

    def test_the_pause_reason_is_plain_words_not_a_code(self, alice: Any) -> None:
        services.programme_start(user=alice, started_on=services.local_today())
        services.checkin_save(
            user=alice,
            day=services.local_today(),
            first_step_pain=3,
            red_flags=["swelling_redness_fever", "sudden_pop"],
        )
        page = _client(alice).get(reverse("runlog:dashboard")).content.decode()
        assert (
            "Paused because you reported new swelling, redness or heat in the heel or foot, or a "
            "fever and a sudden pop or tearing feeling with sharp pain at a check-in. Please see "
            "a clinician before running again"
        ) in page
        assert "swelling redness fever" not in page and "red flag reported" not in page


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


class _WatchedInput:
    """A request body that records every attempt to read it."""

    def __init__(self) -> None:
        self.reads = 0

    def read(self, *_args: Any) -> bytes:
        self.reads += 1
        return b""

    readline = read


class UploadLimitTests:
    def test_it_refuses_a_huge_upload_before_anything_reads_its_body(self, alice: Any) -> None:
        from heelwise.runlog.models import ImportJob

        client = Client(enforce_csrf_checks=True)  # CSRF's check is what used to read the body
        client.force_login(alice)
        body = _WatchedInput()
        environ: dict[str, Any] = {"CONTENT_LENGTH": str(300 * 1024 * 1024), "wsgi.input": body}
        response = client.generic(
            "POST",
            reverse("runlog:import_new"),
            data=b"x",
            content_type="multipart/form-data; boundary=xyz",
            **environ,
        )
        assert response.status_code == 413 and b"larger than 200 MB" in response.content
        assert body.reads == 0 and not ImportJob.objects.exists()

    def test_it_stops_a_file_that_streams_past_the_limit(
        self, alice: Any, monkeypatch: Any
    ) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from heelwise.runlog import upload_limits
        from heelwise.runlog.models import ImportJob

        monkeypatch.setattr(upload_limits, "MAX_UPLOAD_BYTES", 1000)  # the body is under 201 MB
        client = Client(enforce_csrf_checks=True)
        client.force_login(alice)
        client.get(reverse("runlog:import_new"))
        token = client.cookies["csrftoken"].value
        response = client.post(
            reverse("runlog:import_new"),
            {"csrfmiddlewaretoken": token, "file": SimpleUploadedFile("run.gpx", b"x" * 5000)},
        )
        assert response.status_code == 413 and b"larger than 200 MB" in response.content
        assert not ImportJob.objects.exists()

    def test_a_file_under_the_limit_is_accepted(self, alice: Any) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from heelwise.runlog.tests.builders import gpx_run

        client = Client(enforce_csrf_checks=True)
        client.force_login(alice)
        client.get(reverse("runlog:import_new"))
        token = client.cookies["csrftoken"].value
        upload = SimpleUploadedFile("run.gpx", gpx_run(datetime(2025, 3, 1, 8, tzinfo=UTC)))
        response = client.post(
            reverse("runlog:import_new"), {"csrfmiddlewaretoken": token, "file": upload}
        )
        assert response.status_code == 302


def _run_post(**overrides: Any) -> dict[str, Any]:
    return {
        "day": services.local_today().isoformat(),
        "start_time": "07:00",
        "sport": "running",
        "minutes": "30",
        "distance_km": "5",
        **overrides,
    }


class RunFormTests:
    @pytest.mark.parametrize(
        ("overrides", "field", "message"),
        [
            ({"day": "2100-06-01"}, "day", "The date is in the future"),
            ({"day": "1900-01-01"}, "day", "before 1 January 1990"),
            ({"minutes": "1", "distance_km": "100"}, "distance_km", "faster than is possible"),
            (
                {"sport": "cycling", "minutes": "60", "distance_km": "150"},
                "distance_km",
                "the limit is 100 km/h",
            ),
        ],
    )
    def test_it_refuses_an_impossible_activity(
        self, alice: Any, overrides: dict[str, str], field: str, message: str
    ) -> None:
        response = _client(alice).post(reverse("runlog:run_new"), _run_post(**overrides))
        assert response.status_code == 422
        assert any(message in e for e in response.context["form"].errors[field])
        assert not Run.objects.filter(user=alice).exists()

    def test_it_accepts_a_fast_but_possible_run_today(self, alice: Any) -> None:
        post = _run_post(minutes="15", distance_km="5")  # 3:00 min/km
        assert _client(alice).post(reverse("runlog:run_new"), post).status_code == 302

    def test_the_same_run_entered_twice_gets_a_form_error_not_a_500(self, alice: Any) -> None:
        client = _client(alice)
        assert (
            client.post(reverse("runlog:run_new"), _run_post(day="2025-11-24")).status_code == 302
        )
        response = client.post(reverse("runlog:run_new"), _run_post(day="2025-11-24"))
        assert response.status_code == 422
        assert response.context["form"].errors["start_time"] == [
            "You already logged a run starting at 07:00 on 24 Nov 2025: change the start time "
            "if this is a second run."
        ]
        assert Run.objects.filter(user=alice).count() == 1

    def test_the_form_has_no_made_up_start_time(self, alice: Any) -> None:
        client = _client(alice)
        form = client.get(reverse("runlog:run_new")).context["form"]
        assert form["start_time"].value() is None
        response = client.post(reverse("runlog:run_new"), _run_post(start_time=""))
        assert response.status_code == 422
        assert response.context["form"].errors["start_time"] == [
            "Enter the time you started, for example 07:30."
        ]
        assert not Run.objects.filter(user=alice).exists()

    def test_a_second_run_on_the_same_day_at_another_time_is_saved(self, alice: Any) -> None:
        client = _client(alice)
        assert client.post(reverse("runlog:run_new"), _run_post()).status_code == 302
        assert (
            client.post(reverse("runlog:run_new"), _run_post(start_time="18:15")).status_code == 302
        )
        assert Run.objects.filter(user=alice).count() == 2

    def test_it_keeps_seconds_typed_as_decimal_minutes(self, alice: Any) -> None:
        client = _client(alice)
        assert client.post(reverse("runlog:run_new"), _run_post(minutes="30.5")).status_code == 302
        run = Run.objects.get(user=alice)
        assert run.duration_s == 1830
        assert "<td>30 min 30 s</td>" in client.get(reverse("runlog:run_list")).content.decode()
        detail = client.get(reverse("runlog:run_detail", args=[run.pk])).content.decode()
        assert "<dt>Elapsed time</dt><dd>30 min 30 s</dd>" in detail

    def test_the_service_refuses_an_impossible_run_too(self, alice: Any) -> None:
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError):
            services.run_create(
                user=alice,
                start=datetime(2100, 1, 1, 7, tzinfo=UTC),
                duration_s=1800,
                distance_m=5000,
            )


def _checkin_post(pain: int, version: str = "") -> dict[str, Any]:
    return {"first_step_pain": str(pain), "version": version, "settled": "", "exercises": ""}


class CheckInSaveTests:
    def test_a_stale_form_does_not_overwrite_a_saved_check_in(self, alice: Any) -> None:
        client = _client(alice)
        client.get(reverse("runlog:checkin"))  # the form is shown: no check-in yet
        saved = services.checkin_save(
            user=alice, day=services.local_today(), first_step_pain=2
        )  # ... then saved in another tab
        response = client.post(reverse("runlog:checkin"), _checkin_post(7))
        assert response.status_code == 409
        page = response.content.decode()
        assert "Nothing was overwritten" in page
        assert 'value="2" id="id_first_step_pain_2" required checked' in page  # pre-filled
        saved.refresh_from_db()
        assert saved.first_step_pain == 2
        # Saving the form now shown updates the check-in, and says so.
        version = response.context["form"].initial["version"]
        again = client.post(reverse("runlog:checkin"), _checkin_post(7, version), follow=True)
        assert "Check-in updated." in again.content.decode()
        saved.refresh_from_db()
        assert saved.first_step_pain == 7

    def test_the_same_form_sent_twice_saves_one_check_in(self, alice: Any) -> None:
        client = _client(alice)
        for _ in range(2):
            response = client.post(reverse("runlog:checkin"), _checkin_post(3))
            assert response.status_code == 302
        assert CheckIn.objects.filter(user=alice).count() == 1

    def test_the_page_says_todays_check_in_is_being_updated(self, alice: Any) -> None:
        services.checkin_save(user=alice, day=services.local_today(), first_step_pain=4)
        page = _client(alice).get(reverse("runlog:checkin")).content.decode()
        assert "You already checked in for this day" in page and "saving updates them" in page
        assert 'value="4" id="id_first_step_pain_4" required checked' in page

    def test_two_saves_of_the_same_day_at_once_both_succeed(
        self, alice: Any, monkeypatch: Any
    ) -> None:
        today = services.local_today()
        real = services._checkin_for_update
        calls: list[int] = []

        def raced(user: Any, day: Any) -> Any:
            calls.append(1)
            if len(calls) == 1:  # another request inserts the day's check-in just now
                CheckIn.objects.bulk_create([CheckIn(user=user, date=day, first_step_pain=1)])
                return None
            return real(user, day)

        monkeypatch.setattr(services, "_checkin_for_update", raced)
        saved = services.checkin_save(user=alice, day=today, first_step_pain=5)
        assert saved.first_step_pain == 5
        assert list(
            CheckIn.objects.filter(user=alice).values_list("first_step_pain", flat=True)
        ) == [5]


class ShoeSaveTests:
    def test_the_add_form_sent_twice_adds_one_pair(self, alice: Any) -> None:
        client = _client(alice)
        key = client.get(reverse("runlog:shoes")).context["form"].initial["submission_key"]
        post = {"name": "Ghost 15", "brand": "Brooks", "start_km": "0", "retire_at_km": "650",
                "submission_key": key}  # fmt: skip
        assert client.post(reverse("runlog:shoes"), post).status_code == 302
        second = client.post(reverse("runlog:shoes"), post, follow=True)
        assert "were already added: this form was sent twice" in second.content.decode()
        assert Shoe.objects.filter(user=alice).count() == 1
        # A fresh form may add a second identical pair on purpose.
        fresh = client.get(reverse("runlog:shoes")).context["form"].initial["submission_key"]
        assert fresh != key
        client.post(reverse("runlog:shoes"), {**post, "submission_key": fresh})
        assert Shoe.objects.filter(user=alice).count() == 2

    def test_two_requests_making_a_default_pair_at_once_do_not_fail(
        self, alice: Any, monkeypatch: Any
    ) -> None:
        real = services._clear_default
        calls: list[int] = []

        def raced(user: Any, keep: Any) -> None:
            real(user, keep)
            calls.append(1)
            if len(calls) == 1:  # another request saves its default pair just now
                Shoe.objects.bulk_create([Shoe(user=user, name="Other", is_default=True)])

        monkeypatch.setattr(services, "_clear_default", raced)
        shoe = services.shoe_save(user=alice, name="Ghost", is_default=True)
        assert list(Shoe.objects.filter(user=alice, is_default=True)) == [shoe]


def _run_on(user: Any, day: Any, km: float, minutes: float = 30) -> None:
    Run.objects.create(
        user=user, start=datetime(day.year, day.month, day.day, 7, tzinfo=UTC), local_date=day,
        distance_m=km * 1000, duration_s=minutes * 60, source="fit",
    )  # fmt: skip


class DashboardComparisonTests:
    def test_it_compares_the_last_7_days_with_the_7_before_not_a_part_week(
        self, alice: Any
    ) -> None:
        today = services.local_today()
        alice.date_joined -= timedelta(days=60)
        alice.save(update_fields=["date_joined"])
        _run_on(alice, today - timedelta(days=3), 5)
        _run_on(alice, today - timedelta(days=10), 5)
        page = _client(alice).get(reverse("runlog:dashboard")).content.decode()
        assert "Change on last week" not in page
        assert "Last 7 days: 5.0 km; the 7 days before: 5.0 km. Change: +0%." in page
        assert "(so far)</th>" in page and "<td>in progress</td>" in page

    def test_it_says_there_is_no_baseline_for_a_first_week(self, alice: Any) -> None:
        today = services.local_today()
        _run_on(alice, today, 100, minutes=600)
        page = _client(alice).get(reverse("runlog:dashboard")).content.decode()
        assert "No earlier week to compare." in page
        assert "no baseline (no running two weeks before)" in page

    def test_weeks_before_the_account_existed_are_not_listed(self, alice: Any) -> None:
        page = _client(alice).get(reverse("runlog:dashboard"), {"weeks": 26}).content.decode()
        assert page.count('<th scope="row">') == 1  # this week only, not 25 rest weeks

    def test_one_minute_is_singular(self, alice: Any) -> None:
        _run_on(alice, services.local_today(), 0.2, minutes=1)
        page = _client(alice).get(reverse("runlog:dashboard")).content.decode()
        assert "1 run, 1 minute." in page


class RunDetailTimeTests:
    def test_it_shows_the_recorded_local_time_with_its_offset(self, alice: Any) -> None:
        run = Run.objects.create(
            user=alice, start=datetime(2017, 6, 11, 2, 0, tzinfo=UTC), tz_offset_s=-25200,
            local_date="2017-06-10", duration_s=1800, source="fit",
        )  # fmt: skip
        page = _client(alice).get(reverse("runlog:run_detail", args=[run.pk])).content.decode()
        assert "Started (UTC)" not in page
        assert "19:00 local time (UTC-07:00)" in page

    def test_it_shows_uk_time_labelled_for_a_run_without_an_offset(self, alice: Any) -> None:
        run = services.run_create(
            user=alice, start=datetime(2025, 7, 1, 6, 0, tzinfo=UTC), duration_s=1800,
            distance_m=5000,
        )  # fmt: skip
        page = _client(alice).get(reverse("runlog:run_detail", args=[run.pk])).content.decode()
        assert "07:00 UK time (BST)" in page


class ImportReportPageTests:
    def test_it_shows_a_plain_reason_with_the_technical_details_below(self, alice: Any) -> None:
        from heelwise.runlog.models import ImportJob

        job = ImportJob.objects.create(
            user=alice, upload_name="x.fit", status=ImportJob.Status.DONE,
            report={"summary": {"errors": 1}, "rows": [{
                "file": "x.fit", "status": "error", "reason": "This file is damaged.",
                "detail": "FIT file CRC mismatch (expected 0xB1D5, got 0xA1D5)",
            }]},
        )  # fmt: skip
        page = _client(alice).get(reverse("runlog:import_detail", args=[job.pk])).content
        assert b'<td>This file is damaged.<br><small class="rl-help">Details: FIT file CRC' in page

    def test_it_says_when_an_archive_held_no_activity_files(self, alice: Any) -> None:
        from heelwise.runlog.importing import NO_ACTIVITY_FILES
        from heelwise.runlog.models import ImportJob

        job = ImportJob.objects.create(
            user=alice, upload_name="bad.zip", status=ImportJob.Status.DONE,
            report={"summary": {"skipped": 1}, "rows": [], "message": NO_ACTIVITY_FILES},
        )  # fmt: skip
        page = _client(alice).get(reverse("runlog:import_detail", args=[job.pk])).content
        assert NO_ACTIVITY_FILES.encode() in page and b"1 skipped" not in page
        assert b'id="import-report"' not in page


@pytest.mark.django_db
def test_a_run_on_the_speed_limit_after_rounding_is_a_form_error_not_a_500(
    client: Client, alice: Any
) -> None:
    """10.001 km in 20.002 min (29.9995 km/h) passed the form's check on unrounded minutes but
    not the service's on whole seconds (20 min 0 s is 30.003 km/h)."""
    client.force_login(alice)
    response = client.post(
        "/recovery/runs/new/",
        {
            "day": services.local_today().isoformat(),
            "start_time": "07:30",
            "sport": "running",
            "distance_km": "10.001",
            "minutes": "20.002",
        },
    )
    assert response.status_code == 422
    assert "faster than is possible" in response.content.decode()
