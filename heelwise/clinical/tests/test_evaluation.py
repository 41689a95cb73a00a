"""The Gilbert et al. 2020 "safe triage" definition and the vignette metrics."""

from __future__ import annotations

import pytest

from heelwise.clinical.evaluation import VignetteError, evaluate_vignettes, is_safe


@pytest.mark.parametrize(
    ("predicted", "gold", "safe"),
    [
        ("urgent", "urgent", True),
        ("emergency", "soon", True),
        ("soon", "urgent", True),
        ("self_care", "urgent", False),
        ("urgent", "emergency", False),
        ("self_care", "soon", True),
        ("emergency", "emergency", True),
    ],
)
def test_it_applies_the_safe_triage_definition(predicted: str, gold: str, safe: bool) -> None:
    assert is_safe(predicted, gold) is safe


def test_it_scores_a_small_set() -> None:
    vignettes = [
        {
            "id": "A",
            "request": {"findings": {"pain_location": "plantar_medial", "first_step_pain": True}},
            "gold": {"condition": "plantar_fasciitis", "disposition": "self_care", "red_flags": []},
        },
        {
            "id": "B",
            "request": {"findings": {"pop_felt": True, "onset": "sudden"}},
            "gold": {
                "condition": "plantar_fascia_rupture",
                "disposition": "urgent",
                "red_flags": ["sudden_pop_or_acute_tear"],
            },
        },
        {
            "id": "C",
            "request": {"findings": {"not_a_key": True}},
            "gold": {"condition": "gout", "disposition": "soon", "red_flags": []},
        },
    ]
    summary = evaluate_vignettes(vignettes).summary()
    assert summary["cases"] == 3 and summary["errors"] == 1
    assert summary["top1"] == pytest.approx(2 / 3)
    assert summary["red_flag_recall"] == pytest.approx(1.0)
    assert [u["id"] for u in summary["under_triage"]] == ["C"]
    assert {r["condition"] for r in summary["per_condition"]} == {
        "plantar_fasciitis",
        "plantar_fascia_rupture",
        "gout",
    }


def test_it_rejects_a_file_that_is_not_a_list() -> None:
    with pytest.raises(VignetteError):
        evaluate_vignettes({"id": "x"})


def test_wilson_interval_matches_a_worked_example_and_stays_in_range() -> None:
    from heelwise.clinical.evaluation import wilson_interval

    low, high = wilson_interval(17, 21) or (0.0, 0.0)
    # 17/21 = 81.0%; Wilson 95% interval 60.0-92.3% (Newcombe 1998 method 3)
    assert low == pytest.approx(0.600, abs=0.002)
    assert high == pytest.approx(0.923, abs=0.002)
    assert wilson_interval(0, 5) is not None and wilson_interval(0, 5)[0] == 0.0  # type: ignore[index]
    assert wilson_interval(5, 5)[1] == pytest.approx(1.0)  # type: ignore[index]
    assert wilson_interval(0, 0) is None
