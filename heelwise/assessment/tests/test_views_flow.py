from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from heelwise.assessment.flow import SESSION_KEY
from heelwise.assessment.models import Assessment
from heelwise.assessment.tests.helpers import (
    HOT_SWOLLEN_FEVER,
    PLANTAR_FASCIITIS,
    SAFETY_NO,
    SEVERS,
    walk,
)
from heelwise.common.models import AuditEvent

pytestmark = pytest.mark.django_db


def _body(response) -> str:
    return response.content.decode()


class QuestionnaireFlowTests:
    def test_it_asks_the_red_flag_questions_first(self, client: Client) -> None:
        response = client.get("/assessment/step/safety/")
        assert response.status_code == 200
        html = _body(response)
        assert "Safety questions first" in html
        assert "Step 1 of 6" in html
        assert 'name="fever"' in html
        assert 'name="pain_location"' not in html

    def test_it_walks_a_classic_plantar_fasciitis_to_a_self_care_result(
        self, client: Client
    ) -> None:
        response = walk(client, PLANTAR_FASCIITIS)
        assessment = Assessment.objects.get()
        assert response["Location"] == f"/assessment/result/{assessment.public_id}/"
        assert assessment.disposition == "self_care"
        assert assessment.result["differential"][0]["condition"] == "plantar_fasciitis"
        assert not assessment.stopped_early
        html = _body(client.get(response["Location"]))
        assert "You can start looking after this yourself" in html
        assert "This is not a diagnosis." in html
        assert "Stage 2 of 3" in html
        assert "Calf stretches" in html
        from django.utils.html import escape

        from heelwise.assessment import engine

        calf = engine.care_item("calf_stretch")
        assert escape(calf["instructions"][:40]) in html  # the item's text, from the KB
        assert escape(calf["evidence"]["summary"][:40]) in html  # its evidence in a sentence
        assert "/book/?service=discovery-call&amp;assessment=" in html

    def test_the_result_says_why_a_sudden_onset_needs_a_clinician(self, client: Client) -> None:
        # An escalation (not a red flag) raises self-care to "soon"; its reason must be shown.
        sudden = {
            **PLANTAR_FASCIITIS,
            "pattern": {**PLANTAR_FASCIITIS["pattern"], "onset": "sudden"},
        }
        response = walk(client, sudden)
        assessment = Assessment.objects.get()
        assert assessment.disposition == "soon"
        html = _body(client.get(response["Location"]))
        assert "started suddenly is not the usual pattern of plantar fasciitis" in html
        assert 'class="triage-reasons"' in html

    def test_it_stops_early_with_same_day_advice_for_a_hot_swollen_heel_and_fever(
        self, client: Client
    ) -> None:
        response = walk(client, HOT_SWOLLEN_FEVER)
        assessment = Assessment.objects.get()
        assert assessment.stopped_early
        assert assessment.disposition == "urgent"
        html = _body(client.get(response["Location"]))
        assert "See a doctor today" in html
        assert "NHS 111" in html
        assert "We stopped the questions early" in html
        assert SESSION_KEY not in client.session

    def test_an_emergency_answer_stops_the_flow_with_999_advice(self, client: Client) -> None:
        response = walk(client, {"safety": {**SAFETY_NO, "systemically_unwell": "yes"}})
        assessment = Assessment.objects.get()
        assert assessment.disposition == "emergency"
        assert assessment.stopped_early
        html = _body(client.get(response["Location"]))
        assert "Call 999 or go to A&amp;E now" in html
        assert 'href="tel:999"' in html

    def test_a_red_flag_on_a_later_step_also_stops_the_flow(self, client: Client) -> None:
        client.post("/assessment/step/safety/", SAFETY_NO)
        response = client.post(
            "/assessment/step/about/", {"age": "42", "sex": "male", "runner": "yes"}
        )
        assert response["Location"] == "/assessment/step/where/"
        response = client.post("/assessment/step/where/", {"pain_location": "posterior_insertion"})
        assert response["Location"] == "/assessment/step/pattern/"
        data = {"onset": "sudden", "pop_felt": "yes"}
        response = client.post("/assessment/step/pattern/", data)
        assert "/assessment/result/" in response["Location"]
        assert Assessment.objects.get().disposition == "urgent"

    def test_it_gives_paediatric_safety_advice_for_an_11_year_old(self, client: Client) -> None:
        response = walk(client, SEVERS)
        assessment = Assessment.objects.get()
        assert assessment.result["differential"][0]["condition"] == "sever_apophysitis"
        assert "paediatric" in {f["key"] for f in assessment.result["red_flags"]}
        html = _body(client.get(response["Location"]))
        assert "Sever" in html
        assert "Children&#x27;s heel pain" in html or "Children's heel pain" in html
        assert "For children and teenagers" in html
        assert "Do not give adult doses of painkillers" in html

    def test_the_pattern_step_puts_the_engines_best_questions_first(self, client: Client) -> None:
        for step in ("safety", "about", "where"):
            client.post(f"/assessment/step/{step}/", PLANTAR_FASCIITIS[step])
        html = _body(client.get("/assessment/step/pattern/"))
        from heelwise.assessment import engine

        answers = client.session[SESSION_KEY]["steps"]
        merged = {k: v for s in answers.values() for k, v in s.items() if v is not None}
        ranked = [
            k
            for k in engine.ranked_questions(merged)
            if engine.finding(k).answered_by == "patient"
            and engine.finding(k).group in ("pattern", "history")
        ]
        assert ranked, "the engine suggested no patient questions"
        first = html.index('id="q-')
        assert html[first:].startswith(f'id="q-{ranked[0]}"')


