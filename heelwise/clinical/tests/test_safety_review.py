"""The clinical-safety review of session 6 (2026-11-24): each case the reviewer found, in data."""

from __future__ import annotations

from typing import Any

import pytest

from heelwise.clinical import assess

SAFETY_NO = {
    "can_bear_weight": True,
    "fever": False,
    "redness": False,
    "warmth": False,
    "swelling": False,
    "pain_at_night": False,
    "numbness": False,
}
LOADING = {
    "calf_stretch",
    "plantar_fascia_stretch",
    "taping",
    "manual_therapy",
    "high_load_strength",
    "eccentric_heel_drop",
    "education_load_management",
}


def _items(result: dict[str, Any]) -> set[str]:
    return {i["item"] for i in result["care_plan"]}


def _excluded(result: dict[str, Any]) -> dict[str, str]:
    return {e["item"]: e["reason"] for e in result["care_plan_excluded"]}


STRESS_FRACTURE_PLANTAR = {
    "patient": {
        "age": 35,
        "sex": "female",
        "runner": True,
        "weekly_km": 60,
        "recent_load_increase": True,
    },
    "findings": {
        "pain_location": "plantar_medial",
        "first_step_pain": True,
        "onset": "gradual",
        "duration_weeks": 4,
        "squeeze_test_positive": True,
        **SAFETY_NO,
    },
}
STRESS_FRACTURE_POSTERIOR = {
    "patient": {
        "age": 30,
        "sex": "female",
        "runner": True,
        "weekly_km": 60,
        "recent_load_increase": True,
    },
    "findings": {
        "pain_location": "posterior_insertion",
        "tender_achilles_insertion": True,
        "squeeze_test_positive": True,
        "hop_test_pain": True,
        "onset": "gradual",
        "duration_weeks": 3,
        **SAFETY_NO,
    },
}


@pytest.mark.parametrize("request_", [STRESS_FRACTURE_PLANTAR, STRESS_FRACTURE_POSTERIOR])
def test_a_positive_squeeze_or_hop_test_is_not_self_care_and_stops_running(
    request_: dict[str, Any],
) -> None:
    result = assess(request_)
    assert result["disposition"] == "soon"
    escalation = {e["key"]: e for e in result["escalations"]}["bone_stress_test_positive"]
    assert "scan may be needed" in escalation["message"]
    assert "Stop running" in escalation["message"]
    items = _items(result)
    assert "relative_rest" in items
    assert not items & LOADING


@pytest.mark.parametrize("test", ["squeeze_test_positive", "hop_test_pain"])
def test_either_test_alone_is_enough_without_a_load_increase(test: str) -> None:
    result = assess(
        {
            "patient": {"age": 40, "runner": True},
            "findings": {"pain_location": "plantar_medial", "first_step_pain": True, test: True},
        }
    )
    assert result["disposition"] != "self_care"
    assert not _items(result) & LOADING


def test_the_walking_boot_card_is_only_beside_advice_to_see_a_clinician() -> None:
    # A self-care result in which a stress fracture is possible (31%) but not tested for
    self_care = assess(
        {
            "patient": {"age": 30, "runner": True, "recent_load_increase": True},
            "findings": {
                "pain_location": "plantar_unspecified",
                "pain_during_activity": True,
                "first_step_pain": True,
                "duration_weeks": 3,
                "warm_up_improves": False,
                "swelling": False,
            },
        }
    )
    assert self_care["disposition"] == "self_care"
    assert "walking_boot" not in _items(self_care)
    assert "walking_boot" in _items(assess(STRESS_FRACTURE_PLANTAR))


def test_weight_loss_is_not_advised_in_pregnancy() -> None:
    base = {"pain_location": "plantar_medial", "first_step_pain": True}
    not_pregnant = assess({"patient": {"age": 30, "sex": "female", "bmi": 32}, "findings": base})
    assert "weight_management" in _items(not_pregnant)
    pregnant = assess(
        {
            "patient": {"age": 30, "sex": "female", "bmi": 32},
            "findings": {**base, "pregnant": True},
        }
    )
    assert "weight_management" not in _items(pregnant)
    assert "Pregnancy" in _excluded(pregnant)["weight_management"]


GEL_SCREEN = {"nsaid_allergy": False, "asthma_nsaid_sensitive": False, "pregnant": False}


@pytest.mark.parametrize("patient", [{}, {"age": 12}, {"age": 15, "sex": "male"}])
def test_no_ibuprofen_gel_for_a_child_or_an_unknown_age(patient: dict[str, Any]) -> None:
    result = assess(
        {
            "patient": patient,
            "findings": {"pain_location": "posterior_midportion", **GEL_SCREEN},
        }
    )
    assert "nsaid_topical" not in _items(result)
    assert "nsaid_topical" in _excluded(result)


