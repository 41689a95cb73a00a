"""Conditions as data: a tiny three-valued evaluator for red flags, staging and care-plan rules.

Syntax (YAML or JSON)::

    "fever"                               shorthand for {var: fever, eq: true}
    {var: KEY, eq|ne|lt|le|gt|ge: VALUE}  compare a patient or findings value
    {var: KEY, in: [V1, V2]}              membership
    {all: [...]} {any: [...]} {not: X} {at_least: N, of: [...]}
    {suspected: CONDITION} {leading: CONDITION} {red_flag: KEY} {disposition_at_least: LEVEL}
    {answered: KEY}                       whether KEY was answered (never unknown)

Unknown (missing or null) values are neither true nor false: a comparison on an unknown value is
unknown, ``all`` is unknown unless some part is false, ``any`` is unknown unless some part is
true, and ``not`` of unknown is unknown. A rule "fires" only when its condition is ``True``.
Every evaluation returns the keys that decided it, which become the ``because`` of a red flag.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

Tri = bool | None
Outcome = tuple[Tri, tuple[str, ...]]


@dataclass(slots=True)
class Context:
    """What a condition can look at: the request's values, and engine state for care-plan rules."""

    values: Mapping[str, Any]
    probabilities: Mapping[str, float] = field(default_factory=dict)
    leading: str | None = None
    red_flags: frozenset[str] = frozenset()
    disposition: int = 0
    suspected_threshold: float = 0.1


Evaluator = Callable[[Context], Outcome]


@dataclass(frozen=True, slots=True)
class Expr:
    """A compiled condition: ``evaluate(ctx)`` and the variable keys it reads."""

    evaluate: Evaluator
    variables: frozenset[str]
    stateful: bool = False  # reads engine state (suspected, leading, red_flag, disposition)
    # The source condition and vocabulary (top-level expressions only): a compiled expression
    # is a closure, so it pickles as "compile this again" (the knowledge-base cache).
    spec: Any = field(default=None, compare=False)
    vocab: Vocabulary | None = field(default=None, compare=False)

    def __reduce__(self) -> tuple[Any, ...]:
        if self.vocab is None:
            raise TypeError("only a top-level compiled expression can be pickled")
        return (compile_expr, (self.spec, self.vocab))

    def can_be_true(self, values: Mapping[str, Any]) -> bool:
        """False when the condition cannot be true because none of its findings is known."""
        return self.stateful or not self.variables.isdisjoint(values)


class RuleSyntaxError(ValueError):
    """A condition is malformed; the message says how."""


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """What names a condition may use; checked when a rule is compiled."""

    variables: Mapping[str, VariableInfo]
    conditions: frozenset[str] = frozenset()
    red_flags: frozenset[str] = frozenset()
    dispositions: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class VariableInfo:
    type: str  # bool | enum | number
    options: frozenset[str] = frozenset()


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}
_ORDERED = {"lt", "le", "gt", "ge"}


def compile_expr(spec: Any, vocab: Vocabulary) -> Expr:
    """Compile a condition written as data into a fast closure, checking every name in it."""
    e = _compile(spec, vocab)
    return Expr(e.evaluate, e.variables, e.stateful, spec, vocab)


