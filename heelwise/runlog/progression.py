"""The walk-run return-to-run programme: stages and thresholds are data
(``return_to_run.json``, versioned); ``evaluate`` is a small pure function that replays a
runner's check-ins and returns the current stage plus every decision and the rule behind it.

The pain-monitoring model (Silbernagel 2007): pain during activity 0-3 is safe, 4-5 acceptable,
above 5 not acceptable; pain after a session must settle by the next morning; morning pain must
not rise from week to week. Per programme session (a day with "pain during" recorded), judged
once the next morning's check-in says whether it settled, first matching rule wins:

* ``step_back.pain_during``: pain during above 5 -> one stage back.
* ``step_back.morning_rising``: the mean morning pain of the 7 days up to the next morning is at
  least 1 point above the 7 days before -> one stage back.
* ``step_back.unsettled_twice``: this and the previous session both did not settle -> back.
* ``hold.unsettled``: pain was acceptable but did not settle by morning -> repeat the stage.
* ``qualify``: acceptable and settled; after 2 qualifying sessions in a row -> ``advance``.

The programme is not offered (``blocked``) while a red flag reported at a check-in is open
(14 days) or while another part of Heelwise reports a suspected stress fracture, rupture,
infection or tumour: the "running through pain" model must not be applied to those.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from statistics import fmean
from typing import Any

from heelwise.runlog.redflags import reported_sentence

RULES_PATH = Path(__file__).with_name("return_to_run.json")


ACTION_LABELS = {
    "advance": "Move up a stage",
    "qualify": "Good session",
    "hold": "Repeat this stage",
    "step_back": "Step back a stage",
    "blocked": "Paused",
}


class RulesError(ValueError):
    """The rules file is malformed: fail loudly, never guess."""


@dataclass(frozen=True, slots=True)
class Stage:
    index: int
    key: str
    title: str
    session: str
    run_min: int
    walk_min: int
    repeats: int


@dataclass(frozen=True, slots=True)
class Rules:
    version: str
    stages: tuple[Stage, ...]
    max_pain_during: int
    safe_pain_during: int
    qualifying_sessions_to_advance: int
    unsettled_sessions_to_step_back: int
    morning_pain_rise_points: float
    morning_pain_min_scores: int
    red_flag_open_days: int
    rest_days_between_sessions: int
    sources: tuple[str, ...] = ()


_THRESHOLDS = {
    "max_pain_during": int,
    "safe_pain_during": int,
    "qualifying_sessions_to_advance": int,
    "unsettled_sessions_to_step_back": int,
    "morning_pain_rise_points": float,
    "morning_pain_min_scores": int,
    "red_flag_open_days": int,
    "rest_days_between_sessions": int,
}


def rules_from_data(data: dict[str, Any]) -> Rules:
    try:
        thresholds = data["thresholds"]
        unknown = set(thresholds) - set(_THRESHOLDS)
        missing = set(_THRESHOLDS) - set(thresholds)
        if unknown or missing:
            raise RulesError(f"thresholds: unknown {sorted(unknown)}, missing {sorted(missing)}")
        stages = tuple(
            Stage(
                index=i,
                key=str(s["key"]),
                title=str(s["title"]),
                session=str(s["session"]),
                run_min=int(s["run_min"]),
                walk_min=int(s["walk_min"]),
                repeats=int(s["repeats"]),
            )
            for i, s in enumerate(data["stages"])
        )
        values = {k: cast(thresholds[k]) for k, cast in _THRESHOLDS.items()}
        rules = Rules(
            version=str(data["version"]),
            stages=stages,
            sources=tuple(data.get("sources", ())),
            **values,
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, RulesError):
            raise
        raise RulesError(f"malformed return-to-run rules: {exc!r}") from exc
    if len(stages) < 2 or len({s.key for s in stages}) != len(stages):
        raise RulesError("need at least two stages with unique keys")
    if not 0 <= rules.safe_pain_during <= rules.max_pain_during <= 10:
        raise RulesError("pain thresholds must satisfy 0 <= safe <= max <= 10")
    return rules


@functools.lru_cache(maxsize=4)
def load_rules(path: Path = RULES_PATH) -> Rules:
    """The rules file, parsed and validated once per process (Rules is immutable)."""
    return rules_from_data(json.loads(path.read_text(encoding="utf-8")))


@dataclass(frozen=True, slots=True)
class Day:
    """One check-in as the programme sees it."""

    day: date
    morning_pain: int
    pain_during: int | None = None
    pain_after: int | None = None
    settled_by_morning: bool | None = None  # answers for the previous day's session
    red_flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Decision:
    day: date
    action: str  # advance | qualify | hold | step_back | blocked
    rule: str
    stage_before: int
    stage_after: int
    reason: str

    @property
    def label(self) -> str:
        return ACTION_LABELS[self.action]


@dataclass(frozen=True, slots=True)
class Result:
    rules_version: str
    stage: Stage
    qualifying: int
    decisions: tuple[Decision, ...]
    blocked_reasons: tuple[str, ...]
    pending_session: date | None
    next_session: date | None
    finished: bool = field(default=False)

    @property
    def blocked(self) -> bool:
        return bool(self.blocked_reasons)


def _morning_rising(days: dict[date, Day], until: date, rules: Rules) -> tuple[bool, str]:
    def mean(older: int, newer: int) -> float | None:
        vals = [d.morning_pain for k, d in days.items() if newer <= (until - k).days <= older]
        return fmean(vals) if len(vals) >= rules.morning_pain_min_scores else None

    now, before = mean(6, 0), mean(13, 7)
    if now is None or before is None:
        return False, ""
    rising = now - before >= rules.morning_pain_rise_points
    return rising, f"morning pain averaged {now:.1f} this week against {before:.1f} the week before"


def _red_flag_open(days: Sequence[Day], on: date, rules: Rules) -> tuple[str, ...]:
    open_flags: list[str] = []
    for d in days:
        if d.red_flags and 0 <= (on - d.day).days < rules.red_flag_open_days:
            open_flags.extend(f for f in d.red_flags if f not in open_flags)
    return tuple(open_flags)


def evaluate(  # noqa: C901 - the rule order is the point and reads top to bottom
    days: Sequence[Day],
    *,
    today: date,
    rules: Rules,
    start_stage: int = 0,
    blockers: Sequence[str] = (),
) -> Result:
    """Replay check-ins (any order, one per day) from the programme's start to ``today``."""
    ordered = sorted(days, key=lambda d: d.day)
    by_day = {d.day: d for d in ordered}
    last = len(rules.stages) - 1
    stage = min(max(start_stage, 0), last)
    qualifying = 0
    unsettled_streak = 0
    decisions: list[Decision] = []
    pending: date | None = None
    last_session: date | None = None
    t = rules

    for d in ordered:
        if d.pain_during is None:
            continue
        last_session = d.day
        nxt = by_day.get(d.day + timedelta(days=1))
        if nxt is None or nxt.settled_by_morning is None:
            pending = d.day
            continue
        settled = nxt.settled_by_morning
        before = stage
        flags = _red_flag_open(ordered, nxt.day, rules)
        rising, rising_note = _morning_rising(by_day, nxt.day, rules)
        during = d.pain_during
        if flags:
            action, rule, reason = "blocked", "blocked.red_flag", "you reported a warning sign"
            qualifying = 0
        elif during > t.max_pain_during:
            action, rule = "step_back", "step_back.pain_during"
            reason = f"pain during was {during}/10, above {t.max_pain_during}"
        elif rising:
            action, rule, reason = "step_back", "step_back.morning_rising", rising_note
        elif not settled and unsettled_streak + 1 >= t.unsettled_sessions_to_step_back:
            action, rule = "step_back", "step_back.unsettled_twice"
            reason = f"pain did not settle by morning after {unsettled_streak + 1} sessions running"
        elif not settled:
            action, rule = "hold", "hold.unsettled"
            reason = f"pain during was acceptable ({during}/10) but had not settled by morning"
        else:
            qualifying += 1
            band = "safe" if during <= t.safe_pain_during else "acceptable"
            reason = f"pain during {during}/10 ({band}) and settled by morning"
            if qualifying >= t.qualifying_sessions_to_advance and stage < last:
                action, rule = "advance", "advance"
                stage += 1
                qualifying = 0
            else:
                action, rule = "qualify", "qualify"
        if action == "step_back":
            stage = max(stage - 1, 0)
            qualifying = 0
        elif action == "hold":
            qualifying = 0
        unsettled_streak = 0 if settled else unsettled_streak + 1
        if action == "step_back" and not settled:
            unsettled_streak = 0  # the step back answers the unsettled run of sessions
        decisions.append(Decision(d.day, action, rule, before, stage, reason))
        if pending == d.day:
            pending = None

    if pending is not None and decisions and decisions[-1].day >= pending:
        pending = None
    open_flags = _red_flag_open(ordered, today, rules)
    reasons = [f"{reported_sentence(open_flags)} at a check-in"] if open_flags else []
    reasons.extend(blockers)
    next_session: date | None = None
    if not reasons:
        gap = rules.rest_days_between_sessions + 1
        next_session = (
            today if last_session is None else max(today, last_session + timedelta(days=gap))
        )
    return Result(
        rules_version=rules.version,
        stage=rules.stages[stage],
        qualifying=qualifying,
        decisions=tuple(decisions),
        blocked_reasons=tuple(reasons),
        pending_session=pending,
        next_session=next_session,
        finished=stage == last,
    )