def test_an_adult_with_a_clear_screen_gets_the_gel_marked_adults_only() -> None:
    result = assess(
        {
            "patient": {"age": 40, "sex": "female"},
            "findings": {"pain_location": "posterior_midportion", **GEL_SCREEN},
        }
    )
    gel = next(i for i in result["care_plan"] if i["item"] == "nsaid_topical")
    assert gel["dose"].startswith("Adults only")


CHILD_ONLY = {"high_load_strength", "night_splint", "taping", "manual_therapy"}


@pytest.mark.parametrize("age", [8, 12, 15])
def test_a_child_gets_no_adult_loading_taping_manual_therapy_or_splint(age: int) -> None:
    result = assess(
        {
            "patient": {"age": age},
            "findings": {
                "pain_location": "plantar_medial",
                "first_step_pain": True,
                "post_rest_pain": True,
                "duration_weeks": 10,
            },
        }
    )
    assert not _items(result) & CHILD_ONLY
    excluded = _excluded(result)
    for key in CHILD_ONLY:
        assert "a clinician should decide this" in excluded[key], key


def test_an_adult_with_the_same_answers_still_gets_them() -> None:
    result = assess(
        {
            "patient": {"age": 30},
            "findings": {
                "pain_location": "plantar_medial",
                "first_step_pain": True,
                "post_rest_pain": True,
                "duration_weeks": 10,
            },
        }
    )
    assert _items(result) >= CHILD_ONLY


@pytest.mark.parametrize(
    "finding", ["previous_bone_stress_injury", "menstrual_irregularity", "low_energy_availability"]
)
def test_energy_deficiency_removes_heavy_heel_raises(finding: str) -> None:
    result = assess(
        {
            "patient": {"age": 30, "sex": "female"},
            "findings": {
                "pain_location": "plantar_medial",
                "first_step_pain": True,
                finding: True,
            },
        }
    )
    assert "high_load_strength" not in _items(result)
    flag = {f["key"]: f for f in result["red_flags"]}["energy_deficiency"]
    # The same words as the stop-running card, not "stop running if hopping hurts"
    assert "do not run or jump until you have been examined" in flag["message"]
    assert "if hopping hurts" not in flag["message"]


def test_an_empty_request_gets_no_running_plan_heavy_loading_or_stage() -> None:
    result = assess({})
    items = _items(result)
    assert "education_load_management" not in items
    assert "high_load_strength" not in items
    assert "relative_rest" in items
    assert result["stage"] is None


def test_persistent_pain_of_6_out_of_10_after_failed_treatment_is_not_mild() -> None:
    result = assess(
        {
            "patient": {"age": 45},
            "findings": {
                "pain_location": "plantar_medial",
                "first_step_pain": True,
                "pain_nrs": 6,
                "duration_weeks": 26,
                "failed_conservative_care": True,
            },
        }
    )
    assert result["stage"]["stage"] == 3


def test_an_acute_injury_gets_no_energy_deficiency_card() -> None:
    result = assess(
        {
            "patient": {"age": 30, "runner": True},
            "findings": {
                "pain_location": "lateral_heel",
                "onset": "trauma",
                "squeeze_test_positive": True,
                "swelling": True,
            },
        }
    )
    assert "energy_availability_review" not in _items(result)


@pytest.mark.parametrize(
    "finding", ["pain_at_night", "cancer_history", "weight_loss", "bony_lump_or_mass"]
)
def test_bone_warning_signs_give_one_timeframe_48_hours(finding: str) -> None:
    result = assess({"patient": {"age": 50}, "findings": {finding: True}})
    assert result["disposition"] == "urgent"
    (flag,) = [f for f in result["red_flags"] if finding in f["because"]]
    assert "within 48 hours" in flag["message"]
    assert "a day or two" not in flag["message"]


def test_swelling_alone_gives_one_timeframe() -> None:
    result = assess({"patient": {"age": 40}, "findings": {"swelling": True}})
    assert result["disposition"] == "urgent"
    for flag in result["red_flags"]:
        assert "a day or two" not in flag["message"]
        assert "today" in flag["message"]


@pytest.mark.parametrize("age", [9, 11, 15])
def test_a_child_with_back_of_heel_pain_gets_no_tendon_loading_through_pain(age: int) -> None:
    """Final smoke test: an 11-year-old was told pain "should not be played through" and, in the
    same plan, that heel drops with pain up to 5/10 are acceptable."""
    result = assess(
        {
            "patient": {"age": age, "sex": "male", "runner": True},
            "findings": {"pain_location": "posterior_insertion", "can_bear_weight": True},
        }
    )
    assert "eccentric_heel_drop" not in _items(result)
    assert "a clinician should decide this" in _excluded(result)["eccentric_heel_drop"]
    plan_text = str(result["care_plan"])
    assert "up to 5/10" not in plan_text
