from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from heelwise.assessment.presentation import (
    PHASES,
    PlanItem,
    percent_text,
    phases,
    plain_because,
    plain_grade,
)


@given(st.floats(min_value=0, max_value=1))
def test_a_probability_is_never_shown_as_a_certainty(p: float) -> None:
    text = percent_text(p)
    assert "100" not in text
    assert text.startswith(("about", "over", "under"))


def test_engine_reasons_are_shown_as_the_question_and_answer() -> None:
    assert plain_because("pain_during_activity: yes") == (
        "Does the pain come on or get worse while you run, walk or stand? Yes"
    )
    assert plain_because("pain_nrs: 8") == (
        "On a scale of 0 (no pain) to 10 (worst imaginable), how bad is the pain at its worst? 8/10"
    )
    assert plain_because("no pain during activity reported") == "no pain during activity reported"


def test_internal_evidence_markers_are_not_shown_to_patients() -> None:
    assert plain_grade("A [M]") == "A"
    assert plain_grade("recommended, grade unverified [M]") == "recommended, grade unverified"


def _item(key: str, first: int, last: int) -> PlanItem:
    return PlanItem(
        key, key, "Do it.", "Daily.", first, last, "A", "Trials.", False, "R2", "", "", None, None
    )


def test_items_start_in_one_phase_and_continue_in_the_next() -> None:
    plan = [_item("calf_stretch", 1, 12), _item("night_splint", 2, 12), _item("eswt", 26, 52)]
    out = phases(plan)
    assert [p.label for p in out] == [label for _, _, label in PHASES]
    assert [i.key for i in out[0].starting] == ["calf_stretch", "night_splint"]
    assert [i.key for i in out[1].continuing] == ["calf_stretch", "night_splint"]
    assert [i.key for i in out[3].starting] == ["eswt"]
