"""What stops the return-to-run programme besides check-in red flags.

Other apps (the self-assessment, a clinician's record) register a source that returns, for a
user, the reasons running must not be progressed: for example "latest assessment: suspected
stress fracture". The runlog knows nothing about their models; they call
``register_blocker_source`` from their ``AppConfig.ready()``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: Conditions for which the pain-monitoring model must not be used (clinical reference, 5).
NO_RUN_THROUGH_PAIN = ("stress fracture", "rupture", "infection", "tumour")

BlockerSource = Callable[[Any], list[str]]
_SOURCES: list[BlockerSource] = []


def register_blocker_source(source: BlockerSource) -> None:
    if source not in _SOURCES:
        _SOURCES.append(source)


def programme_blockers(user: Any) -> list[str]:
    reasons: list[str] = []
    for source in _SOURCES:
        reasons.extend(source(user))
    return reasons