def _compile(spec: Any, vocab: Vocabulary) -> Expr:
    if isinstance(spec, str):
        return _compile({"var": spec, "eq": True}, vocab)
    if not isinstance(spec, Mapping):
        raise RuleSyntaxError(f"a condition must be a mapping or a key name, not {spec!r}")
    if "var" in spec:
        return _compile_comparison(spec, vocab)
    if len(spec) == 1 and ("all" in spec or "any" in spec):
        kind = "all" if "all" in spec else "any"
        parts = spec[kind]
        if not isinstance(parts, list) or not parts:
            raise RuleSyntaxError(f"'{kind}' needs a non-empty list")
        children = tuple(_compile(p, vocab) for p in parts)
        if kind == "any" and all(isinstance(p, Mapping) and set(p) == {"suspected"} for p in parts):
            # "any of these conditions is suspected" (care-plan contraindications): one loop
            return Expr(_any_suspected(tuple(p["suspected"] for p in parts)), frozenset(), True)
        fn = _all(children) if kind == "all" else _any(children)
        return Expr(
            fn,
            frozenset().union(*(c.variables for c in children)),
            any(c.stateful for c in children),
        )
    if set(spec) == {"not"}:
        child = _compile(spec["not"], vocab)
        return Expr(_not(child), child.variables, child.stateful)
    if set(spec) == {"at_least", "of"}:
        n = spec["at_least"]
        parts = spec["of"]
        if not isinstance(n, int) or isinstance(n, bool) or not isinstance(parts, list):
            raise RuleSyntaxError("'at_least' needs an integer and 'of' a list")
        if not 1 <= n <= len(parts):
            raise RuleSyntaxError(f"'at_least: {n}' is impossible with {len(parts)} parts")
        children = tuple(_compile(p, vocab) for p in parts)
        return Expr(
            _at_least(n, children),
            frozenset().union(*(c.variables for c in children)),
            any(c.stateful for c in children),
        )
    if set(spec) == {"suspected"} or set(spec) == {"leading"}:
        kind = next(iter(spec))
        cond = spec[kind]
        if cond not in vocab.conditions:
            raise RuleSyntaxError(f"unknown condition {cond!r} in '{kind}'")
        fn = _suspected(cond) if kind == "suspected" else _leading(cond)
        return Expr(fn, frozenset(), stateful=True)
    if set(spec) == {"answered"}:
        var = spec["answered"]
        if var not in vocab.variables:
            raise RuleSyntaxError(f"unknown finding or patient key {var!r}")
        # Stateful: it is decided by what is missing, so it must be evaluated even when none of
        # its findings was answered.
        return Expr(_answered(var), frozenset({var}), stateful=True)
    if set(spec) == {"red_flag"}:
        key = spec["red_flag"]
        if key not in vocab.red_flags:
            raise RuleSyntaxError(f"unknown red flag {key!r}")
        return Expr(_red_flag(key), frozenset(), stateful=True)
    if set(spec) == {"disposition_at_least"}:
        level = spec["disposition_at_least"]
        if level not in vocab.dispositions:
            raise RuleSyntaxError(f"unknown disposition {level!r}")
        rank = list(vocab.dispositions).index(level)
        return Expr(_disposition_at_least(rank), frozenset(), stateful=True)
    raise RuleSyntaxError(f"unrecognised condition {dict(spec)!r}")


def _compile_comparison(spec: Mapping[str, Any], vocab: Vocabulary) -> Expr:
    var = spec["var"]
    info = vocab.variables.get(var)
    if info is None:
        raise RuleSyntaxError(f"unknown finding or patient key {var!r}")
    ops = [k for k in spec if k != "var"]
    if len(ops) != 1:
        raise RuleSyntaxError(f"comparison on {var!r} needs exactly one operator, got {ops}")
    op = ops[0]
    value = spec[op]
    if op == "in":
        if not isinstance(value, list) or not value:
            raise RuleSyntaxError(f"'in' on {var!r} needs a non-empty list")
        for v in value:
            _check_value(var, info, v)
        allowed = frozenset(value)
        return Expr(_membership(var, allowed), frozenset({var}))
    if op not in _COMPARE:
        raise RuleSyntaxError(f"unknown operator {op!r} on {var!r}")
    if op in _ORDERED and info.type != "number":
        raise RuleSyntaxError(f"'{op}' needs a number finding, and {var!r} is {info.type}")
    _check_value(var, info, value)
    return Expr(_comparison(var, _COMPARE[op], value), frozenset({var}))


def _check_value(var: str, info: VariableInfo, value: Any) -> None:
    if info.type == "bool" and not isinstance(value, bool):
        raise RuleSyntaxError(f"{var!r} is yes/no, so compare it with true or false, not {value!r}")
    if info.type == "enum" and value not in info.options:
        raise RuleSyntaxError(f"{value!r} is not an option of {var!r}")
    if info.type == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise RuleSyntaxError(f"{var!r} is a number, not {value!r}")


def _comparison(var: str, cmp: Callable[[Any, Any], bool], value: Any) -> Evaluator:
    because = (var,)

    def evaluate(ctx: Context) -> Outcome:
        v = ctx.values.get(var)
        if v is None:
            return None, ()
        return bool(cmp(v, value)), because

    return evaluate


def _membership(var: str, allowed: frozenset[Any]) -> Evaluator:
    because = (var,)

    def evaluate(ctx: Context) -> Outcome:
        v = ctx.values.get(var)
        if v is None:
            return None, ()
        return v in allowed, because

    return evaluate


def _all(children: tuple[Expr, ...]) -> Evaluator:
    fns = tuple(c.evaluate for c in children)

    def evaluate(ctx: Context) -> Outcome:
        unknown = False
        because: list[str] = []
        for fn in fns:
            value, why = fn(ctx)
            if value is False:
                return False, why
            if value is None:
                unknown = True
            else:
                because.extend(why)
        if unknown:
            return None, ()
        return True, tuple(dict.fromkeys(because))

    return evaluate


def _any(children: tuple[Expr, ...]) -> Evaluator:
    fns = tuple(c.evaluate for c in children)

    def evaluate(ctx: Context) -> Outcome:
        unknown = False
        true_because: list[str] = []
        false_because: list[str] = []
        hit = False
        for fn in fns:
            value, why = fn(ctx)
            if value is True:
                hit = True
                true_because.extend(why)
            elif value is None:
                unknown = True
            else:
                false_because.extend(why)
        if hit:
            return True, tuple(dict.fromkeys(true_because))
        if unknown:
            return None, ()
        return False, tuple(dict.fromkeys(false_because))

    return evaluate


