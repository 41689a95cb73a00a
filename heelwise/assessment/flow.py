"""The multi-step questionnaire: which questions each step asks, how a posted step is checked,
and the in-progress answers kept in the session (keyed by step).

The session (Django's database-backed sessions) is shared by every app server, so nothing lives
in process memory. Nothing is written to the assessment tables until the patient finishes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from heelwise.assessment import engine
from heelwise.clinical.knowledge_base import Finding

SESSION_KEY = "hw_assessment"
CONTROL_FIELDS = frozenset({"csrfmiddlewaretoken", "nav"})
STOP_DISPOSITIONS = frozenset({"urgent", "emergency"})
FOCUS_RANKED_MAX = 6


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    intro: str
    groups: tuple[str, ...]
    required: frozenset[str] | None = None  # None: every question in the step is required
    focus: bool = False  # questions chosen by the engine's next_questions

    def is_required(self, key: str) -> bool:
        return self.required is None or key in self.required


STEPS: tuple[Step, ...] = (
    Step(
        "safety",
        "Safety questions first",
        "These questions check for anything that needs a doctor quickly. Please answer each one.",
        ("red_flag_screen",),
        None,
    ),
    Step(
        "about",
        "About you",
        "Your age and how much you run change which causes are likely.",
        ("about_you",),
        frozenset({"age"}),
    ),
    Step(
        "where",
        "Where it hurts",
        "Choose the spot where the pain is worst, on the picture or from the list.",
        ("where_it_hurts",),
        frozenset({"pain_location"}),
    ),
    Step(
        "pattern",
        "How the pain behaves",
        "The first questions are the ones that matter most for you, based on your answers so far. "
        "Choose \u201cNot sure\u201d if you don't know.",
        ("pattern", "history"),
        frozenset(),
        focus=True,
    ),
    Step(
        "history",
        "Your health and history",
        "A few questions about your general health. Choose \u201cNot sure\u201d if you don't know.",
        ("history",),
        frozenset(),
    ),
    Step(
        "medicines",
        "Medicines and health",
        "These decide whether pain-relief tablets or gels are safe to suggest. If you skip them, "
        "we will not suggest anti-inflammatory medicines.",
        ("medicines",),
        frozenset(),
    ),
)
STEP_KEYS = tuple(s.key for s in STEPS)
STEPS_BY_KEY = {s.key: s for s in STEPS}


# --------------------------------------------------------------------------- session state


@dataclass
class Progress:
    """In-progress answers, one dict per completed step, plus the frozen focus-step keys."""

    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    drafts: dict[str, dict[str, Any]] = field(default_factory=dict)
    focus: list[str] | None = None

    @classmethod
    def load(cls, session: Mapping[str, Any]) -> Progress:
        raw = session.get(SESSION_KEY) or {}
        return cls(
            steps=dict(raw.get("steps", {})),
            drafts=dict(raw.get("drafts", {})),
            focus=raw.get("focus"),
        )

    def dump(self) -> dict[str, Any]:
        return {"steps": self.steps, "drafts": self.drafts, "focus": self.focus}

    @property
    def started(self) -> bool:
        return bool(self.steps or self.drafts)

    def shown_values(self, step: str) -> dict[str, Any]:
        """What a step's form shows: its stored answers, or a draft kept when going back."""
        return self.drafts.get(step) or self.steps.get(step, {})

    def answers(self, *, upto: str | None = None) -> dict[str, Any]:
        """All stored answers (or those of the steps before ``upto``), unknowns dropped."""
        out: dict[str, Any] = {}
        for key in STEP_KEYS:
            if key == upto:
                break
            out.update({k: v for k, v in self.steps.get(key, {}).items() if v is not None})
        return out

    def first_incomplete(self) -> str | None:
        return next((k for k in STEP_KEYS if k not in self.steps), None)

    def can_open(self, step: str) -> bool:
        first = self.first_incomplete()
        return first is None or STEP_KEYS.index(step) <= STEP_KEYS.index(first)

    def store(self, step: str, values: dict[str, Any]) -> None:
        if step in STEP_KEYS[: STEP_KEYS.index("pattern")] and self.steps.get(step) != values:
            self.focus = None  # earlier answers changed: choose the focus questions again
        self.steps[step] = values
        self.drafts.pop(step, None)

    @classmethod
    def from_answers(cls, answers: Mapping[str, Any]) -> Progress:
        """The questionnaire pre-filled with a finished assessment's answers ("Change my
        answers"): each step holds its questions' stored answers (unknown stays unknown), up to
        the last step that has any answer (an assessment that stopped early stops there too)."""
        progress = cls()
        filled: list[tuple[str, dict[str, Any]]] = []
        for step in STEPS:
            values = {f.key: answers.get(f.key) for f in step_questions(step, progress)}
            filled.append((step.key, values))
            progress.steps[step.key] = values  # later steps' questions depend on earlier ones
        last = max(
            (
                i
                for i, (_, values) in enumerate(filled)
                if any(v is not None for v in values.values())
            ),
            default=0,
        )
        progress.steps = dict(filled[: last + 1])
        return progress

    def keep_draft(self, step: str, values: dict[str, Any]) -> None:
        """Keep the answers of an unfinished step (going back must not lose them)."""
        self.drafts[step] = {k: v for k, v in values.items() if v is not None}


