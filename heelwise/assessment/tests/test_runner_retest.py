"""A runner's re-test of the result pages: children, young children, painkiller doses without an
age, the PDF's safety content, the start page's emergency list, Back to step 1, same-day plans,
and the expired-form page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from heelwise.assessment import engine
from heelwise.assessment.models import Assessment
from heelwise.assessment.presentation import (
    EMERGENCY_SIGNS,
    SAME_DAY_SIGNS,
    result_view,
)
from heelwise.assessment.tests.helpers import (
    HOT_SWOLLEN_FEVER,
    PLANTAR_FASCIITIS,
    SAFETY_NO,
    SEVERS,
    walk,
)
from heelwise.assessment.views import _result_context

KEEP_RUNNING = "You do not have to stop running"
PLAYED_THROUGH = "should not be played through"
ADULT_DOSE = "1 g up to four times a day"

# A 2-year-old with pain under the heel.
TODDLER = {
    **SEVERS,
    "about": {"age": "2", "sex": "female"},
    "where": {"pain_location": "plantar_medial", "bilateral": "no"},
}


def _result_html(client: Client, answers: dict[str, dict[str, str]]) -> str:
    url = walk(client, answers)["Location"]
    return client.get(url).content.decode()


def _pdf_html(assessment: Assessment) -> str:
    """The HTML the PDF is laid out from, with the context the PDF view builds."""
    request = RequestFactory().get("/")
    return render_to_string("assessment/care_plan_pdf.html", _result_context(request, assessment))


@pytest.mark.django_db
class ChildTests:
    def test_a_child_is_told_to_cut_back_and_never_to_keep_running(self, client: Client) -> None:
        html = _result_html(client, SEVERS)
        assert "For children and teenagers" in html and PLAYED_THROUGH in html
        assert "Cut back running and jumping for a while" in html
        assert KEEP_RUNNING not in html and "up to 5/10 is acceptable" not in html

    def test_the_pdf_carries_the_childrens_safety_box(self, client: Client) -> None:
        walk(client, SEVERS)
        html = _pdf_html(Assessment.objects.get())
        assert "For children and teenagers" in html
        assert "Ask a pharmacist for the right dose" in html
        assert PLAYED_THROUGH in html
        assert KEEP_RUNNING not in html
        assert "above applies" not in html  # the child note no longer points at nothing

    def test_a_child_under_8_is_sent_to_be_seen_without_severs_or_a_running_plan(
        self, client: Client
    ) -> None:
        html = _result_html(client, TODDLER)
        assert "See a clinician in the next 1 to 2 weeks" in html
        assert "A doctor should examine the child" in html
        assert "usually Sever" not in html
        assert "We do not list likely causes for a child under 8" in html
        assert "Most likely" not in html
        assert KEEP_RUNNING not in html and 'id="plan-calf_stretch"' not in html
        assert "Stop running until a clinician has seen you" in html
        pdf = _pdf_html(Assessment.objects.get())
        assert "usually Sever" not in pdf and "Most likely" not in pdf.replace("most likely", "")
        assert "We do not list likely causes for a child under 8" in pdf

    def test_the_childrens_box_and_the_running_advice_never_disagree(self) -> None:
        for age in range(0, 16):
            for location in ("posterior_insertion", "posteroinferior", "plantar_medial"):
                answers: dict[str, Any] = {"age": age, "pain_location": location, "runner": True}
                view = result_view(engine.assess(answers), answers)
                html = render_to_string(
                    "assessment/_result_body.html",
                    {"view": view, "assessment": Assessment(stopped_early=False)},
                )
                assert view.is_child and (PLAYED_THROUGH in html or "under 8" in html)
                assert KEEP_RUNNING not in html, (age, location)


@pytest.mark.django_db
class PainkillerTests:
    def test_no_adult_paracetamol_dose_when_the_questions_stopped_before_age(
        self, client: Client
    ) -> None:
        html = _result_html(client, HOT_SWOLLEN_FEVER)
        assert ADULT_DOSE not in html
        assert "for a child, ask a pharmacist" in html

    def test_an_adult_dose_says_adults_only(self, client: Client) -> None:
        html = _result_html(client, PLANTAR_FASCIITIS)
        assert "Adults only (16 and over, weighing over 50 kg): " + ADULT_DOSE in html


@pytest.mark.django_db
class StartPageTests:
    def test_the_emergency_list_is_exactly_the_knowledge_bases_emergency_rules(self) -> None:
        kb = engine.knowledge_base()
        emergency = {r.id for r in kb.rules if r.level == 3 and r.kind == "red_flag"}
        assert {rule for sign in EMERGENCY_SIGNS for rule in sign.rules} == emergency

    @pytest.mark.parametrize(
        ("sign", "example", "disposition"),
        [
            (sign, example, disposition)
            for signs, disposition in ((EMERGENCY_SIGNS, "emergency"), (SAME_DAY_SIGNS, "urgent"))
            for sign in signs
            for example in sign.examples
        ],
        ids=lambda v: (
            v.rules[0] if hasattr(v, "rules") else v if isinstance(v, str) else "-".join(sorted(v))
        ),
    )
    def test_every_clause_of_each_line_gets_the_disposition_its_list_announces(
        self, sign: Any, example: Any, disposition: str
    ) -> None:
        """999 lines are emergencies for the engine; same-day lines are urgent, not emergency."""
        result = engine.assess(dict(example))
        assert result["disposition"] == disposition
        assert set(sign.rules) & {f["rule"] for f in result["red_flags"]}

    def test_the_footer_and_home_page_give_the_same_lists(self, client: Client) -> None:
        """The footer is on every page, the result page included: it must not send a red flag
        to a lower level than the engine does, nor leave an emergency out."""
        for path, prefix in (("/assessment/", "footer"), ("/", "footer"), ("/", "home")):
            html = client.get(path).content.decode()
            for kind, signs in (("emergency", EMERGENCY_SIGNS), ("same-day", SAME_DAY_SIGNS)):
                found = re.search(rf'<span class="{prefix}-{kind}-signs">(.*?)</span>', html, re.S)
                assert found, (path, prefix, kind)
                listed = found.group(1).split("; ")
                assert listed == [s.text.replace("'", "&#x27;") for s in signs], (path, kind)

    def test_the_start_page_says_what_the_result_will_say(self, client: Client) -> None:
        html = client.get("/assessment/").content.decode()
        emergency = re.search(r'<span class="emergency-signs">(.*?)</span>', html, re.S)
        same_day = re.search(r'<span class="same-day-signs">(.*?)</span>', html, re.S)
        assert emergency and same_day
        for sign in EMERGENCY_SIGNS:
            assert sign.text.replace("'", "&#x27;") in emergency.group(1)
        assert "you have a hot, red or swollen heel, or a fever" in same_day.group(1)
        assert "hot, red or swollen heel, or a fever" not in emergency.group(1)
        # The site footer on the same page no longer sends a hot, red, swollen foot to 999.
        assert "if you have a hot, red, swollen foot with a fever, cannot put" not in html
        # ... and answering exactly that gives the same-day result the page announces.
        result = _result_html(client, HOT_SWOLLEN_FEVER)
        assert "See a doctor today" in result and "Call 999 or go to A&amp;E now" not in result


@pytest.mark.django_db
class BackToStepOneTests:
    def test_back_to_step_one_after_a_result_says_where_the_answers_are(
        self, client: Client
    ) -> None:
        url = walk(client, HOT_SWOLLEN_FEVER)["Location"]
        public_id = Assessment.objects.get().public_id
        response = client.get("/assessment/step/safety/")
        assert response.status_code == 200
        html = response.content.decode()
        assert "You have finished this assessment" in html
        assert f'href="{url}"' in html
        assert f'action="/assessment/result/{public_id}/change/"' in html
        # Another browser gets the plain first step (the cached page holds no one's result).
        other = Client().get("/assessment/step/safety/").content.decode()
        assert "You have finished this assessment" not in other and str(public_id) not in other

    def test_the_note_goes_once_a_new_assessment_is_started(self, client: Client) -> None:
        walk(client, HOT_SWOLLEN_FEVER)
        client.post("/assessment/step/safety/", SAFETY_NO)
        html = client.get("/assessment/step/safety/").content.decode()
        assert "You have finished this assessment" not in html


PF_ANSWERS: dict[str, Any] = {
    "age": 42,
    "runner": True,
    "pain_location": "plantar_medial",
    "first_step_pain": True,
    "post_rest_pain": True,
    "warm_up_improves": True,
    "pain_during_activity": True,
    "pain_after_activity": True,
    "onset": "gradual",
    "duration_weeks": 8,
    "pain_nrs": 5,
}


def _plan_html(answers: dict[str, Any]) -> str:
    view = result_view(engine.assess(answers), answers)
    return render_to_string("assessment/_plan.html", {"view": view})


class PlanWordingTests:
    def test_same_day_results_have_no_weekly_schedule(self) -> None:
        answers = {**PF_ANSWERS, "fever": True}
        view = result_view(engine.assess(answers), answers)
        assert view.disposition == "urgent" and view.phases == []
        html = render_to_string("assessment/_plan.html", {"view": view})
        assert "Until you are seen" in html
        assert "week by week" not in html and "Weeks" not in html

    def test_first_step_pain_is_tracked_only_when_it_was_reported(self) -> None:
        assert "first-step pain each morning" in _plan_html(PF_ANSWERS)
        without = {**PF_ANSWERS, "first_step_pain": False}
        assert "first-step pain each morning" not in _plan_html(without)

    def test_only_a_runner_is_pointed_to_the_running_advice(self) -> None:
        nerve = {"age": 40, "pain_location": "medial_ankle", "numbness": True}
        walker = result_view(engine.assess(nerve), nerve)
        assert walker.disposition == "soon"
        assert "running advice" not in walker.advice["summary"]
        runner = result_view(engine.assess({**nerve, "runner": True}), {**nerve, "runner": True})
        assert "running advice" in runner.advice["summary"]

    def test_an_item_that_ends_early_is_not_kept_going_for_the_whole_phase(self) -> None:
        html = _plan_html(PF_ANSWERS)
        phase = html[html.index("Weeks 3 to 6") :]
        assert "Arch taping</a> (to the end of week 3)" in phase
        assert "Ice after activity</a>," in phase  # weeks 1 to 6: no qualifier

    def test_pain_during_activity_does_not_contradict_the_stage(self) -> None:
        view = result_view(engine.assess(PF_ANSWERS), PF_ANSWERS)
        assert view.stage is not None and view.stage["stage"] == 2
        pf = view.causes[0]
        assert pf.key == "plantar_fasciitis"
        against = [r for r in pf.reasons_against if "while you run" in r.question]
        assert against and "stage 2" in against[0].note
        html = render_to_string("assessment/_causes.html", {"view": view})
        assert "this is what places it at stage 2 below" in html


@pytest.mark.django_db
class ExpiredFormTests:
    def test_a_form_sent_without_a_valid_token_gets_a_clear_page(self) -> None:
        client = Client(enforce_csrf_checks=True)
        response = client.post("/assessment/step/safety/", SAFETY_NO)
        assert response.status_code == 403
        html = response.content.decode()
        assert "This form has expired" in html
        assert "Nothing was saved or sent" in html
        assert "reload the page, and send the form again" in html
        assert "DEBUG=True" not in html
        assert "hw_assessment" not in client.session
