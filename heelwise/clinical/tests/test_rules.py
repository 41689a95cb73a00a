"""The three-valued condition language used by red flags, staging and the care plan."""

from __future__ import annotations

from typing import Any

import pytest

from heelwise.clinical.rules import (
    Context,
    RuleSyntaxError,
    VariableInfo,
    Vocabulary,
    compile_expr,
    to_dnf,
)

VOCAB = Vocabulary(
    {
        "a": VariableInfo("bool"),
        "b": VariableInfo("bool"),
        "c": VariableInfo("bool"),
        "n": VariableInfo("number"),
        "e": VariableInfo("enum", frozenset({"x", "y"})),
    },
    frozenset({"cond"}),
    frozenset({"flag"}),
    ("self_care", "soon", "urgent", "emergency"),
)


def _eval(spec: Any, **values: Any) -> bool | None:
    return compile_expr(spec, VOCAB).evaluate(Context(values))[0]


@pytest.mark.parametrize(
    ("spec", "values", "expected"),
    [
        ("a", {}, None),
        ("a", {"a": True}, True),
        ("a", {"a": False}, False),
        ({"all": ["a", "b"]}, {"a": True}, None),
        ({"all": ["a", "b"]}, {"a": False}, False),
        ({"all": ["a", "b"]}, {"a": True, "b": True}, True),
        ({"any": ["a", "b"]}, {"a": False}, None),
        ({"any": ["a", "b"]}, {"b": True}, True),
        ({"any": ["a", "b"]}, {"a": False, "b": False}, False),
        ({"not": "a"}, {}, None),
        ({"not": "a"}, {"a": False}, True),
        ({"at_least": 2, "of": ["a", "b", "c"]}, {"a": True}, None),
        ({"at_least": 2, "of": ["a", "b", "c"]}, {"a": True, "c": True}, True),
        ({"at_least": 2, "of": ["a", "b", "c"]}, {"a": True, "b": False, "c": False}, False),
        ({"var": "n", "lt": 16}, {"n": 15}, True),
        ({"var": "n", "lt": 16}, {"n": 16}, False),
        ({"var": "e", "in": ["x"]}, {"e": "y"}, False),
    ],
)
def test_it_evaluates_with_unknowns(
    spec: Any, values: dict[str, Any], expected: bool | None
) -> None:
    assert _eval(spec, **values) is expected


def test_it_reports_which_findings_decided() -> None:
    expr = compile_expr({"at_least": 2, "of": ["a", "b", "c"]}, VOCAB)
    assert expr.evaluate(Context({"a": True, "b": True}))[1] == ("a", "b")
    assert expr.variables == frozenset({"a", "b", "c"})


def test_it_uses_engine_state() -> None:
    ctx = Context({}, probabilities={"cond": 0.3}, red_flags=frozenset({"flag"}), disposition=2)
    assert compile_expr({"suspected": "cond"}, VOCAB).evaluate(ctx)[0] is True
    assert compile_expr({"red_flag": "flag"}, VOCAB).evaluate(ctx)[0] is True
    assert compile_expr({"disposition_at_least": "emergency"}, VOCAB).evaluate(ctx)[0] is False


@pytest.mark.parametrize(
    ("values", "answered", "reasons"),
    [
        ({}, False, ()),
        ({"n": None}, False, ()),
        ({"n": 0}, True, ("n",)),
        ({"a": False}, False, ()),
    ],
)
def test_answered_is_never_unknown_and_names_only_an_answer(
    values: dict[str, Any], answered: bool, reasons: tuple[str, ...]
) -> None:
    for spec, expected in (
        ({"answered": "n"}, answered),
        ({"not": {"answered": "n"}}, not answered),
    ):
        value, why = compile_expr(spec, VOCAB).evaluate(Context(values))
        assert value is expected
        assert set(why) <= set(values) - {k for k, v in values.items() if v is None}
    assert compile_expr({"answered": "n"}, VOCAB).evaluate(Context(values))[1] == reasons


@pytest.mark.parametrize(
    "spec",
    [
        {"answered": "zzz"},
        {"var": "zzz", "eq": True},
        {"var": "a", "eq": 3},
        {"var": "e", "eq": "z"},
        {"var": "a", "lt": 1},
        {"all": []},
        {"at_least": 4, "of": ["a", "b"]},
        {"suspected": "nope"},
        {"frobnicate": 1},
        42,
    ],
)
def test_it_rejects_malformed_conditions(spec: Any) -> None:
    with pytest.raises(RuleSyntaxError):
        compile_expr(spec, VOCAB)


def test_it_rewrites_monotone_conditions_as_clauses() -> None:
    clauses = to_dnf({"all": ["a", {"at_least": 2, "of": ["a", "b", "c"]}]})
    assert len(clauses) == 3
    assert all(var in {"a", "b", "c"} for clause in clauses for var, _ in clause)
