"""Heelwise clinical engine: a pure-Python library (no Django) behind ``heelwise assess``.

Public API::

    assess(request) -> dict                 # spec/assessment.md result; raises InvalidRequest
    validate_request(request) -> list       # [{"field": ..., "message": ...}], empty when valid
    next_questions(request) -> list[str]    # best unanswered findings first
    load_knowledge_base(path=None)          # compiled KB, cached per directory
    knowledge_base_version() -> str
    findings_metadata() -> list[dict]       # question, options, who answers, group, order...
    care_plan_catalogue() -> list[dict]     # instructions and evidence summary of every item

Decision support only: the engine ranks possibilities and sets an urgency; it never diagnoses.
"""

from __future__ import annotations

import os
from typing import Any

# The engine's matrices are tiny (15 conditions x ~180 answers): BLAS worker threads only add
# contention, so ask for one thread unless the caller already chose (read at numpy import).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from heelwise.clinical.engine import assess, next_questions  # noqa: E402
from heelwise.clinical.knowledge_base import (  # noqa: E402
    KnowledgeBase,
    KnowledgeBaseError,
    load_knowledge_base,
)
from heelwise.clinical.validation import InvalidRequest, validate_request  # noqa: E402

__all__ = [
    "InvalidRequest",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "assess",
    "care_plan_catalogue",
    "findings_metadata",
    "knowledge_base_version",
    "load_knowledge_base",
    "next_questions",
    "validate_request",
]


def knowledge_base_version() -> str:
    """The version string every result carries."""
    return load_knowledge_base().version


def findings_metadata() -> list[dict[str, Any]]:
    """Every request key with what a questionnaire needs to ask it, in display order."""
    return load_knowledge_base().findings_metadata()


def care_plan_catalogue() -> list[dict[str, Any]]:
    """Every care-plan item's instructions, dose and evidence (results refer to items by key)."""
    return load_knowledge_base().care_plan_catalogue()
