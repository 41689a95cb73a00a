"""Safety rules added after the first locked run (clinical reference section 2)."""

from __future__ import annotations

from typing import Any

import pytest

from heelwise.clinical import assess


def _run(patient: dict[str, Any], findings: dict[str, Any]) -> dict[str, Any]:
    return assess({"patient": patient, "findings": findings})


def test_self_care_needs_a_reported_typical_plantar_fasciitis_feature() -> None:
    sparse = _run({"age": 40, "runner": True}, {"pain_location": "plantar_medial"})
    assert sparse["disposition"] == "soon"
    assert "atypical_pattern" in sparse["disposition_because"]["conditions"]
    typical = _run(
        {"age": 40, "runner": True},
        {"pain_location": "plantar_medial", "first_step_pain": True, "onset": "gradual"},
    )
    assert typical["disposition"] == "self_care"


@pytest.mark.parametrize(
    ("findings", "key", "level"),
    [
        ({"onset": "trauma", "skin_wound_or_discharge": True}, "trauma_onset", "emergency"),
        (
            {"onset": "trauma", "numbness": True, "can_bear_weight": False},
            "trauma_onset",
            "emergency",
        ),
        ({"onset": "sudden", "swelling": True}, "sudden_pop_or_acute_tear", "urgent"),
        # R36 "difficulty bearing weight": pain that stops everyday walking (locked-set-4 V307)
        (
            {"onset": "sudden", "limits_daily_activities": True},
            "sudden_pop_or_acute_tear",
            "urgent",
        ),
        ({"diabetes": True, "swelling": True}, "diabetes_foot_complication", "urgent"),
        (
            {"back_pain_radiating_leg": True, "bilateral": True, "burning_or_tingling": True},
            "cauda_equina_symptoms",
            "emergency",
        ),
        ({"both_legs_numb_or_weak": True}, "cauda_equina_symptoms", "emergency"),
        (
            {"onset": "sudden", "pain_location": "posterior_midportion"},
            "sudden_pop_or_acute_tear",
            "urgent",
        ),
    ],
)
def test_section_2_rules_fire(findings: dict[str, Any], key: str, level: str) -> None:
    result = _run({"age": 45}, findings)
    flags = {f["key"]: f["disposition"] for f in result["red_flags"]}
    assert flags.get(key) == level
    order = ["self_care", "soon", "urgent", "emergency"]
    assert order.index(result["disposition"]) >= order.index(level)


def test_progressive_weakness_points_to_the_neural_conditions() -> None:
    result = _run({"age": 45}, {"progressive_weakness": True})
    moved = {
        c["condition"]
        for c in result["differential"]
        if any(w["finding"] == "progressive_weakness" and w["weight"] > 0 for w in c["why"])
    }
    assert moved == {"s1_radiculopathy", "tarsal_tunnel", "baxter_nerve"}


@pytest.mark.parametrize("finding", ["redness", "warmth", "swelling"])
def test_any_one_of_hot_red_swollen_is_urgent(finding: str) -> None:
    result = _run({"age": 40}, {finding: True})
    assert result["disposition"] in ("urgent", "emergency")
    assert "hot_swollen_red" in {f["key"] for f in result["red_flags"]}


def test_sever_is_not_assumed_below_the_age_the_apophysis_appears() -> None:
    def sever(age: int) -> float:
        result = _run({"age": age}, {"pain_location": "posteroinferior"})
        assert result["disposition"] in ("soon", "urgent", "emergency")
        return next(
            c["probability"]
            for c in result["differential"]
            if c["condition"] == "sever_apophysitis"
        )

    assert sever(5) < sever(11) - 0.2
    assert sever(11) > 0.75  # at 11 the posteroinferior heel is Sever's until shown otherwise


def test_sudden_pain_under_the_heel_alone_is_not_a_suspected_tear() -> None:
    # The Achilles clause is about the back of the heel; sudden plantar pain needs a pop,
    # bruising, swelling or inability to bear weight before it is treated as a tear.
    result = _run({"age": 45}, {"onset": "sudden", "pain_location": "plantar_medial"})
    assert "sudden_pop_or_acute_tear" not in {f["key"] for f in result["red_flags"]}


def test_where_it_hurts_still_shapes_the_advice_though_it_feeds_the_acute_tear_rule() -> None:
    # pain_location is used by the (urgent) suspected-tear rule. Only answers feeding rules less
    # urgent than the most urgent condition advice are kept out of the advice, so an Achilles
    # pattern is "soon" (a clinician should look), not plantar-fasciitis self-care.
    achilles = _run(
        {"age": 44, "runner": True},
        {
            "pain_location": "posterior_midportion",
            "onset": "gradual",
            "first_step_pain": True,
            "warm_up_improves": True,
        },
    )
    assert achilles["differential"][0]["condition"] == "achilles_midportion"
    assert achilles["disposition"] == "soon"
    assert "achilles_midportion" in achilles["disposition_because"]["conditions"]
