"""The compiled knowledge base: the shapes ``assess()`` reads (plain tuples, dicts, floats).

Built by ``knowledge_base.py`` from the YAML files under ``kb/``; treat every object as read-only.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from heelwise.clinical.rules import Clause, Expr

DEFAULT_KB_DIR = Path(__file__).resolve().parent / "kb"
CONDITION_KEYS = (
    "plantar_fasciitis",
    "achilles_insertional",
    "achilles_midportion",
    "retrocalcaneal_bursitis",
    "calcaneal_stress_fracture",
    "tarsal_tunnel",
    "baxter_nerve",
    "fat_pad",
    "sever_apophysitis",
    "spondyloarthritis",
    "gout",
    "plantar_fascia_rupture",
    "s1_radiculopathy",
    "infection",
    "tumour",
)
RED_FLAG_KEYS = (
    "unable_to_bear_weight",
    "trauma_onset",
    "sudden_pop_or_acute_tear",
    "hot_swollen_red",
    "fever",
    "systemically_unwell",
    "wound_or_discharge",
    "diabetes_foot_complication",
    "night_pain",
    "cancer_or_weight_loss",
    "bony_swelling_or_mass",
    "neurological_deficit",
    "progressive_neuro_deficit",
    "cauda_equina_symptoms",
    "paediatric",
    "inflammatory_features",
    "energy_deficiency",
)
DISPOSITIONS = ("self_care", "soon", "urgent", "emergency")


class KnowledgeBaseError(ValueError):
    """A knowledge-base file is broken or inconsistent."""

    def __init__(self, file: str, item: str, reason: str) -> None:
        super().__init__(f"{file}: item {item!r}: {reason}")
        self.file = file
        self.item = item
        self.reason = reason


# --------------------------------------------------------------------------- compiled shapes


@dataclass(frozen=True, slots=True)
class Bin:
    key: str
    label: str
    below: float | None


@dataclass(frozen=True)
class Finding:
    """One key of the request vocabulary, with what the questionnaire needs to ask it."""

    key: str
    scope: str
    type: str
    group: str
    order: int
    answered_by: str
    question: str
    help: str
    added: bool
    diagnostic: bool
    options: tuple[tuple[str, str], ...]
    min: float | None
    max: float | None
    integer: bool
    unit: str | None
    bins: tuple[Bin, ...]
    enable_when: Expr | None
    enable_when_spec: Any
    default: tuple[tuple[Any, float], ...] = ()
    _bounds: tuple[float, ...] = field(default=(), repr=False)

    def value_key(self, value: Any) -> Any:
        """The category the differential uses for a value (a bin key for numbers)."""
        if self.type != "number":
            return value
        return self.bins[bisect.bisect_right(self._bounds, value)].key

    def representative(self, key: Any) -> Any:
        """A value inside a category, used to test rules against a hypothetical answer."""
        if self.type != "number":
            return key
        for i, b in enumerate(self.bins):
            if b.key == key:
                lo = self._bounds[i - 1] if i else (self.min or 0.0)
                hi = b.below if b.below is not None else lo + 1.0
                return (lo + hi) / 2.0
        raise KeyError(key)

    def metadata(self) -> dict[str, Any]:
        """The JSON-ready description the web questionnaire is generated from."""
        if self.type == "bool":
            options = [{"value": True, "label": "Yes"}, {"value": False, "label": "No"}]
        else:
            options = [{"value": v, "label": label} for v, label in self.options]
        out: dict[str, Any] = {
            "key": self.key,
            "scope": self.scope,
            "type": self.type,
            "group": self.group,
            "order": self.order,
            "answered_by": self.answered_by,
            "question": self.question,
            "help": self.help,
            "options": options if self.type != "number" else [],
            "added_by_heelwise": self.added,
            "enable_when": self.enable_when_spec,
        }
        if self.type == "number":
            out.update(
                {"min": self.min, "max": self.max, "integer": self.integer, "unit": self.unit}
            )
        return out


@dataclass(frozen=True)
class Condition:
    key: str
    name: str
    explanation: str
    icd10: str | None
    icd10_verified: bool
    snomed: str | None
    snomed_verified: bool
    advice: int


@dataclass(frozen=True)
class VarModel:
    """Precompiled likelihoods of one diagnostic variable across the conditions (KB order)."""

    key: str
    values: tuple[Any, ...]
    weights: Mapping[Any, tuple[float, ...]]  # applied log-LR per condition
    probs: Mapping[Any, tuple[float, ...]]  # P(value | condition), for information gain
    sources: tuple[str | None, ...]  # per condition; None = no entry (weight 0)
    verified: tuple[bool, ...]
    cond_entropy: tuple[float, ...]  # H(V | condition), nats
    why: Mapping[Any, tuple[tuple[int, float, str], ...]] = field(default_factory=dict)
    # per answer: (condition index, rounded weight, source) for the conditions it moves


@dataclass(frozen=True)
class RedFlagRule:
    key: str
    id: str
    level: int
    message: str
    source: str
    verified: bool
    expr: Expr
    clauses: tuple[Clause, ...]
    kind: str = "red_flag"  # or "escalation"


@dataclass(frozen=True)
class Stage:
    stage: int
    label: str
    expr: Expr | None
    default_because: str | None


@dataclass(frozen=True)
class CareItem:
    key: str
    title: str
    for_conditions: frozenset[str] | None  # None = any condition
    position: int
    weeks: tuple[int, int]
    instructions: str
    dose: str
    grade: str
    summary: str
    source: str
    verified: bool
    stages: frozenset[int] | None
    when: Expr | None
    safe_during_red_flag: bool
    screen_keys: tuple[str, ...]
    screen_reason: str
    contraindications: tuple[tuple[Expr, str], ...]


@dataclass(frozen=True)
class Claim:
    id: str
    verified: bool
    value: Any
    source: str | None


@dataclass
class KnowledgeBase:
    """The compiled knowledge base. Treat as read-only."""

    version: str
    path: Path
    findings: dict[str, Finding]
    groups: list[dict[str, Any]]
    conditions: tuple[Condition, ...]
    age_bands: tuple[tuple[str, float | None], ...]
    default_band: str
    log_priors: dict[str, tuple[float, ...]]
    variables: dict[str, VarModel]
    red_flag_vars: frozenset[str]  # kept out of the advice: they feed a rule below the top advice
    rules: tuple[RedFlagRule, ...]
    rules_by_var: dict[str, tuple[int, ...]]
    staging_condition: str
    stages: tuple[Stage, ...]
    care_items: tuple[CareItem, ...]
    include_threshold: float
    suspected_threshold: float
    advice_threshold: float
    self_care_min_probability: float
    next_questions_max: int
    disposition_weight: float
    min_gain: float
    sources: dict[str, dict[str, Any]]
    claims: dict[str, Claim]
    unverified_claims: tuple[str, ...]
    unverified_differences: tuple[str, ...]
    claims_seen: frozenset[str]
    patient_keys: frozenset[str] = frozenset()
    findings_keys: frozenset[str] = frozenset()
    advice_levels: tuple[int, ...] = ()
    question_candidates: tuple[str, ...] = ()
    rf_clauses: tuple[tuple[int, Clause], ...] = ()
    self_care_requires: Expr | None = None  # manifest: findings a typical pattern must show
    cache: dict[str, Any] = field(default_factory=dict)

    def __getstate__(self) -> dict[str, Any]:
        # ``cache`` holds per-process derived objects (matrices...): rebuilt after unpickling.
        return {**self.__dict__, "cache": {}}

    @property
    def condition_keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.conditions)

    def age_band(self, age: float | None) -> str:
        if age is None:
            return self.default_band
        for key, below in self.age_bands:
            if below is None or age < below:
                return key
        return self.default_band

    def findings_metadata(self) -> list[dict[str, Any]]:
        """Every request key with its question, options, who answers it, group and order."""
        return [f.metadata() for f in sorted(self.findings.values(), key=lambda f: f.order)]

    def care_plan_catalogue(self) -> list[dict[str, Any]]:
        """Every care-plan item with its patient instructions and evidence (results cite keys)."""
        return [
            {
                "item": c.key,
                "title": c.title,
                "instructions": c.instructions,
                "dose": c.dose,
                "weeks": list(c.weeks),
                "for_conditions": sorted(c.for_conditions) if c.for_conditions else "any",
                "evidence": {
                    "grade": c.grade,
                    "summary": c.summary,
                    "source": c.source,
                    "verified": c.verified,
                },
            }
            for c in self.care_items
        ]

    def summary(self) -> dict[str, Any]:
        likelihood_entries = sum(
            1 for v in self.variables.values() for s in v.sources if s is not None
        )
        verified_entries = sum(1 for v in self.variables.values() for ok in v.verified if ok)
        return {
            "version": self.version,
            "path": str(self.path),
            "findings": len(self.findings),
            "conditions": len(self.conditions),
            "likelihood_entries": likelihood_entries,
            "likelihood_entries_verified": verified_entries,
            "red_flag_rules": len(self.rules),
            "care_plan_items": len(self.care_items),
            "care_plan_items_verified": sum(1 for c in self.care_items if c.verified),
            "sources": len(self.sources),
            "claims_referenced": len(self.claims_seen),
            "claims_verified": sum(
                1 for k in self.claims_seen if k in self.claims and self.claims[k].verified
            ),
        }