class BadPostTests:
    def test_it_rejects_unknown_keys_and_keeps_the_answers(self, client: Client) -> None:
        data = {**SAFETY_NO, "is_admin": "yes"}
        response = client.post("/assessment/step/safety/", data)
        assert response.status_code == 422
        html = _body(response)
        assert "questions we did not ask" in html
        assert "is_admin" in html
        assert 'value="yes" checked' in html  # can_bear_weight kept
        assert not Assessment.objects.exists()

    def test_it_rejects_out_of_range_values_with_a_clear_message(self, client: Client) -> None:
        client.post("/assessment/step/safety/", SAFETY_NO)
        response = client.post(
            "/assessment/step/about/", {"age": "500", "sex": "female", "weekly_km": "abc"}
        )
        assert response.status_code == 422
        html = _body(response)
        assert "Enter a number from 0 to 120" in html
        assert "Enter a number, for example 12." in html
        assert 'value="female" checked' in html

    def test_it_rejects_an_option_that_does_not_exist(self, client: Client) -> None:
        for step in ("safety", "about"):
            client.post(f"/assessment/step/{step}/", PLANTAR_FASCIITIS[step])
        response = client.post("/assessment/step/where/", {"pain_location": "the_moon"})
        assert response.status_code == 422
        assert "Choose one of the options listed." in _body(response)

    def test_it_requires_every_safety_answer(self, client: Client) -> None:
        data = dict(SAFETY_NO)
        del data["fever"]
        response = client.post("/assessment/step/safety/", data)
        assert response.status_code == 422
        assert "Please answer this question." in _body(response)

    def test_it_refuses_to_skip_required_steps_and_keeps_what_was_answered(
        self, client: Client
    ) -> None:
        client.post("/assessment/step/safety/", SAFETY_NO)
        response = client.post("/assessment/step/medicines/", {})
        assert response.status_code == 302
        assert response["Location"] == "/assessment/step/about/"
        page = client.get(response["Location"])
        assert "Please answer \u201cAbout you\u201d first" in _body(page)
        assert client.session[SESSION_KEY]["steps"]["safety"]["fever"] is False
        assert not Assessment.objects.exists()

    def test_it_rejects_a_repeated_field(self, client: Client) -> None:
        response = client.post("/assessment/step/safety/", {**SAFETY_NO, "fever": ["no", "yes"]})
        assert response.status_code == 422
        assert "Give one answer to this question." in _body(response)


class NavigationTests:
    def test_back_and_forward_keep_the_answers(self, client: Client) -> None:
        client.post("/assessment/step/safety/", SAFETY_NO)
        client.post("/assessment/step/about/", PLANTAR_FASCIITIS["about"])
        # Half-answered step, then Back: the draft is kept.
        response = client.post(
            "/assessment/step/where/", {"pain_location": "plantar_medial", "nav": "back"}
        )
        assert response["Location"] == "/assessment/step/about/"
        about = _body(client.get("/assessment/step/about/"))
        assert 'value="42"' in about
        where = _body(client.get("/assessment/step/where/"))
        assert 'value="plantar_medial" checked' in where

    def test_a_question_that_no_longer_applies_is_dropped(self, client: Client) -> None:
        for step in ("safety", "about", "where"):
            client.post(f"/assessment/step/{step}/", PLANTAR_FASCIITIS[step])
        client.post("/assessment/step/pattern/", {"onset": "gradual", "pop_felt": "yes"})
        assert "pop_felt" not in client.session[SESSION_KEY]["steps"]["pattern"]


