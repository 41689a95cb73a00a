"""Typed schema of the knowledge-base files (validated with pydantic at load).

Each model mirrors one item of one YAML file under ``heelwise/clinical/kb``; the loader
(``knowledge_base.py``) validates every item on its own so an error names the file and the item.
Cross-file checks (a likelihood naming an unknown finding, a source id not in sources.yaml...)
are done by the loader after these per-item checks.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Disposition = Literal["self_care", "soon", "urgent", "emergency"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceModel(Strict):
    id: str = Field(pattern=r"^[A-Z][A-Za-z0-9_-]*$")
    citation: str = Field(min_length=3)
    url: str | None = None


class SourcesFile(Strict):
    version: int
    sources: list[dict[str, Any]]


class OptionModel(Strict):
    value: str
    label: str = Field(min_length=1)


class BinModel(Strict):
    key: str
    label: str
    below: float | None = None


class FindingModel(Strict):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    scope: Literal["patient", "findings"] = "findings"
    type: Literal["bool", "enum", "number"]
    group: str
    order: int
    answered_by: Literal["patient", "clinician"]
    question: str = Field(min_length=5)
    help: str = ""
    added: bool = False
    diagnostic: bool = True
    options: list[OptionModel] | None = None
    min: float | None = None
    max: float | None = None
    integer: bool = False
    unit: str | None = None
    bins: list[BinModel] | None = None
    default_p: float | None = Field(default=None, gt=0.0, lt=1.0)
    default_dist: dict[str, float] | None = None
    enable_when: Any = None

    @field_validator("default_dist")
    @classmethod
    def _positive(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        if v is not None and any(x <= 0 for x in v.values()):
            raise ValueError("every default_dist weight must be > 0")
        return v


class GroupModel(Strict):
    key: str
    label: str
    order: int


class FindingsFile(Strict):
    version: int
    groups: list[dict[str, Any]]
    findings: list[dict[str, Any]]


class CodeModel(Strict):
    code: str | None
    claim: str


class ConditionModel(Strict):
    key: str
    name: str
    explanation: str = Field(min_length=10)
    icd10: CodeModel
    snomed: CodeModel
    priors: dict[str, float]
    advice: Disposition

    @field_validator("priors")
    @classmethod
    def _priors(cls, v: dict[str, float]) -> dict[str, float]:
        if any(not 0 < x < 1 for x in v.values()):
            raise ValueError("every prior must be strictly between 0 and 1")
        return v


class AgeBandModel(Strict):
    key: str
    label: str
    below: float | None = None


class ConditionsFile(Strict):
    version: int
    age_bands: list[AgeBandModel]
    default_band: str
    priors_source: str
    prior_weight: float = Field(default=1.0, gt=0, le=1)
    prior_weight_source: str | None = None
    conditions: list[dict[str, Any]]


class WeightModel(Strict):
    p: float | None = Field(default=None, ge=0.001, le=0.999)
    dist: dict[str, float] | None = None
    source: str | None = None
    claim: str | None = None
    note: str | None = None

    @field_validator("dist")
    @classmethod
    def _positive(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        if v is not None and any(x <= 0 for x in v.values()):
            raise ValueError("every dist weight must be > 0")
        return v


class ConditionWeights(Strict):
    source: str
    weights: dict[str, dict[str, Any]]


class LikelihoodsFile(Strict):
    version: int
    floor: float = Field(gt=0, lt=1)
    temper: float = Field(gt=0, le=1)
    max_abs_log_lr: float = Field(gt=0, le=10)
    conditions: dict[str, dict[str, Any]]


class RedFlagRuleModel(Strict):
    key: str
    id: str
    disposition: Disposition
    when: Any
    message: str = Field(min_length=10)
    source: str
    claim: str | None = None


class RedFlagsFile(Strict):
    version: int
    rules: list[dict[str, Any]]
    escalations: list[dict[str, Any]] = []


class StageModel(Strict):
    stage: int = Field(ge=1, le=3)
    label: str
    when: Any = None
    default_because: str | None = None


class StagingFile(Strict):
    version: int
    condition: str
    source: str
    stages: list[StageModel]


class EvidenceModel(Strict):
    grade: str
    summary: str = Field(min_length=10)
    source: str
    claim: str


class ContraindicationModel(Strict):
    when: Any
    reason: str = Field(min_length=5)


class ScreenModel(Strict):
    keys: list[str] = Field(min_length=1)
    reason: str


class CareItemModel(Strict):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    for_: list[str] | Literal["any"] = Field(alias="for")
    weeks: tuple[int, int]
    instructions: str = Field(min_length=10)
    dose: str = Field(min_length=3)
    evidence: EvidenceModel
    stages: list[int] | None = None
    when: Any = None
    safe_during_red_flag: bool = False
    screen: ScreenModel | None = None
    contraindications: list[ContraindicationModel] = []

    @field_validator("weeks")
    @classmethod
    def _weeks(cls, v: tuple[int, int]) -> tuple[int, int]:
        if not 1 <= v[0] <= v[1]:
            raise ValueError("weeks must be [first, last] with 1 <= first <= last")
        return v


class CarePlanFile(Strict):
    version: int
    include_threshold: float = Field(gt=0, lt=1)
    suspected_threshold: float = Field(gt=0, lt=1)
    items: list[dict[str, Any]]


class NextQuestionsSettings(Strict):
    max: int = Field(ge=1, le=50)
    disposition_weight: float = Field(ge=0)
    min_gain: float = Field(ge=0)


class ManifestFile(Strict):
    version: str = Field(min_length=1)
    files: list[str]
    dispositions: list[str]
    advice_threshold: float = Field(gt=0, lt=1)
    self_care_min_probability: float = Field(ge=0, le=1)
    # Self-care also needs this condition over the findings (a typical plantar-fasciitis pattern
    # reported, not only assumed from the prior); with its source id.
    self_care_requires: Any = None
    self_care_requires_source: str | None = None
    next_questions: NextQuestionsSettings


class ClaimModel(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    id: str
    statement: str | None = None
    value: Any = None
    verified: bool = False
    source: str | None = None
    citation: str | None = None
    url: str | None = None
    checked_on: Any = None
    note: str | None = None


class VerificationFile(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    version: int
    claims: list[dict[str, Any]] | None = None
    sources: list[dict[str, Any]] | None = None
