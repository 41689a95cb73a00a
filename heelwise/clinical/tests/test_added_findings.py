"""The keys added on 2026-11-24 (third session), and entries added to existing keys later: what each
one changes, and what it must not."""

from __future__ import annotations

from typing import Any

from heelwise.clinical import assess

TYPICAL_PF = {"pain_location": "plantar_medial", "first_step_pain": True, "onset": "gradual"}


def _run(findings: dict[str, Any], age: int = 45) -> dict[str, Any]:
    return assess({"patient": {"age": age, "runner": True}, "findings": findings})


def _p(result: dict[str, Any], condition: str) -> float:
    return next(d["probability"] for d in result["differential"] if d["condition"] == condition)


def test_pain_that_failed_six_weeks_of_care_is_no_longer_self_care() -> None:
    assert _run(TYPICAL_PF)["disposition"] == "self_care"
    failed = _run({**TYPICAL_PF, "failed_conservative_care": True})
    assert failed["disposition"] == "soon"
    assert "not_improving_with_treatment" in failed["disposition_because"]["red_flags"]


def test_failed_care_shifts_weight_from_plantar_fasciitis_to_the_causes_it_hides() -> None:
    base = _run(TYPICAL_PF)
    failed = _run({**TYPICAL_PF, "failed_conservative_care": True})
    improved = _run({**TYPICAL_PF, "failed_conservative_care": False})
    assert (
        _p(failed, "plantar_fasciitis")
        < _p(base, "plantar_fasciitis")
        < _p(improved, "plantar_fasciitis")
    )
    for hidden in ("tumour", "baxter_nerve", "spondyloarthritis"):
        assert _p(failed, hidden) > _p(base, hidden)


def test_inflammatory_bowel_disease_raises_spondyloarthritis() -> None:
    base = _run(TYPICAL_PF)
    ibd = _run({**TYPICAL_PF, "inflammatory_bowel_disease": True})
    assert _p(ibd, "spondyloarthritis") > 3 * _p(base, "spondyloarthritis")


def test_osteoporosis_raises_the_stress_fracture() -> None:
    base = _run({"pain_location": "diffuse"}, age=70)
    thin = _run({"pain_location": "diffuse", "osteoporosis": True}, age=70)
    assert _p(thin, "calcaneal_stress_fracture") > _p(base, "calcaneal_stress_fracture")


def test_baxters_point_separates_baxter_from_plantar_fasciitis() -> None:
    burning_heel = {"pain_location": "plantar_medial", "burning_or_tingling": True}
    base = _run(burning_heel)
    tender = _run({**burning_heel, "tender_baxter_point": True})
    ratio = _p(tender, "baxter_nerve") / _p(tender, "plantar_fasciitis")
    assert ratio > 3 * _p(base, "baxter_nerve") / _p(base, "plantar_fasciitis")


def test_the_treatment_question_is_not_asked_about_pain_of_a_few_weeks() -> None:
    from heelwise.clinical import next_questions

    for weeks in range(0, 6):
        request = {"patient": {"age": 45}, "findings": {"duration_weeks": weeks}}
        assert "failed_conservative_care" not in next_questions(request)


def test_sudden_onset_is_not_the_self_care_pattern() -> None:
    sudden = _run({**TYPICAL_PF, "onset": "sudden"})
    assert sudden["disposition"] == "soon"
    assert "sudden_onset" in sudden["disposition_because"]["red_flags"]


def test_inflammatory_bowel_disease_is_an_inflammatory_feature() -> None:
    result = _run({**TYPICAL_PF, "inflammatory_bowel_disease": True})
    assert result["disposition"] == "soon"
    assert "inflammatory_features" in result["disposition_because"]["red_flags"]


HOT_POSTERIOR_HEEL = {"pain_location": "posterior_insertion", "swelling": True, "warmth": True}


def test_both_heels_count_against_gout_and_other_joints_for_it() -> None:
    # Gout flares are usually in one joint (source H8): a second painful heel makes gout less
    # likely, other painful joints make it more likely, though less than spondyloarthritis.
    base = _run(HOT_POSTERIOR_HEEL)
    both = _run({**HOT_POSTERIOR_HEEL, "bilateral": True})
    joints = _run({**HOT_POSTERIOR_HEEL, "other_joints_affected": True})
    assert _p(both, "gout") < _p(base, "gout")
    assert _p(joints, "gout") > _p(base, "gout")
    assert _p(joints, "spondyloarthritis") / _p(base, "spondyloarthritis") > _p(
        joints, "gout"
    ) / _p(base, "gout")
