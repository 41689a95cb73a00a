"""Table-driven golden cases: request -> disposition, red flags, leading condition, stage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from heelwise.clinical import assess

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "fixtures" / "golden.json").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_it_matches_the_golden_case(case: dict[str, Any]) -> None:
    result = assess(case["request"])
    expect = case["expect"]
    flags = [f["key"] for f in result["red_flags"]]
    if "disposition" in expect:
        assert result["disposition"] == expect["disposition"]
    if "top" in expect:
        assert result["differential"][0]["condition"] == expect["top"]
    if "top3" in expect:
        assert expect["top3"] in [d["condition"] for d in result["differential"][:3]]
    if "red_flags" in expect:
        assert sorted(flags) == sorted(expect["red_flags"])
    for key in expect.get("red_flags_include", []):
        assert key in flags
    if "stage" in expect:
        stage = result["stage"]
        assert (stage["stage"] if stage else None) == expect["stage"]


def test_it_returns_the_contract_shape() -> None:
    result = assess({"id": "abc", "findings": {"pain_location": "plantar_medial"}})
    assert result["id"] == "abc"
    assert set(result) >= {
        "id",
        "disposition",
        "red_flags",
        "differential",
        "stage",
        "next_questions",
        "care_plan",
        "knowledge_base",
    }
    assert len(result["differential"]) == 15
    first = result["differential"][0]
    assert set(first) >= {"condition", "name", "icd10", "probability", "why"}
    assert first["why"][0] == {
        "finding": "pain_location",
        "value": "plantar_medial",
        "direction": "for",
        "weight": first["why"][0]["weight"],
        "source": first["why"][0]["source"],
    }
    item = result["care_plan"][0]
    assert set(item["evidence"]) >= {"grade", "source", "verified"}


def test_it_orders_the_differential_most_probable_first() -> None:
    probs = [d["probability"] for d in assess({})["differential"]]
    assert probs == sorted(probs, reverse=True)


def test_it_lists_the_findings_that_moved_each_condition_with_sources(kb: Any) -> None:
    result = assess({"findings": {"windlass_positive": True, "numbness": False}})
    pf = next(d for d in result["differential"] if d["condition"] == "plantar_fasciitis")
    by_finding = {w["finding"]: w for w in pf["why"]}
    assert by_finding["windlass_positive"]["direction"] == "for"
    assert by_finding["windlass_positive"]["source"] == "R20"
    assert by_finding["numbness"]["value"] is False
    assert all(w["source"] in kb.sources for d in result["differential"] for w in d["why"])


def test_it_gives_no_stage_when_plantar_fasciitis_does_not_lead() -> None:
    result = assess({"findings": {"pain_location": "posterior_midportion"}})
    assert result["differential"][0]["condition"] != "plantar_fasciitis"
    assert result["stage"] is None


def test_it_is_deterministic() -> None:
    request = {
        "patient": {"age": 30},
        "findings": {"pain_location": "lateral_heel", "numbness": True},
    }
    assert assess(request) == assess(request)


def test_it_suggests_unanswered_questions_only() -> None:
    request = {"findings": {"pain_location": "plantar_medial", "first_step_pain": True}}
    questions = assess(request)["next_questions"]
    assert questions
    assert "pain_location" not in questions and "first_step_pain" not in questions


def test_it_does_not_ask_about_a_pop_after_a_gradual_onset() -> None:
    from heelwise.clinical import next_questions

    asked = next_questions({"findings": {"onset": "gradual"}})
    assert "pop_felt" not in asked
    assert "onset" not in asked
