"""Safety properties over random and adversarial requests (hypothesis)."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heelwise.clinical import InvalidRequest, assess, load_knowledge_base, validate_request
from heelwise.clinical.engine import _posteriors
from heelwise.clinical.knowledge_base import DISPOSITIONS, Finding, KnowledgeBase
from heelwise.clinical.validation import parse_request

KB = load_knowledge_base()
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _values(f: Finding) -> st.SearchStrategy[Any]:
    if f.type == "bool":
        return st.booleans()
    if f.type == "enum":
        return st.sampled_from([v for v, _ in f.options])
    assert f.min is not None and f.max is not None
    edges = st.sampled_from([f.min, f.max, (f.min + f.max) / 2])
    if f.integer:
        return st.one_of(edges.map(int), st.integers(int(f.min), int(f.max)))
    return st.one_of(edges, st.floats(f.min, f.max, allow_nan=False))


_MISSING = object()


@st.composite
def requests(draw: st.DrawFn, kb: KnowledgeBase = KB) -> dict[str, Any]:
    """A valid request: each key missing, null or a valid value (edges included)."""
    patient: dict[str, Any] = {}
    findings: dict[str, Any] = {}
    density = draw(st.sampled_from([0.05, 0.2, 0.5, 0.9]))
    for key, f in kb.findings.items():
        if not draw(st.booleans()) and draw(st.floats(0, 1)) > density:
            continue
        value = draw(st.one_of(st.none(), _values(f)))
        (patient if f.scope == "patient" else findings)[key] = value
    request: dict[str, Any] = {"patient": patient, "findings": findings}
    if draw(st.booleans()):
        request["id"] = draw(st.text(max_size=8))
    return request


def _level(result: dict[str, Any]) -> int:
    return DISPOSITIONS.index(result["disposition"])


def _satisfying(f: Finding, tests: list[Any]) -> Any:
    if f.type == "bool":
        candidates: list[Any] = [True, False]
    elif f.type == "enum":
        candidates = [v for v, _ in f.options]
    else:
        assert f.min is not None and f.max is not None
        candidates = [f.min, f.max, 0, 1, 6, 12, 15, 16, 26, 65, (f.min + f.max) / 2]
        candidates = [c for c in candidates if f.min <= c <= f.max]
    for c in candidates:
        if all(t(c) for t in tests):
            return c
    raise AssertionError(f"no value of {f.key} satisfies the rule")


def minimal_input(kb: KnowledgeBase, rule_index: int) -> dict[str, Any]:
    """The smallest set of answers that fires a rule: its first clause, each finding once."""
    clause = kb.rules[rule_index].clauses[0]
    by_var: dict[str, list[Any]] = {}
    for var, test in clause:
        by_var.setdefault(var, []).append(test)
    return {var: _satisfying(kb.findings[var], tests) for var, tests in by_var.items()}


def _request(values: dict[str, Any]) -> dict[str, Any]:
    patient = {k: v for k, v in values.items() if k in KB.patient_keys}
    findings = {k: v for k, v in values.items() if k in KB.findings_keys}
    return {"patient": patient, "findings": findings}


def _merge(request: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    patient = {k: v for k, v in request["patient"].items() if k not in values}
    findings = {k: v for k, v in request["findings"].items() if k not in values}
    extra = _request(values)
    return {
        "patient": {**patient, **extra["patient"]},
        "findings": {**findings, **extra["findings"]},
    }


RULES = list(range(len(KB.rules)))


@pytest.mark.parametrize("index", RULES, ids=[KB.rules[i].id for i in RULES])
def test_it_fires_every_rule_on_its_minimal_input(index: int) -> None:
    rule = KB.rules[index]
    result = assess(_request(minimal_input(KB, index)))
    assert _level(result) >= rule.level
    fired = {f["key"]: f for f in result["red_flags"]} | {
        e["key"]: e for e in result["escalations"]
    }
    assert rule.key in fired
    assert DISPOSITIONS.index(fired[rule.key]["disposition"]) >= rule.level
    assert fired[rule.key]["because"]


@SETTINGS
@given(requests())
def test_it_never_raises_and_probabilities_sum_to_one(request: dict[str, Any]) -> None:
    assert validate_request(request) == []
    result = assess(request)
    probs = [d["probability"] for d in result["differential"]]
    assert len(probs) == 15
    assert math.isclose(sum(probs), 1.0, abs_tol=1e-3)
    assert all(0.0 <= p <= 1.0 for p in probs)
    assert {d["condition"] for d in result["differential"]} == set(KB.condition_keys)
    assert result["disposition"] in DISPOSITIONS
    for flag in result["red_flags"]:
        assert _level(result) >= DISPOSITIONS.index(flag["disposition"])
    answered = set(request["patient"]) | set(request["findings"])
    answered = {k for k in answered if (request["patient"] | request["findings"])[k] is not None}
    assert not set(result["next_questions"]) & answered


@SETTINGS
@given(requests(), st.sampled_from(RULES))
def test_it_never_lowers_the_disposition_when_a_red_flag_is_added(
    request: dict[str, Any], index: int
) -> None:
    added = minimal_input(KB, index)
    base = _merge(request, {k: None for k in added})
    before = assess(base)
    after = assess(_merge(base, added))
    assert _level(after) >= _level(before)
    assert _level(after) >= KB.rules[index].level


@SETTINGS
@given(requests())
def test_it_is_deterministic(request: dict[str, Any]) -> None:
    assert assess(request) == assess(request)


BOOL_DIAGNOSTIC = sorted(
    k
    for k, f in KB.findings.items()
    if f.type == "bool" and k in KB.variables and any(s for s in KB.variables[k].sources)
)


@pytest.mark.parametrize("key", BOOL_DIAGNOSTIC)
def test_it_treats_unknown_and_false_differently(key: str) -> None:
    unknown = assess(_request({}))
    false = assess(_request({key: False}))
    null = assess(_request({key: None}))
    p_unknown = {d["condition"]: d["probability"] for d in unknown["differential"]}
    p_false = {d["condition"]: d["probability"] for d in false["differential"]}
    p_null = {d["condition"]: d["probability"] for d in null["differential"]}
    assert p_null == p_unknown
    assert p_false != p_unknown


@SETTINGS
@given(requests(), st.sampled_from(BOOL_DIAGNOSTIC))
def test_it_separates_false_from_missing_in_any_context(request: dict[str, Any], key: str) -> None:
    base = _merge(request, {key: None})
    values, _, problems = parse_request(KB, base)
    assert not problems
    unknown, _, _ = _posteriors(KB, values)
    with_false, _, _ = _posteriors(KB, {**values, key: False})
    assert unknown != with_false  # unrounded: "no" always moves some condition


BAD_VALUES = st.one_of(
    st.text(max_size=5),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=1),
    st.integers(-(10**6), 10**6),
    st.booleans(),
)


@SETTINGS
@given(st.sampled_from(sorted(KB.findings)), BAD_VALUES)
def test_it_rejects_invalid_values_naming_the_field(key: str, value: Any) -> None:
    f = KB.findings[key]
    request = {f.scope: {key: value}}
    problems = validate_request(request)
    valid = value is None or _is_valid(f, value)
    if valid:
        assert problems == []
        return
    assert [p["field"] for p in problems] == [f"{f.scope}.{key}"]
    with pytest.raises(InvalidRequest) as info:
        assess(request)
    assert info.value.problems == problems


def _is_valid(f: Finding, value: Any) -> bool:
    if f.type == "bool":
        return isinstance(value, bool)
    if f.type == "enum":
        return isinstance(value, str) and value in {v for v, _ in f.options}
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    assert f.min is not None and f.max is not None
    return f.min <= value <= f.max and (not f.integer or float(value).is_integer())


@pytest.mark.parametrize(
    ("request_", "field", "fragment"),
    [
        ({"findings": {"pain_locaton": "plantar_medial"}}, "findings.pain_locaton", "unknown key"),
        ({"findings": {"age": 40}}, "findings.age", "belongs in patient"),
        ({"patient": {"age": "forty"}}, "patient.age", "number"),
        ({"patient": {"age": 40.5}}, "patient.age", "whole number"),
        ({"patient": {"age": 200}}, "patient.age", "out of range"),
        ({"findings": {"pain_nrs": 11}}, "findings.pain_nrs", "out of range"),
        ({"findings": {"fever": "yes"}}, "findings.fever", "true, false or null"),
        ({"findings": {"fever": 1}}, "findings.fever", "true, false or null"),
        ({"findings": {"onset": "slow"}}, "findings.onset", "not one of"),
        ({"findings": []}, "findings", "must be an object"),
        ({"symptoms": {}}, "symptoms", "unknown key"),
        ({"id": 7}, "id", "string"),
        ([], "$", "JSON object"),
    ],
)
def test_it_documents_each_kind_of_invalid_input(request_: Any, field: str, fragment: str) -> None:
    problems = validate_request(request_)
    assert [p["field"] for p in problems] == [field]
    assert fragment in problems[0]["message"]


def test_it_names_every_bad_field_at_once() -> None:
    problems = validate_request(
        {"patient": {"age": -1, "sex": "other"}, "findings": {"fever": "y", "zzz": 1}}
    )
    assert [p["field"] for p in problems] == [
        "patient.age",
        "patient.sex",
        "findings.fever",
        "findings.zzz",
    ]


@pytest.mark.parametrize(
    "request_",
    [
        {},
        {"patient": None, "findings": None},
        {
            "findings": {
                k: True
                for k, f in KB.findings.items()
                if f.type == "bool" and f.scope == "findings"
            }
        },
        {
            "findings": {
                k: False
                for k, f in KB.findings.items()
                if f.type == "bool" and f.scope == "findings"
            }
        },
        {"patient": {"age": 0}, "findings": {"duration_weeks": 2600, "pain_nrs": 10}},
        {"patient": {"age": 120, "bmi": 80, "weekly_km": 400}, "findings": {"duration_weeks": 0}},
    ],
)
def test_it_handles_adversarial_extremes(request_: dict[str, Any]) -> None:
    result = assess(request_)
    assert math.isclose(sum(d["probability"] for d in result["differential"]), 1.0, abs_tol=1e-3)
