"""next_questions: the vectorised ranking equals a plain, slow expected-information-gain sum."""

from __future__ import annotations

import math
from typing import Any

import pytest

from heelwise.clinical import load_knowledge_base, next_questions
from heelwise.clinical.engine import _posteriors, red_flag_level
from heelwise.clinical.knowledge_base import DISPOSITIONS, KnowledgeBase
from heelwise.clinical.rules import Context

KB = load_knowledge_base()


def _h(ps: list[float]) -> float:
    total = sum(ps)
    return -sum(p / total * math.log(p / total) for p in ps if p > 0)


def reference_gains(kb: KnowledgeBase, values: dict[str, Any]) -> dict[str, float]:
    """Expected information gain written out directly from the definition (slow)."""
    post, _, _ = _posteriors(kb, values)
    rf = red_flag_level(kb, values)
    advice = kb.advice_levels
    d_now = [0.0] * len(DISPOSITIONS)
    for p, a in zip(post, advice, strict=True):
        d_now[max(a, rf)] += p
    gains = {}
    for key in kb.question_candidates:
        if key in values:
            continue
        f = kb.findings[key]
        if f.enable_when is not None and f.enable_when.evaluate(Context(values))[0] is False:
            continue
        vm = kb.variables[key]
        h_c_after = 0.0
        h_d_after = 0.0
        for v in vm.values:
            joint = [p * q for p, q in zip(post, vm.probs[v], strict=True)]
            pv = sum(joint)
            h_c_after += pv * _h(joint)
            lv = red_flag_level(kb, {**values, key: f.representative(v)})
            d = [0.0] * len(DISPOSITIONS)
            for p, a in zip(joint, advice, strict=True):
                d[max(a, lv)] += p
            h_d_after += pv * _h(d)
        gains[key] = (_h(post) - h_c_after) + kb.disposition_weight * (_h(d_now) - h_d_after)
    return gains


CASES = [
    {},
    {"pain_location": "plantar_medial", "first_step_pain": True},
    {"age": 10, "pain_location": "posteroinferior"},
    {"diabetes": True, "onset": "trauma"},
    {"fever": True, "redness": True},
    {"numbness": True, "duration_weeks": 20, "sex": "female"},
    {"saddle_anaesthesia": True, "age": 70},
    {"age": 12, "swelling": True, "onset": "trauma"},
]


@pytest.mark.parametrize("values", CASES)
def test_it_ranks_by_expected_information_gain(values: dict[str, Any]) -> None:
    gains = reference_gains(KB, values)
    expected = sorted(gains, key=lambda k: (-round(gains[k], 9), KB.question_candidates.index(k)))
    expected = [k for k in expected if gains[k] >= KB.min_gain][: KB.next_questions_max]
    patient = {k: v for k, v in values.items() if k in KB.patient_keys}
    findings = {k: v for k, v in values.items() if k in KB.findings_keys}
    got = next_questions({"patient": patient, "findings": findings})
    assert got == expected
