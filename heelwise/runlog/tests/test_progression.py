from __future__ import annotations

import copy
import json
from datetime import date, timedelta

import pytest

from heelwise.runlog.progression import (
    RULES_PATH,
    Day,
    RulesError,
    evaluate,
    load_rules,
    rules_from_data,
)

RULES = load_rules()
D0 = date(2025, 6, 2)


def plan(*sessions: tuple[int, bool], morning: int = 2, gap: int = 2) -> list[Day]:
    """Sessions every ``gap`` days with (pain during, settled next morning); daily check-ins."""
    days: dict[date, Day] = {}
    n = len(sessions) * gap + 1
    for i in range(n):
        days[D0 + timedelta(i)] = Day(D0 + timedelta(i), morning)
    for k, (during, settled) in enumerate(sessions):
        d = D0 + timedelta(k * gap)
        days[d] = Day(d, days[d].morning_pain, during, during, days[d].settled_by_morning)
        nxt = d + timedelta(1)
        days[nxt] = Day(nxt, days[nxt].morning_pain, days[nxt].pain_during, None, settled)
    return list(days.values())


def run(days: list[Day], **kw: object) -> object:
    today = max(d.day for d in days)
    return evaluate(days, today=today, rules=RULES, **kw)  # type: ignore[arg-type]


class ProgressionTests:
    def test_it_advances_after_two_settled_sessions(self) -> None:
        result = run(plan((2, True), (4, True)))
        assert result.stage.key == "r1w1"  # type: ignore[attr-defined]
        assert [d.action for d in result.decisions] == ["qualify", "advance"]  # type: ignore[attr-defined]

    def test_it_holds_when_pain_did_not_settle_once(self) -> None:
        result = run(plan((2, True), (3, False), (2, True)))
        assert [d.rule for d in result.decisions] == ["qualify", "hold.unsettled", "qualify"]  # type: ignore[attr-defined]
        assert result.stage.index == 0  # type: ignore[attr-defined]

    def test_it_steps_back_when_pain_did_not_settle_twice(self) -> None:
        result = run(plan((1, True), (1, True), (3, False), (3, False)))
        rules = [d.rule for d in result.decisions]  # type: ignore[attr-defined]
        assert rules == ["qualify", "advance", "hold.unsettled", "step_back.unsettled_twice"]
        assert result.stage.index == 0  # type: ignore[attr-defined]

    def test_it_steps_back_when_pain_during_is_above_five(self) -> None:
        result = run(plan((1, True), (1, True), (6, True)))
        assert result.decisions[-1].rule == "step_back.pain_during"  # type: ignore[attr-defined]
        assert result.stage.index == 0  # type: ignore[attr-defined]

    def test_it_calls_pain_up_to_three_safe_and_four_or_five_acceptable(self) -> None:
        reasons = [d.reason for d in run(plan((3, True), (4, True))).decisions]  # type: ignore[attr-defined]
        assert "(safe)" in reasons[0] and "(acceptable)" in reasons[1]

    def test_it_accepts_pain_of_five_but_not_six(self) -> None:
        assert run(plan((5, True), (5, True))).stage.index == 1  # type: ignore[attr-defined]

    def test_it_steps_back_when_morning_pain_rises_week_on_week(self) -> None:
        days = plan((1, True), (1, True), (1, True), (1, True), (1, True), (1, True), (1, True))
        rising = [
            Day(
                d.day,
                1 if (d.day - D0).days < 7 else 3,
                d.pain_during,
                d.pain_after,
                d.settled_by_morning,
            )
            for d in days
        ]
        result = run(rising, start_stage=3)
        assert "step_back.morning_rising" in [d.rule for d in result.decisions]  # type: ignore[attr-defined]

    def test_it_waits_for_the_next_morning_before_judging(self) -> None:
        days = plan((1, True))[:1]  # a session, no check-in the next morning yet
        result = run(days)
        assert result.decisions == () and result.pending_session == D0  # type: ignore[attr-defined]

    def test_it_is_blocked_while_a_red_flag_is_open(self) -> None:
        days = plan((1, True), (1, True))
        days[0] = Day(D0, 2, 1, 1, None, ("night_pain",))
        result = run(days)
        assert result.blocked and result.next_session is None  # type: ignore[attr-defined]
        assert result.decisions[0].action == "blocked"  # type: ignore[attr-defined]
        later = evaluate(days, today=D0 + timedelta(days=30), rules=RULES)
        assert not later.blocked

    def test_it_is_blocked_by_other_sources(self) -> None:
        result = run(plan((1, True)), blockers=["latest assessment: suspected stress fracture"])
        assert result.blocked  # type: ignore[attr-defined]

    def test_it_does_not_advance_past_the_last_stage(self) -> None:
        last = len(RULES.stages) - 1
        result = run(plan((1, True), (1, True)), start_stage=last)
        assert result.stage.index == last and result.finished  # type: ignore[attr-defined]

    def test_it_schedules_the_next_session_after_a_rest_day(self) -> None:
        days = plan((1, True))
        result = evaluate(days, today=D0 + timedelta(1), rules=RULES)
        assert result.next_session == D0 + timedelta(2)


class RulesFileTests:
    def test_it_loads_the_shipped_rules(self) -> None:
        assert RULES.version == "rtr-1"
        assert RULES.stages[0].key == "walk" and RULES.stages[-1].key == "normal"
        assert RULES.max_pain_during == 5

    def test_it_fails_loudly_on_unknown_or_missing_thresholds(self) -> None:
        data = json.loads(RULES_PATH.read_text())
        bad = copy.deepcopy(data)
        bad["thresholds"]["max_pain"] = 5
        with pytest.raises(RulesError):
            rules_from_data(bad)
        bad = copy.deepcopy(data)
        del bad["thresholds"]["max_pain_during"]
        with pytest.raises(RulesError):
            rules_from_data(bad)
        bad = copy.deepcopy(data)
        bad["thresholds"]["max_pain_during"] = 11
        with pytest.raises(RulesError):
            rules_from_data(bad)