class PrivacyTests:
    def test_an_anonymous_assessment_leaves_no_personal_data(self, client: Client) -> None:
        walk(client, PLANTAR_FASCIITIS)
        assessment = Assessment.objects.get()
        assert assessment.user is None
        assert assessment.saved_at is None
        assert not AuditEvent.objects.exists()
        # The answers leave the session; the browser keeps only a signed cookie with the id.
        assert not Session.objects.exists()
        assert client.cookies["hw_results"]["httponly"]
        assert str(assessment.public_id) in client.cookies["hw_results"].value
        response = assessment.questionnaire_response
        assert not {"subject", "author", "source", "encounter"} & set(response)
        from heelwise.assessment import engine

        linked = {i["linkId"] for g in response["item"] for i in g["item"]}
        assert linked <= set(engine.knowledge_base().findings)  # answers to our questions only
        assert {f.name for f in Assessment._meta.concrete_fields} == {
            "id",
            "public_id",
            "user",
            "questionnaire_response",
            "result",
            "kb_version",
            "disposition",
            "stopped_early",
            "created",
            "saved_at",
        }

    def test_another_browser_cannot_open_an_anonymous_result(self, client: Client) -> None:
        response = walk(client, PLANTAR_FASCIITIS)
        assert Client().get(response["Location"]).status_code == 404

    def test_old_anonymous_assessments_are_purged(self, client: Client) -> None:
        from datetime import timedelta

        from django.core.management import call_command
        from django.utils import timezone

        walk(client, PLANTAR_FASCIITIS)
        Assessment.objects.update(created=timezone.now() - timedelta(hours=25))
        response = client.get(f"/assessment/result/{Assessment.objects.get().public_id}/")
        assert response.status_code == 404
        call_command("assessment_purge")
        assert not Assessment.objects.exists()

    def test_a_new_submission_also_purges_expired_anonymous_assessments(
        self, client: Client
    ) -> None:
        from datetime import timedelta

        from django.utils import timezone

        walk(client, PLANTAR_FASCIITIS)
        old = Assessment.objects.get()
        Assessment.objects.update(created=timezone.now() - timedelta(hours=25))
        walk(Client(), PLANTAR_FASCIITIS)
        assert not Assessment.objects.filter(pk=old.pk).exists()
        assert Assessment.objects.count() == 1


class MedicinesScreenTests:
    MEDICINES = (
        "peptic_ulcer_history",
        "anticoagulant_use",
        "ssri_use",
        "oral_steroid_use",
        "kidney_disease",
        "heart_disease",
        "ace_arb_diuretic",
        "asthma_nsaid_sensitive",
        "nsaid_allergy",
        "liver_disease",
        "pregnant",
    )

    def _plan(self, client: Client, medicines: dict[str, str]) -> tuple[set[str], dict[str, str]]:
        walk(client, {**PLANTAR_FASCIITIS, "medicines": medicines})
        result = Assessment.objects.get().result
        excluded = {e["item"]: e["reason"] for e in result["care_plan_excluded"]}
        return {i["item"] for i in result["care_plan"]}, excluded

    def test_no_anti_inflammatory_advice_without_the_medicines_screen(self, client: Client) -> None:
        plan, excluded = self._plan(client, {})
        assert "nsaid_oral" not in plan
        assert "nsaid_oral" in excluded

    def test_anti_inflammatory_advice_after_a_clear_screen(self, client: Client) -> None:
        plan, _ = self._plan(client, dict.fromkeys(self.MEDICINES, "no"))
        assert "nsaid_oral" in plan

    def test_a_stomach_ulcer_rules_out_anti_inflammatory_tablets(self, client: Client) -> None:
        answers = {**dict.fromkeys(self.MEDICINES, "no"), "peptic_ulcer_history": "yes"}
        plan, excluded = self._plan(client, answers)
        assert "nsaid_oral" not in plan
        assert "nsaid_oral" in excluded