def _not(child: Expr) -> Evaluator:
    fn = child.evaluate

    def evaluate(ctx: Context) -> Outcome:
        value, why = fn(ctx)
        if value is None:
            return None, ()
        return (not value), why

    return evaluate


def _at_least(n: int, children: tuple[Expr, ...]) -> Evaluator:
    fns = tuple(c.evaluate for c in children)

    def evaluate(ctx: Context) -> Outcome:
        hits = 0
        unknown = 0
        because: list[str] = []
        for fn in fns:
            value, why = fn(ctx)
            if value is True:
                hits += 1
                because.extend(why)
            elif value is None:
                unknown += 1
        if hits >= n:
            return True, tuple(dict.fromkeys(because))
        if hits + unknown < n:
            return False, ()
        return None, ()

    return evaluate


def _suspected(cond: str) -> Evaluator:
    def evaluate(ctx: Context) -> Outcome:
        return ctx.probabilities.get(cond, 0.0) >= ctx.suspected_threshold, ()

    return evaluate


def _any_suspected(conds: tuple[str, ...]) -> Evaluator:
    """``{any: [{suspected: A}, {suspected: B}, ...]}``, the same outcome as ``_any`` of them."""

    def evaluate(ctx: Context) -> Outcome:
        probabilities = ctx.probabilities
        threshold = ctx.suspected_threshold
        for cond in conds:
            if probabilities.get(cond, 0.0) >= threshold:
                return True, ()
        return False, ()

    return evaluate


def _leading(cond: str) -> Evaluator:
    def evaluate(ctx: Context) -> Outcome:
        return ctx.leading == cond, ()

    return evaluate


def _disposition_at_least(rank: int) -> Evaluator:
    def evaluate(ctx: Context) -> Outcome:
        return ctx.disposition >= rank, ()

    return evaluate


def _answered(var: str) -> Evaluator:
    because = (var,)

    def evaluate(ctx: Context) -> Outcome:
        # Only an answer is a reason: an unanswered key must never be named as one (a `not`
        # passes its child's reasons on, and reasons are looked up in the answers).
        if ctx.values.get(var) is not None:
            return True, because
        return False, ()

    return evaluate


def _red_flag(key: str) -> Evaluator:
    def evaluate(ctx: Context) -> Outcome:
        return key in ctx.red_flags, ()

    return evaluate


Literal_ = tuple[str, Callable[[Any], bool]]
Clause = tuple[Literal_, ...]


def to_dnf(spec: Any) -> list[Clause]:
    """Rewrite a monotone condition (no ``not``) as a list of AND-clauses of simple tests.

    Used to find, for a request, the rules that one more answer would make fire. The spec must
    already have passed ``compile_expr``.
    """
    if isinstance(spec, str):
        return to_dnf({"var": spec, "eq": True})
    if "var" in spec:
        var = spec["var"]
        op = next(k for k in spec if k != "var")
        value = spec[op]
        if op == "in":
            return [((var, _in_test(frozenset(value))),)]
        return [((var, _cmp_test(_COMPARE[op], value)),)]
    if "any" in spec:
        return [clause for part in spec["any"] for clause in to_dnf(part)]
    if "all" in spec:
        clauses: list[Clause] = [()]
        for part in spec["all"]:
            clauses = [a + b for a in clauses for b in to_dnf(part)]
        return clauses
    if "at_least" in spec:
        from itertools import combinations

        out: list[Clause] = []
        for combo in combinations(spec["of"], spec["at_least"]):
            out.extend(to_dnf({"all": list(combo)}))
        return out
    raise RuleSyntaxError(f"cannot rewrite {dict(spec)!r} as clauses (red flags must be monotone)")


def _in_test(allowed: frozenset[Any]) -> Callable[[Any], bool]:
    # A bound method of a frozenset: as fast as a closure, and it pickles.
    return allowed.__contains__


# test(v) = cmp(v, value), written as the reflected comparison with ``value`` bound first so
# that the test is a picklable partial of a C function (v < value  is  value > v).
_REFLECTED: dict[Callable[[Any, Any], bool], Callable[[Any, Any], bool]] = {
    operator.eq: operator.eq,
    operator.ne: operator.ne,
    operator.lt: operator.gt,
    operator.le: operator.ge,
    operator.gt: operator.lt,
    operator.ge: operator.le,
}


def _cmp_test(cmp: Callable[[Any, Any], bool], value: Any) -> Callable[[Any], bool]:
    return partial(_REFLECTED[cmp], value)
