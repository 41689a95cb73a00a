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
from heelwise.clinical.rules import Clause, Context, Expr

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
        # One matrix so that post @ fused gives, per advice level, P(answer, level) for every
        # answer column, followed by sum_c p(c) H(V | c) for every finding: one product.
        n_answers = self.P.shape[1]
        blocks = [self.P * self.onehot[level][:, None] for level in range(_LEVELS)]
        self.fused = np.hstack(
            [*blocks, np.array([kb.variables[k].cond_entropy for k in self.keys]).T]
        )
        self.n_answers = n_answers
        self.levels = np.arange(_LEVELS)[:, None]
        self.levels_used = max(kb.advice_levels) + 1
        self.columns = np.arange(self.P.shape[1])
        self.conditional: list[tuple[str, Expr]] = [
            (k, e) for k in self.keys if (e := kb.findings[k].enable_when) is not None
        ]
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
        # Per finding, the multi-finding clauses that read it (positions in ``multi``): a clause
        # with none of its findings answered has two or more unknown and cannot be one answer
        # away from firing, so only these are checked.
        by_var: dict[str, list[int]] = {}
        for i, (_, clause, _) in enumerate(self.multi):
            for var in {var for var, _ in clause}:
                by_var.setdefault(var, []).append(i)
        self.multi_by_var = {k: tuple(v) for k, v in by_var.items()}


def _model(kb: KnowledgeBase) -> QuestionModel:
    model: QuestionModel | None = kb.cache.get("questions")
    if model is None:
        model = kb.cache["questions"] = QuestionModel(kb)
    return model


def _near(qm: QuestionModel, values: Mapping[str, Any], current: int) -> list[tuple[int, int]]:
    """(answer column, level) for multi-finding clauses that one more answer would complete."""
    out: list[tuple[int, int]] = []
    by_var = qm.multi_by_var
    candidates: set[int] = set()
    for key in values:
        hit = by_var.get(key)
        if hit is not None:
            candidates.update(hit)
    multi = qm.multi
    for i in candidates:
        level, clause, satisfying = multi[i]
        if level <= current:
            continue
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


def rank_questions(
    kb: KnowledgeBase,
    values: Mapping[str, Any],
    ctx: Context,
    posterior: Sequence[float],
    rf_level: int,
) -> list[str]:
    """Unanswered findings, best first (at most ``next_questions.max``)."""
    return rank_questions_batch(kb, [values], [ctx], [posterior], [rf_level])[0]


def rank_questions_batch(
    kb: KnowledgeBase,
    values: Sequence[Mapping[str, Any]],
    contexts: Sequence[Context],
    posteriors: Sequence[Sequence[float]],
    rf_levels: Sequence[int],
) -> list[list[str]]:
    """``rank_questions`` for many requests at once (one set of matrix products per batch)."""
    qm = _model(kb)
    n = len(values)
    if n == 0:
        return []
    post = np.asarray(posteriors, dtype=float)  # (requests, conditions)
    product = post @ qm.fused
    split = _LEVELS * qm.n_answers
    # joint P(answer, advice group): (requests, levels, answers)
    by_group = product[:, :split].reshape(n, _LEVELS, qm.n_answers)
    pv = by_group.sum(axis=1)
    plogp = pv * np.log(pv)
    gain = -np.add.reduceat(plogp, qm.starts, axis=1) - product[:, split:]

    weight = kb.disposition_weight
    if weight > 0:
        rf = np.asarray(rf_levels, dtype=np.intp)
        lv = np.maximum(qm.standalone[None, :], rf[:, None])
        for b in range(n):
            for col, level in _near(qm, values[b], int(rf[b])):
                if level > lv[b, col]:
                    lv[b, col] = level
        # After answer v the disposition is max(lv(v), advice): groups at or below lv(v) merge
        # into lv(v). sum_l d_l log d_l = C_lv log C_lv + sum_{l > lv} S_l log S_l, with C the
        # cumulative group mass and S the group mass.
        # Only the advice levels some condition uses carry mass (each strictly positive); a
        # red-flag level above them merges every group, which the clamp below expresses.
        used = by_group[:, : qm.levels_used, :]
        lv_used = np.minimum(lv, qm.levels_used - 1)[:, None, :]
        merged = np.take_along_axis(np.cumsum(used, axis=1), lv_used, axis=1)[:, 0, :]
        scum = np.cumsum(used * np.log(used), axis=1)
        above_lv = scum[:, -1, :] - np.take_along_axis(scum, lv_used, axis=1)[:, 0, :]
        h_after = np.add.reduceat(plogp - merged * np.log(merged) - above_lv, qm.starts, axis=1)
        d_now = post @ qm.onehot.T  # (requests, levels)
        c_now = np.cumsum(d_now, axis=1)
        dlogd = np.cumsum(d_now * np.log(np.maximum(d_now, 1e-300)), axis=1)
        m_now = c_now[np.arange(n), rf]
        h_now = -(m_now * np.log(m_now) + dlogd[:, -1] - dlogd[np.arange(n), rf])
        gain = gain + weight * (h_now[:, None] - h_after)

    index = qm.index
    for b in range(n):
        row = gain[b]
        for key in values[b]:
            i = index.get(key)
            if i is not None:
                row[i] = -np.inf
        vals = values[b]
        for key, enable in qm.conditional:
            # an enable_when can only be false when one of its findings is known
            if not enable.variables.isdisjoint(vals) and enable.evaluate(contexts[b])[0] is False:
                row[index[key]] = -np.inf
    k = kb.next_questions_max
    order = np.argsort(-gain, axis=1, kind="stable")[:, :k]
    chosen = np.take_along_axis(gain, order, axis=1)
    keys = qm.keys
    min_gain = kb.min_gain
    return [
        [
            keys[i]
            for i, g in zip(order[b].tolist(), chosen[b].tolist(), strict=True)
            if g >= min_gain
        ]
        for b in range(n)
    ]
