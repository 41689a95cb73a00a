"""Care plan: items for the leading condition, contraindications removed with their reasons."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from heelwise.clinical import assess, care_plan_catalogue
from heelwise.clinical.tests.test_properties import requests

PF = {"pain_location": "plantar_medial", "first_step_pain": True, "post_rest_pain": True}
CLEAR_SCREEN = {
    "peptic_ulcer_history": False,
    "anticoagulant_use": False,
    "ssri_use": False,
    "oral_steroid_use": False,
    "kidney_disease": False,
    "heart_disease": False,
    "ace_arb_diuretic": False,
    "asthma_nsaid_sensitive": False,
    "nsaid_allergy": False,
    "liver_disease": False,
}


def _items(result: dict[str, Any]) -> list[str]:
    return [i["item"] for i in result["care_plan"]]


def _excluded(result: dict[str, Any]) -> dict[str, str]:
    return {e["item"]: e["reason"] for e in result["care_plan_excluded"]}


def test_it_gives_the_rathleff_dose_for_strength_training() -> None:
    result = assess({"patient": {"age": 40}, "findings": PF})
    item = next(i for i in result["care_plan"] if i["item"] == "high_load_strength")
    assert "3 s up, 2 s hold, 3 s down" in item["dose"]
    assert "12RM x 3" in item["dose"] and "8RM x 5" in item["dose"]
    assert item["evidence"]["source"] == "R7"
    assert item["evidence"]["verified"] in (True, False)


def test_it_leaves_nsaids_out_until_the_safety_screen_is_answered() -> None:
    result = assess({"patient": {"age": 40, "sex": "female"}, "findings": PF})
    assert "nsaid_oral" not in _items(result)
    assert "safety screen not completed" in _excluded(result)["nsaid_oral"].lower()


def test_it_offers_nsaids_when_the_screen_is_clear_for_a_man() -> None:
    result = assess({"patient": {"age": 40, "sex": "male"}, "findings": {**PF, **CLEAR_SCREEN}})
    assert "nsaid_oral" in _items(result)
    assert "nsaid_topical" in _items(result)


def test_it_removes_nsaids_with_a_stomach_ulcer_or_anticoagulant() -> None:
    for key in ("peptic_ulcer_history", "anticoagulant_use"):
        findings = {**PF, **CLEAR_SCREEN, key: True}
        result = assess({"patient": {"age": 40, "sex": "male"}, "findings": findings})
        assert "nsaid_oral" not in _items(result)
        assert _excluded(result)["nsaid_oral"]


def test_it_removes_running_advice_when_a_stress_fracture_is_suspected() -> None:
    findings = {
        "pain_location": "plantar_medial",
        "first_step_pain": True,
        "squeeze_test_positive": True,
        "pain_during_activity": True,
    }
    result = assess({"patient": {"recent_load_increase": True}, "findings": findings})
    probs = {d["condition"]: d["probability"] for d in result["differential"]}
    assert probs["plantar_fasciitis"] > 0.2 and probs["calcaneal_stress_fracture"] > 0.1
    assert "education_load_management" not in _items(result)
    assert "stress fracture" in _excluded(result)["education_load_management"]


def test_it_keeps_only_safe_items_when_a_red_flag_is_urgent() -> None:
    result = assess({"patient": {"age": 40}, "findings": {**PF, "fever": True}})
    assert result["disposition"] == "urgent"
    assert "high_load_strength" not in _items(result)
    # The triage box says "today": no 6-week review card, no pain-monitored running.
    assert _items(result) == ["relative_rest", "paracetamol"]
    assert "clinician_review" not in _excluded(result)  # not relevant, so not listed as left out


def test_it_states_the_prolotherapy_evidence_honestly() -> None:
    result = assess({"patient": {"age": 45}, "findings": {**PF, "duration_weeks": 40}})
    prolo = next(i for i in result["care_plan"] if i["item"] == "prolotherapy")
    assert "low certainty" in prolo["evidence"]["grade"]
    details = next(c for c in care_plan_catalogue() if c["item"] == "prolotherapy")
    text = (details["instructions"] + " " + details["evidence"]["summary"]).lower()
    assert "not a proven or permanent cure" in text
    assert "permanent solution" in text and "not" in text


def test_it_warns_against_repeat_steroid_injection() -> None:
    findings = {**PF, "duration_weeks": 20, "recent_steroid_injection": True}
    result = assess({"patient": {"age": 45}, "findings": findings})
    assert "corticosteroid_injection" in _excluded(result)


def test_it_orders_the_plan_by_programme_week() -> None:
    result = assess({"patient": {"age": 45}, "findings": {**PF, "duration_weeks": 40}})
    weeks = [i["weeks"][0] for i in result["care_plan"]]
    assert weeks == sorted(weeks)


RUNNING_ADVICE = {"relative_rest", "education_load_management", "child_activity_modification"}
REVIEW_CARDS = {"clinician_review", "clinician_review_soon"}


def _running_and_review(result: dict[str, Any]) -> tuple[set[str], set[str]]:
    items = set(_items(result))
    return items & RUNNING_ADVICE, items & REVIEW_CARDS


@pytest.mark.parametrize(
    ("findings", "expected"),
    [
        # classic plantar fasciitis in a runner
        ({**PF, "pain_during_activity": False, "duration_weeks": 8}, "education_load_management"),
        # midportion Achilles tendinopathy in a runner
        (
            {
                "pain_location": "posterior_midportion",
                "pain_during_activity": True,
                "warm_up_improves": True,
                "pain_on_heel_raise": True,
            },
            "education_load_management",
        ),
        # suspected stress fracture: stop, never "keep some running"
        (
            {
                "pain_location": "plantar_medial",
                "squeeze_test_positive": True,
                "pain_during_activity": True,
            },
            "relative_rest",
        ),
        # nerve pattern (no load-managed condition suspected): stop what provokes it
        (
            {
                "pain_location": "medial_ankle",
                "numbness": True,
                "burning_or_tingling": True,
                "radiates_distally": True,
            },
            "relative_rest",
        ),
    ],
)
def test_runners_get_one_piece_of_running_advice_that_fits_the_condition(
    findings: dict[str, Any], expected: str
) -> None:
    result = assess({"patient": {"runner": True, "age": 40}, "findings": findings})
    running, _ = _running_and_review(result)
    assert running == {expected}


def test_the_stop_running_card_cites_the_stress_fracture_source_and_load_advice_its_own() -> None:
    catalogue = {c["item"]: c for c in care_plan_catalogue()}
    assert catalogue["relative_rest"]["evidence"]["source"] == "R24"
    load = catalogue["education_load_management"]
    assert load["evidence"]["source"] == "R8"  # Silbernagel 2007, the pain-monitoring model
    assert load["instructions"].startswith("You do not have to stop running.")


@given(requests())
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_stop_running_and_keep_running_never_appear_together(request: dict[str, Any]) -> None:
    result = assess(request)
    running, review = _running_and_review(result)
    assert len(running) == 1, running  # exactly one piece of running advice, never both
    if result["disposition"] in ("urgent", "emergency"):
        assert running == {"relative_rest"} and not review
    else:
        assert review == {
            "clinician_review" if result["disposition"] == "self_care" else "clinician_review_soon"
        }
    # A child is never told to run through pain (the result page's children's box says heel
    # pain "should not be played through"): under 16, only cut-back or stop, and under 8 stop.
    age = (request.get("patient") or {}).get("age")
    if age is not None and age < 16:
        assert "education_load_management" not in running
    if age is not None and age < 8:
        assert running == {"relative_rest"}
    if age is None or age >= 16:
        assert "child_activity_modification" not in running


@pytest.mark.parametrize("age", [8, 12, 15])
def test_a_child_with_back_of_heel_pain_is_told_to_cut_back_not_to_keep_running(age: int) -> None:
    result = assess(
        {
            "patient": {"age": age, "runner": True},
            "findings": {"pain_location": "posterior_insertion", "bilateral": True},
        }
    )
    running, _ = _running_and_review(result)
    assert running == {"child_activity_modification"}
    catalogue = {c["item"]: c for c in care_plan_catalogue()}
    text = catalogue["child_activity_modification"]["instructions"]
    assert "should not be played through" in text
    assert "up to 5/10" not in text
    assert "should not be run through" in _excluded(result)["education_load_management"]


@pytest.mark.parametrize("age", [0, 2, 5, 7])
def test_a_child_under_8_is_sent_to_be_seen_without_a_running_plan_or_severs(age: int) -> None:
    result = assess({"patient": {"age": age}, "findings": {"pain_location": "plantar_medial"}})
    assert result["disposition"] in ("soon", "urgent", "emergency")
    flags = {f["key"]: f for f in result["red_flags"]}
    assert "Sever's disease, which is harmless" not in flags["paediatric"]["message"]
    assert "examine the child" in flags["paediatric"]["message"]
    items = set(_items(result))
    assert items & RUNNING_ADVICE == {"relative_rest"}
    assert not items & {"calf_stretch", "plantar_fascia_stretch", "high_load_strength"}


def test_a_child_of_8_to_15_still_gets_the_severs_message() -> None:
    result = assess({"patient": {"age": 10}, "findings": {"pain_location": "posteroinferior"}})
    flags = {f["key"]: f for f in result["red_flags"]}
    assert "usually Sever's disease" in flags["paediatric"]["message"]


@pytest.mark.parametrize("patient", [{}, {"age": 12}])
def test_no_adult_painkiller_dose_without_an_adult_age(patient: dict[str, Any]) -> None:
    """The questions stop at the safety step (a fever) before age is asked: no adult dose."""
    result = assess({"patient": patient, "findings": {"fever": True}})
    assert "paracetamol" not in _items(result)
    assert "pharmacist" in _excluded(result)["paracetamol"]


def test_an_adult_gets_paracetamol_marked_adults_only() -> None:
    result = assess({"patient": {"age": 40}, "findings": {"fever": True}})
    item = next(i for i in result["care_plan"] if i["item"] == "paracetamol")
    assert item["dose"].startswith("Adults only")
    assert "for a child, ask a pharmacist" in item["dose"].lower()


def test_stage_1_states_only_the_answers_that_were_given() -> None:
    result = assess({"findings": {**PF, "pain_during_activity": False, "duration_weeks": 8}})
    assert result["stage"]["stage"] == 1
    assert result["stage"]["because"] == [
        "pain_during_activity: no",
        "first_step_pain: yes",
        "post_rest_pain: yes",
    ]
    # First-step pain alone: stage 1, and no claim about pain during activity, never asked.
    result = assess({"findings": {"pain_location": "plantar_medial", "first_step_pain": True}})
    assert result["stage"]["because"] == ["first_step_pain: yes"]
