"""Next questions: rank unanswered findings by expected information gain (vectorised).

For each candidate finding V with values v and the current posterior p(c):

* gain about the condition   I(C; V) = H(V) - sum_c p(c) H(V | c)
* gain about the disposition H(D) - sum_v P(v) H(D | v), where D = max(red-flag level after
  answering v, the advice level of the true condition). The red-flag level after a hypothetical
  answer comes from the rules' clauses that this one answer would complete.

score = gain about the condition + disposition_weight * gain about the disposition (nats).
Likelihoods are the knowledge base's raw P(value | condition) (untempered).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from heelwise.clinical.knowledge_base import DISPOSITIONS, KnowledgeBase
from heelwise.clinical.rules import Clause, Context

_LEVELS = len(DISPOSITIONS)


class QuestionModel:
    """The knowledge base's likelihoods laid out as matrices (built once per knowledge base)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.keys = kb.question_candidates
        self.index = {k: i for i, k in enumerate(self.keys)}
        columns: list[tuple[float, ...]] = []
        starts: list[int] = []
        self.var_cols: dict[str, list[tuple[int, Any]]] = {}
        for key in self.keys:
            vm = kb.variables[key]
            f = kb.findings[key]
            starts.append(len(columns))
            cols = self.var_cols.setdefault(key, [])
            for v in vm.values:
                cols.append((len(columns), f.representative(v)))
                columns.append(vm.probs[v])
        self.P = np.array(columns, dtype=float).T  # (conditions, answers)
        self.starts = np.array(starts, dtype=np.intp)
        self.h_v_given_c = np.array([kb.variables[k].cond_entropy for k in self.keys]).T
        self.onehot = np.zeros((_LEVELS, len(kb.conditions)))
        for ci, level in enumerate(kb.advice_levels):
            self.onehot[level, ci] = 1.0
        self.levels = np.arange(_LEVELS)[:, None]
        self.columns = np.arange(self.P.shape[1])
        self.conditional = [k for k in self.keys if kb.findings[k].enable_when is not None]
        # A clause on a single finding fires on that answer alone, whatever else is known:
        # its level per answer is precomputed. Clauses over several findings are checked per
        # request (see _near), with the answers that satisfy the clause precomputed here.
        self.standalone = np.zeros(self.P.shape[1], dtype=np.intp)
        self.multi: list[tuple[int, Clause, dict[str, tuple[int, ...]]]] = []
        for level, clause in kb.rf_clauses:
            variables = {var for var, _ in clause}
            satisfying = {
                var: tuple(
                    col
                    for col, rep in self.var_cols.get(var, ())
                    if all(t(rep) for v2, t in clause if v2 == var)
                )
                for var in variables
            }
            if len(variables) == 1:
                for col in next(iter(satisfying.values())):
                    self.standalone[col] = max(self.standalone[col], level)
            else:
                self.multi.append((level, clause, satisfying))


def _model(kb: KnowledgeBase) -> QuestionModel:
    model: QuestionModel | None = kb.cache.get("questions")
    if model is None:
        model = kb.cache["questions"] = QuestionModel(kb)
    return model


def _near(qm: QuestionModel, values: Mapping[str, Any], current: int) -> list[tuple[int, int]]:
    """(answer column, level) for multi-finding clauses that one more answer would complete."""
    out: list[tuple[int, int]] = []
    for level, clause, satisfying in qm.multi:
        if level <= current:
            break
        missing = None
        for var, test in clause:
            v = values.get(var)
            if v is None:
                if missing is None:
                    missing = var
                elif missing != var:
                    break
            elif not test(v):
                break
        else:
            if missing is not None:
                out.extend((col, level) for col in satisfying[missing])
    return out


def _entropy(ps: Sequence[float]) -> float:
    arr = np.asarray(ps, dtype=float)
    arr = arr[arr > 0]
    return float(-(arr * np.log(arr)).sum())


def rank_questions(
    kb: KnowledgeBase,
    values: Mapping[str, Any],
    ctx: Context,
    posterior: Sequence[float],
    rf_level: int,
) -> list[str]:
    """Unanswered findings, best first (at most ``next_questions.max``)."""
    qm = _model(kb)
    post = np.asarray(posterior, dtype=float)
    pv = post @ qm.P
    plogp = pv * np.log(pv)
    gain = -np.add.reduceat(plogp, qm.starts) - post @ qm.h_v_given_c

    weight = kb.disposition_weight
    if weight > 0:
        lv = np.maximum(qm.standalone, rf_level)
        for col, level in _near(qm, values, rf_level):
            if level > lv[col]:
                lv[col] = level
        by_group = (qm.onehot * post) @ qm.P  # (levels, answers)
        d = np.where(qm.levels > lv, by_group, 0.0)
        d[lv, qm.columns] = np.cumsum(by_group, axis=0)[lv, qm.columns]
        xlogx = d * np.log(np.where(d > 0, d, 1.0))
        h_after = np.add.reduceat(plogp - xlogx.sum(axis=0), qm.starts)
        d_now = qm.onehot @ post
        merged = [float(d_now[: rf_level + 1].sum()), *(float(x) for x in d_now[rf_level + 1 :])]
        gain = gain + weight * (_entropy(merged) - h_after)

    for key in values:
        i = qm.index.get(key)
        if i is not None:
            gain[i] = -np.inf
    for key in qm.conditional:
        enable = kb.findings[key].enable_when
        if enable is not None and enable.evaluate(ctx)[0] is False:
            gain[qm.index[key]] = -np.inf
    order = np.argsort(-gain, kind="stable")[: kb.next_questions_max]
    return [qm.keys[i] for i in order if gain[i] >= kb.min_gain]