# --------------------------------------------------------------------------- questions


def _patient_questions(groups: tuple[str, ...]) -> list[Finding]:
    kb = engine.knowledge_base()
    return sorted(
        (f for f in kb.findings.values() if f.group in groups and f.answered_by == "patient"),
        key=lambda f: f.order,
    )


def focus_keys(progress: Progress) -> list[str]:
    """Keys of the adaptive step: the engine's most informative questions first, then the rest
    of 'how the pain behaves'. Frozen in the session once chosen so back/forward is stable."""
    if progress.focus is not None:
        return progress.focus
    kb = engine.knowledge_base()
    answered = progress.answers(upto="pattern")
    candidates = {f.key for f in _patient_questions(("pattern", "history"))}
    ranked = [k for k in engine.ranked_questions(answered) if k in candidates][:FOCUS_RANKED_MAX]
    rest = [f.key for f in _patient_questions(("pattern",)) if f.key not in ranked]
    progress.focus = ranked + rest
    assert all(k in kb.findings for k in progress.focus)
    return progress.focus


def step_questions(step: Step, progress: Progress) -> list[Finding]:
    """Every question this step may ask (before enable_when), in the order shown."""
    kb = engine.knowledge_base()
    if step.focus:
        return [kb.findings[k] for k in focus_keys(progress)]
    questions = _patient_questions(step.groups)
    if step.key == "history":
        asked = set(focus_keys(progress))
        questions = [f for f in questions if f.key not in asked]
    return questions


def visible(questions: list[Finding], answers: Mapping[str, Any]) -> list[Finding]:
    return [f for f in questions if engine.is_enabled(f, answers)]


# --------------------------------------------------------------------------- parsing a post


@dataclass
class StepSubmission:
    values: dict[str, Any]
    raw: dict[str, str]
    errors: dict[str, str]
    form_errors: list[str]

    @property
    def ok(self) -> bool:
        return not self.errors and not self.form_errors


BOOL_INPUT = {"yes": True, "no": False, "unsure": None, "": None}


def _parse_one(f: Finding, raw: str) -> tuple[Any, str | None]:
    raw = raw.strip()
    if f.type == "bool":
        if raw not in BOOL_INPUT:
            return None, "Choose Yes, No or Not sure."
        return BOOL_INPUT[raw], None
    if f.type == "enum":
        if raw in ("", "unsure"):
            return None, None
        if raw not in {v for v, _ in f.options}:
            return None, "Choose one of the options listed."
        return raw, None
    if raw == "":
        return None, None
    try:
        number = float(raw)
    except ValueError:
        return None, "Enter a number, for example 12."
    lo, hi = f.min, f.max
    unit = f" {f.unit}" if f.unit and f.unit != "0-10" else ""
    if number != number or (lo is not None and number < lo) or (hi is not None and number > hi):
        return None, f"Enter a number from {lo:g} to {hi:g}{unit}."
    if f.integer:
        if not number.is_integer():
            return None, "Enter a whole number."
        return int(number), None
    return (int(number) if number.is_integer() else number), None


def parse_step(step: Step, progress: Progress, data: QueryDict) -> StepSubmission:
    """Check a posted step: unknown fields, repeated fields, invalid values, required answers."""
    questions = step_questions(step, progress)
    allowed = {f.key for f in questions}
    unknown = sorted(k for k in data if k not in allowed and k not in CONTROL_FIELDS)
    form_errors: list[str] = []
    if unknown:
        form_errors.append(
            "This form contained answers to questions we did not ask ("
            + ", ".join(unknown[:5])
            + "). They were ignored; please check your answers and continue."
        )
    raw = {f.key: data.get(f.key, "") for f in questions}
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for f in questions:
        if len(data.getlist(f.key)) > 1:
            errors[f.key] = "Give one answer to this question."
            continue
        value, error = _parse_one(f, raw[f.key])
        if error:
            errors[f.key] = error
        values[f.key] = value
    context = {
        **progress.answers(upto=step.key),
        **{k: v for k, v in values.items() if v is not None},
    }
    shown = {f.key for f in visible(questions, context)}
    for key in list(values):
        if key not in shown:
            values.pop(key)  # a question that no longer applies (e.g. a pop with gradual onset)
            errors.pop(key, None)
        elif values[key] is None and key not in errors and step.is_required(key):
            errors[key] = "Please answer this question."
    return StepSubmission(values=values, raw=raw, errors=errors, form_errors=form_errors)


def next_step(step: str) -> str | None:
    i = STEP_KEYS.index(step)
    return STEP_KEYS[i + 1] if i + 1 < len(STEP_KEYS) else None


def previous_step(step: str) -> str | None:
    i = STEP_KEYS.index(step)
    return STEP_KEYS[i - 1] if i else None


def should_stop(result: Mapping[str, Any]) -> bool:
    """An answer that needs same-day or emergency care ends the questionnaire."""
    return result["disposition"] in STOP_DISPOSITIONS
