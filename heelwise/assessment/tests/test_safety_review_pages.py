"""The result page after the session-6 clinical-safety review: one timeframe per result, the
place to go taken from the red flag that set it, and no reassurance while a tear, a tumour or an
infection has to be ruled out."""

from __future__ import annotations

from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client

from heelwise.assessment import engine
from heelwise.assessment.presentation import REASON_LABELS, result_view, triage
from heelwise.assessment.tests.helpers import SAFETY_NO, walk

NO = {
    "can_bear_weight": True,
    "fever": False,
    "redness": False,
    "warmth": False,
    "swelling": False,
    "pain_at_night": False,
    "numbness": False,
}
RUPTURE = {
    "age": 41,
    "sex": "male",
    "runner": True,
    **NO,
    "pain_location": "posterior_midportion",
    "onset": "sudden",
    "pop_felt": True,
    "pain_on_heel_raise": True,
    "foot_muscle_weakness": True,
    "duration_weeks": 0.1,
}
TRAUMA_CANNOT_STAND = {
    "age": 30,
    "runner": True,
    "onset": "trauma",
    "can_bear_weight": False,
    "pain_location": "lateral_heel",
}


def _box(answers: dict[str, Any]) -> dict[str, Any]:
    return triage(engine.assess(answers), answers)


@pytest.mark.parametrize("answers", [RUPTURE, TRAUMA_CANNOT_STAND])
def test_a_suspected_tear_or_injury_fracture_is_sent_to_urgent_care_not_a_gp(
    answers: dict[str, Any],
) -> None:
    box = _box(answers)
    assert box["disposition"] == "urgent"
    assert box["advice"]["headline"] == "Go to an urgent treatment centre or A&E today"
    assert "GP appointment" not in box["advice"]["summary"].replace("a GP appointment may not", "")


def test_lower_level_reasons_are_things_to_mention_not_a_second_timeframe() -> None:
    box = _box(RUPTURE)
    shown = [f["message"] for f in box["red_flags"]] + [e["message"] for e in box["escalations"]]
    text = " ".join(shown)
    assert "week" not in text  # no "within 1-2 weeks" / "a week or two" under a "today"
    assert REASON_LABELS["neurological_deficit"] in box["also_mention"]
    assert REASON_LABELS["sudden_onset"] in box["also_mention"]


def test_the_pdf_gives_the_same_single_timeframe() -> None:
    view = result_view(engine.assess(RUPTURE), RUPTURE)
    html = render_to_string("assessment/care_plan_pdf.html", {"view": view})
    assert "one to two weeks" not in html and "a week or two" not in html
    assert "Also tell the clinician about" in html


def test_no_tendinopathy_reassurance_while_a_tear_is_possible() -> None:
    view = result_view(engine.assess(RUPTURE), RUPTURE)
    for cause in view.causes:
        assert "usually improves" not in cause.explanation
        assert "usually settles" not in cause.explanation
    achilles = [c for c in view.causes if c.key.startswith("achilles")]
    assert achilles and "must be ruled out first" in achilles[0].explanation


@pytest.mark.parametrize("finding", ["pain_at_night", "weight_loss", "bony_lump_or_mass"])
def test_bone_warning_signs_get_the_48_hour_headline(finding: str) -> None:
    box = _box({"age": 50, finding: True})
    assert box["advice"]["headline"] == "See a doctor within 48 hours"
    assert box["advice"]["when"] == "Within 48 hours"
    assert all("48 hours" in f["message"] for f in box["red_flags"])


def test_a_same_day_sign_beside_night_pain_keeps_the_same_day_headline() -> None:
    box = _box({"age": 50, "pain_at_night": True, "fever": True})
    assert box["advice"]["headline"] == "See a doctor today"


@pytest.mark.django_db
def test_the_result_page_for_night_pain_says_48_hours(client: Client) -> None:
    url = walk(client, {"safety": {**SAFETY_NO, "pain_at_night": "yes"}})["Location"]
    html = client.get(url).content.decode()
    assert "See a doctor within 48 hours" in html
    assert "a day or two" not in html


@pytest.mark.parametrize("condition", ["tumour", "infection"])
def test_a_tumour_or_infection_is_shown_as_needing_ruling_out(condition: str) -> None:
    answers: dict[str, Any] = (
        {
            "age": 50,
            "pain_at_night": True,
            "weight_loss": True,
            "cancer_history": True,
            "bony_lump_or_mass": True,
        }
        if condition == "tumour"
        else {
            "age": 50,
            "fever": True,
            "redness": True,
            "warmth": True,
            "swelling": True,
            "skin_wound_or_discharge": True,
        }
    )
    result = engine.assess(answers)
    view = result_view(result, answers)
    shown = {c.key: c for c in view.causes}
    assert condition in shown
    assert shown[condition].words.startswith("Needs ruling out")


def test_after_an_injury_the_stress_fracture_is_called_a_break() -> None:
    answers = {
        "age": 30,
        "runner": True,
        "onset": "trauma",
        "pain_location": "lateral_heel",
        "squeeze_test_positive": True,
    }
    view = result_view(engine.assess(answers), answers)
    fracture = [c for c in view.causes if c.key == "calcaneal_stress_fracture"]
    assert fracture and fracture[0].name == "A break (fracture) of the heel bone"


def test_every_red_flag_and_escalation_has_words_to_mention() -> None:
    kb = engine.knowledge_base()
    assert {r.key for r in kb.rules} <= set(REASON_LABELS)


def test_a_soon_result_says_to_stop_the_running_that_provokes_the_pain() -> None:
    # Mid-portion Achilles tendinopathy: "soon", with the pain-monitoring card
    answers = {
        "age": 40,
        "runner": True,
        "pain_location": "posterior_midportion",
        "pain_during_activity": True,
        "warm_up_improves": True,
        "pain_on_heel_raise": True,
    }
    result = engine.assess(answers)
    assert result["disposition"] == "soon"
    card = next(
        i for i in result_view(result, answers).plan if i.key == "education_load_management"
    )
    assert card.instructions.startswith("Until you have been seen, stop the runs that bring on")
    assert "You do not have to stop running." not in card.instructions
    # A self-care result keeps the original opening.
    pf = {
        "age": 40,
        "runner": True,
        "pain_location": "plantar_medial",
        "first_step_pain": True,
        "post_rest_pain": True,
        "pain_during_activity": False,
        "duration_weeks": 8,
    }
    result = engine.assess(pf)
    assert result["disposition"] == "self_care"
    card = next(i for i in result_view(result, pf).plan if i.key == "education_load_management")
    assert card.instructions.startswith("You do not have to stop running.")


def test_the_night_splint_grade_is_not_shown_as_checked() -> None:
    item = engine.care_item("night_splint")
    assert item["evidence"]["verified"] is False
    assert item["evidence"]["summary"].startswith("Secondary summaries report")


def test_the_blood_pressure_reason_matches_the_question() -> None:
    answers = {"age": 40, "pain_location": "posterior_midportion", "ace_arb_diuretic": True}
    excluded = {e["item"]: e["reason"] for e in engine.assess(answers)["care_plan_excluded"]}
    assert "or a water tablet" in excluded["nsaid_oral"]


@pytest.mark.django_db
def test_the_guide_agrees_with_the_engine(client: Client) -> None:
    html = client.get("/heel-pain-guide/").content.decode()
    assert "spreading redness" not in html
    week_or_two = html.split("within a week or two if:")[1].split("</ul>")[0]
    assert "wakes you at night" not in week_or_two
    assert "See a doctor within 48 hours" in html
    assert "do not let the heel drop over the edge of a step" in html
