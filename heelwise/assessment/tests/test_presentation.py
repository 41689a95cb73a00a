from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from hypothesis import given
from hypothesis import strategies as st

from heelwise.assessment import engine
from heelwise.assessment.presentation import (
    MEASURED_TOP1,
    PHASES,
    PlanItem,
    likelihood_words,
    phases,
    plain_because,
    plain_grade,
    result_view,
    without_reported_signs,
)

CHILD_PF = {
    "age": 12,
    "sex": "male",
    "runner": True,
    "pain_location": "plantar_medial",
    "first_step_pain": True,
    "post_rest_pain": True,
    "pain_after_activity": True,
    "pain_during_activity": False,
    "duration_weeks": 6,
    "onset": "gradual",
}
NERVE = {"pain_location": "medial_ankle", "numbness": True, "burning_or_tingling": True}
HOT_RED_FEVER = {
    "pain_location": "plantar_medial",
    "fever": True,
    "redness": True,
    "warmth": True,
    "swelling": True,
}


@given(st.floats(min_value=0, max_value=1))
def test_a_probability_is_shown_in_words_never_as_a_number(p: float) -> None:
    text = likelihood_words(p)
    assert not any(ch.isdigit() for ch in text) and "%" not in text


def test_a_leading_cause_is_shown_with_the_measured_accuracy_not_its_posterior() -> None:
    result = engine.assess({**CHILD_PF, "age": 42})
    assert result["differential"][0]["probability"] > 0.95  # the API keeps the probability
    view = result_view(result, {**CHILD_PF, "age": 42})
    html = render_to_string("assessment/_causes.html", {"view": view})
    assert "95%" not in html and "%" not in html
    assert f"the first suggestion was the published cause {MEASURED_TOP1}" in html
    start = (Path(settings.BASE_DIR) / "templates/assessment/start.html").read_text()
    assert f"its first suggestion was the published cause {MEASURED_TOP1}" in start


def test_a_child_is_told_why_severs_disease_is_not_listed() -> None:
    result = engine.assess(CHILD_PF)
    view = result_view(result, CHILD_PF)
    assert "sever_apophysitis" not in [c.key for c in view.causes]
    assert view.child_note.startswith("Sever's disease")
    html = render_to_string("assessment/_causes.html", {"view": view})
    assert "Sever" in html
    adult = result_view(engine.assess({**CHILD_PF, "age": 30}), {**CHILD_PF, "age": 30})
    assert adult.child_note == ""


def test_the_stage_sentence_quotes_only_answers_that_were_given() -> None:
    answers = {**CHILD_PF, "age": 40}
    view = result_view(engine.assess(answers), answers)
    html = render_to_string("assessment/_causes.html", {"view": view})
    assert "Based on your answers: " in html
    assert "no severe pain or limits on daily life reported" not in html
    # Without the pain questions answered, no stage is claimed at all.
    bare = {"age": 40, "pain_location": "plantar_medial"}
    html = render_to_string(
        "assessment/_causes.html", {"view": result_view(engine.assess(bare), bare)}
    )
    assert "Stage 1 of 3" not in html


def test_warning_signs_already_reported_are_not_listed_as_future_triggers() -> None:
    text = "Get help sooner if any warning sign appears: fever, numbness or night pain."
    assert without_reported_signs(text, {"numbness": True}) == (
        "Get help sooner if any other warning sign appears: fever or night pain."
    )
    assert without_reported_signs(text, {"numbness": False}) == text
    assert without_reported_signs(
        text, {"fever": True, "numbness": True, "pain_at_night": True}
    ) == ("Get help sooner if it gets worse or any new symptom appears.")


def test_a_nerve_result_does_not_contradict_its_own_timing() -> None:
    result = engine.assess(NERVE)
    assert result["disposition"] == "soon"
    view = result_view(result, NERVE)
    review = next(p for p in view.plan if p.title == "When to get help")
    assert "numbness" not in review.instructions
    assert "within 1 to 2 weeks" in review.instructions
    assert "6 weeks" not in review.instructions
    assert not view.has_schedule


def test_a_same_day_result_has_no_six_week_review_and_no_exercise_schedule() -> None:
    result = engine.assess(HOT_RED_FEVER)
    assert result["disposition"] == "urgent"
    view = result_view(result, HOT_RED_FEVER)
    text = " ".join(p.instructions for p in view.plan)
    assert "6 weeks" not in text and "When to get help" not in [p.title for p in view.plan]
    assert not view.self_care_first and not view.has_schedule
    html = render_to_string("assessment/_plan.html", {"view": view})
    assert "Until a clinician has seen you" in html


def test_engine_reasons_are_shown_as_the_question_and_answer() -> None:
    assert plain_because("pain_during_activity: yes") == (
        "Does the pain come on or get worse while you run, walk or stand? Yes"
    )
    assert plain_because("pain_nrs: 8") == (
        "On a scale of 0 (no pain) to 10 (worst imaginable), how bad is the pain at its worst? 8/10"
    )
    assert plain_because("no pain during activity reported") == "no pain during activity reported"


def test_a_grade_from_memory_says_so_and_other_markers_are_dropped() -> None:
    # A grade recalled from memory says so on the page, as on the command line ("[M]")
    assert plain_grade("A [M]") == "A (from memory, unverified)"
    assert plain_grade("recommended, grade unverified [M]") == (
        "recommended, grade unverified (from memory)"
    )
    assert plain_grade("A") == "A"


def _item(key: str, first: int, last: int) -> PlanItem:
    return PlanItem(
        key, key, "Do it.", "Daily.", first, last, "A", "Trials.", False, "R2", "", "", None, None
    )


def test_items_start_in_one_phase_and_continue_in_the_next() -> None:
    plan = [_item("calf_stretch", 1, 12), _item("night_splint", 2, 12), _item("eswt", 26, 52)]
    out = phases(plan)
    assert [p.label for p in out] == [label for _, _, label in PHASES]
    assert [i.key for i in out[0].starting] == ["calf_stretch", "night_splint"]
    assert [c.item.key for c in out[1].continuing] == ["calf_stretch", "night_splint"]
    assert [i.key for i in out[3].starting] == ["eswt"]


def test_an_item_that_ends_inside_a_phase_says_when_it_ends() -> None:
    out = phases([_item("taping", 1, 3), _item("ice", 1, 6)])
    weeks_3_to_6 = next(p for p in out if p.label == "Weeks 3 to 6")
    assert [(c.item.key, c.until_week) for c in weeks_3_to_6.continuing] == [
        ("taping", 3),
        ("ice", None),
    ]
