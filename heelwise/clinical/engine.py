"""The evaluator: red flags, differential, staging, next questions and care plan. Pure, no I/O.

Order of work for one request:

1. Red flags (``red_flags.yaml``) are evaluated first; each fired key keeps its most urgent tier.
2. The differential is naive Bayes over the 15 conditions: the age band's log-prior (discounted
   by ``prior_weight``) plus, for each answered finding, a tempered and clamped log-likelihood
   ratio per condition. Unknown findings add nothing; an explicit ``false`` adds the weight of
   the answer "no", which differs.
3. The disposition is the most urgent of the red flags and of the conditions' own advice. That
   advice is computed from the (discounted) adult prior and the findings that feed no red-flag
   rule less urgent than the most urgent advice (``KnowledgeBase.red_flag_vars``), so such a
   finding can only change the disposition through its own rule, which only raises it: adding a
   red-flag finding never lowers the disposition.
4. Plantar-fasciitis staging, when it leads.
5. Next questions: unanswered findings ranked by expected information gain (nats) about the
   condition plus ``disposition_weight`` times the gain about the disposition.
6. The care plan: items for the likely conditions, minus contraindicated ones, with reasons.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from operator import add as _add
from operator import itemgetter
from typing import Any

from orjson import Fragment
from orjson import dumps as _dumps

from heelwise.clinical.knowledge_base import DISPOSITIONS, KnowledgeBase, load_knowledge_base
from heelwise.clinical.questions import rank_questions, rank_questions_batch
from heelwise.clinical.rules import Context
from heelwise.clinical.validation import InvalidRequest, parse_request

RED_FLAG_FIRST = (
    "A red flag needs a clinician first: follow the red-flag advice before starting this."
)
_log = math.log
_exp = math.exp


def assess(request: Mapping[str, Any], kb: KnowledgeBase | None = None) -> dict[str, Any]:
    """Assess one request (spec/assessment.md); raise ``InvalidRequest`` if it is invalid."""
    kb = kb or load_knowledge_base()
    values, rid, problems = parse_request(kb, request)
    if problems:
        raise InvalidRequest(problems)
    return evaluate(kb, values, rid)


def evaluate(kb: KnowledgeBase, values: dict[str, Any], rid: Any = None) -> dict[str, Any]:
    """Assess already-validated values (patient and findings keys merged)."""
    return evaluate_many(kb, [values], [rid])[0]


def evaluate_many(
    kb: KnowledgeBase,
    values_list: list[dict[str, Any]],
    ids: list[Any],
    *,
    serialise_only: bool = False,
) -> list[dict[str, Any]]:
    """Assess many validated requests; the next questions are ranked for all of them at once.

    ``serialise_only`` (the JSON Lines command line): the differential and care-plan entries are
    ``orjson.Fragment`` objects holding their JSON, built from bytes prepared once per knowledge
    base, so ``orjson.dumps(result)`` gives exactly the bytes of the ordinary result while far
    fewer objects are built and freed. Such a result is for ``orjson.dumps`` only."""
    results = []
    pending = []
    for values, rid in zip(values_list, ids, strict=True):
        result, ctx, post, rf_level = _evaluate_one(kb, values, rid, serialise_only)
        results.append(result)
        pending.append((values, ctx, post, rf_level))
    ranked = rank_questions_batch(
        kb,
        [p[0] for p in pending],
        [p[1] for p in pending],
        [p[2] for p in pending],
        [p[3] for p in pending],
    )
    for result, questions in zip(results, ranked, strict=True):
        result["next_questions"] = questions
    return results


def _evaluate_one(
    kb: KnowledgeBase, values: dict[str, Any], rid: Any, serialise_only: bool = False
) -> tuple[dict[str, Any], Context, list[float], int]:
    ctx = Context(values)
    fired, rf_level = _red_flags(kb, ctx)
    post, padv, why_vars = _posteriors(kb, values)
    keys = kb.condition_keys
    order = sorted(range(len(keys)), key=lambda i: (-post[i], i))
    leading = keys[order[0]]
    advice_level, advised = _advice(kb, padv, ctx)
    level = max(rf_level, advice_level)

    differential: list[Any]
    if serialise_only:
        jwhys = _why_json(why_vars, len(keys))
        jheads = _condition_heads_json(kb)
        differential = [
            Fragment(
                b"".join((jheads[ci], _dumps(round(post[ci], 6)), b',"why":', jwhys[ci], b"}"))
            )
            for ci in order
        ]
    else:
        whys = _why_lists(why_vars, len(keys))
        heads = _condition_heads(kb)
        differential = [
            {**heads[ci], "probability": round(post[ci], 6), "why": whys[ci]} for ci in order
        ]
    stage = _stage(kb, ctx) if leading == kb.staging_condition else None
    probabilities = dict(zip(keys, post, strict=True))
    care_ctx = Context(
        values,
        probabilities=probabilities,
        leading=leading,
        red_flags=frozenset(fired),
        disposition=level,
        suspected_threshold=kb.suspected_threshold,
    )
    care_plan, excluded = _care_plan(
        kb, care_ctx, stage["stage"] if stage else None, serialise_only
    )
    return (
        {
            "id": rid,
            "disposition": DISPOSITIONS[level],
            "disposition_because": {
                "red_flags": [k for k, v in fired.items() if v["level"] == level and level > 0],
                # (escalation keys appear here too when they set the level)
                "conditions": [k for k, lv in advised if lv == level and level > 0],
            },
            "red_flags": [
                {
                    "key": k,
                    "disposition": DISPOSITIONS[v["level"]],
                    "message": v["message"],
                    "because": list(v["because"]),
                    "rule": v["rule"],
                    "source": v["source"],
                    "verified": v["verified"],
                }
                for k, v in sorted(fired.items(), key=lambda kv: -kv[1]["level"])
                if v["kind"] == "red_flag"
            ],
            "escalations": [
                {
                    "key": k,
                    "disposition": DISPOSITIONS[v["level"]],
                    "message": v["message"],
                    "because": list(v["because"]),
                    "source": v["source"],
                }
                for k, v in fired.items()
                if v["kind"] == "escalation"
            ],
            "differential": differential,
            "stage": stage,
            "next_questions": [],
            "care_plan": care_plan,
            "care_plan_excluded": excluded,
            "knowledge_base": kb.version,
        },
        ctx,
        post,
        rf_level,
    )


def _condition_heads(kb: KnowledgeBase) -> list[dict[str, Any]]:
    """The fixed part of each differential entry, built once per knowledge base."""
    heads: list[dict[str, Any]] | None = kb.cache.get("condition_heads")
    if heads is None:
        heads = kb.cache["condition_heads"] = [
            {
                "condition": c.key,
                "name": c.name,
                "icd10": c.icd10,
                "icd10_verified": c.icd10_verified,
                "snomed": c.snomed,
                "snomed_verified": c.snomed_verified,
            }
            for c in kb.conditions
        ]
    return heads


def _condition_heads_json(kb: KnowledgeBase) -> list[bytes]:
    """Each differential entry's JSON up to its probability: ``{"condition":...,"probability":``."""
    heads: list[bytes] | None = kb.cache.get("condition_heads_json")
    if heads is None:
        heads = kb.cache["condition_heads_json"] = [
            _dumps(head)[:-1] + b',"probability":' for head in _condition_heads(kb)
        ]
    return heads


def _care_entries(kb: KnowledgeBase) -> dict[str, dict[str, Any]]:
    """The fixed care-plan entry of each item, built once per knowledge base (copied per use)."""
    entries: dict[str, dict[str, Any]] | None = kb.cache.get("care_entries")
    if entries is None:
        entries = kb.cache["care_entries"] = {
            item.key: {
                "item": item.key,
                "title": item.title,
                "dose": item.dose,
                "weeks": list(item.weeks),
                "evidence": {
                    "grade": item.grade,
                    "source": item.source,
                    "verified": item.verified,
                },
            }
            for item in kb.care_items
        }
    return entries


# --------------------------------------------------------------------------- red flags


def _rule_index(kb: KnowledgeBase) -> dict[str, tuple[int, ...]]:
    """Per finding, the rules with a clause that needs it (built once per knowledge base)."""
    index: dict[str, tuple[int, ...]] | None = kb.cache.get("rule_index")
    if index is None:
        acc: dict[str, list[int]] = {}
        for i, rule in enumerate(kb.rules):
            for var in {var for clause in rule.clauses for var, _ in clause}:
                acc.setdefault(var, []).append(i)
        index = kb.cache["rule_index"] = {k: tuple(v) for k, v in acc.items()}
    return index


def _red_flags(kb: KnowledgeBase, ctx: Context) -> tuple[dict[str, dict[str, Any]], int]:
    """Fire the rules. Each rule is checked clause by clause (its condition rewritten as OR of
    ANDs), so a clause stops at its first unknown or failing finding. Only rules that read an
    answered finding can fire, so only those are checked (in knowledge-base order)."""
    values = ctx.values
    fired: dict[str, dict[str, Any]] = {}
    level = 0
    index = _rule_index(kb)
    candidates: set[int] = set()
    for key in values:
        hit = index.get(key)
        if hit is not None:
            candidates.update(hit)
    if not candidates:
        return fired, level
    rules = kb.rules
    for i in sorted(candidates):
        rule = rules[i]
        prev = fired.get(rule.key)
        if prev is not None and prev["level"] >= rule.level:
            continue
        because: list[str] = []
        for clause in rule.clauses:
            for var, test in clause:
                v = values.get(var)
                if v is None or not test(v):
                    break
            else:
                because.extend(var for var, _ in clause)
        if not because:
            continue
        fired[rule.key] = {
            "kind": rule.kind,
            "level": rule.level,
            "message": rule.message,
            "because": tuple(dict.fromkeys(because)),
            "rule": rule.id,
            "source": rule.source,
            "verified": rule.verified,
        }
        if rule.level > level:
            level = rule.level
    return fired, level


def red_flag_level(kb: KnowledgeBase, values: Mapping[str, Any]) -> int:
    """The most urgent red-flag level (index into DISPOSITIONS) for these values."""
    return _red_flags(kb, Context(values))[1]


# --------------------------------------------------------------------------- differential


def _softmax(logs: list[float]) -> list[float]:
    m = max(logs)
    e = [_exp(x - m) for x in logs]
    s = sum(e)
    return [x / s for x in e]


# (finding, value, whether the value must be set in each entry, per condition it moves:
#  (condition index, -|weight|, the entry with its fixed fields), and the same as JSON:
#  (condition index, -|weight|, JSON before the value, JSON after it, the whole JSON))
WhyEntry = tuple[int, float, dict[str, Any]]
WhyJson = tuple[int, float, bytes, bytes, bytes]
WhyVar = tuple[str, Any, bool, tuple[WhyEntry, ...], tuple[WhyJson, ...]]


def _why_table(kb: KnowledgeBase) -> dict[str, dict[Any, tuple[Any, ...]]]:
    """Per finding and answer category: (weights, why entries, the entries as JSON), built once
    per knowledge base.

    An entry's dict is a template, copied for every result (results never share objects);
    for a number the ``value`` is the answer itself, filled in per request."""
    table: dict[str, dict[Any, tuple[Any, ...]]] | None = kb.cache.get("why_table")
    if table is None:
        table = kb.cache["why_table"] = {}
        for key, vm in kb.variables.items():
            by_value: dict[Any, tuple[Any, ...]] = {}
            for vk in vm.values:
                entries: list[WhyEntry] = []
                encoded: list[WhyJson] = []
                for ci, w, source in vm.why[vk]:
                    direction = "for" if w > 0 else "against"
                    template = {
                        "finding": key,
                        "value": vk,
                        "direction": direction,
                        "weight": w,
                        "source": source,
                    }
                    entries.append((ci, -abs(w), template))
                    head = _dumps({"finding": key})[:-1] + b',"value":'
                    tail = (
                        b"," + _dumps({"direction": direction, "weight": w, "source": source})[1:]
                    )
                    encoded.append((ci, -abs(w), head, tail, _dumps(template)))
                by_value[vk] = (vm.weights[vk], tuple(entries), tuple(encoded))
            table[key] = by_value
    return table


def _posteriors(
    kb: KnowledgeBase, values: Mapping[str, Any]
) -> tuple[list[float], list[float], list[WhyVar]]:
    band = kb.age_band(values.get("age"))
    # Log prior plus each answer's weights, added in the order answered (element-wise, C loop).
    logp: Any = kb.log_priors[band]
    logadv: Any = kb.log_priors[kb.default_band]
    rf_vars = kb.red_flag_vars
    table = _why_table(kb)
    findings = kb.findings
    why_vars: list[WhyVar] = []
    for key, value in values.items():
        by_value = table.get(key)
        if by_value is None:
            continue
        hit = by_value.get(value)  # yes/no and options: the answer is its own category
        f = findings[key]
        ws, why, why_json = hit if hit is not None else by_value[f.value_key(value)]
        logp = list(map(_add, logp, ws))
        if key not in rf_vars:
            logadv = list(map(_add, logadv, ws))
        why_vars.append((key, value, f.type == "number", why, why_json))
    return _softmax(logp), _softmax(logadv), why_vars


_by_weight = itemgetter(0)


def _why_lists(why_vars: list[WhyVar], n: int) -> list[list[dict[str, Any]]]:
    """Per condition, the findings that moved it, strongest first (ties: order answered)."""
    staged: list[list[tuple[float, dict[str, Any]]]] = [[] for _ in range(n)]
    for _, value, set_value, entries, _ in why_vars:
        for ci, neg_abs, template in entries:
            entry = template.copy()
            if set_value:
                entry["value"] = value
            staged[ci].append((neg_abs, entry))
    out: list[list[dict[str, Any]]] = []
    for lst in staged:
        if len(lst) > 1:
            lst.sort(key=_by_weight)  # stable: equal weights keep the order answered
        out.append([d for _, d in lst])
    return out


def _why_json(why_vars: list[WhyVar], n: int) -> list[bytes]:
    """``_why_lists`` as JSON arrays (``serialise_only``): the same entries, in the same order."""
    staged: list[list[tuple[float, bytes]]] = [[] for _ in range(n)]
    for _, value, set_value, _, entries in why_vars:
        if set_value:
            encoded = _dumps(value)
            for ci, neg_abs, head, tail, _ in entries:
                staged[ci].append((neg_abs, head + encoded + tail))
        else:
            for ci, neg_abs, _, _, whole in entries:
                staged[ci].append((neg_abs, whole))
    out: list[bytes] = []
    for lst in staged:
        if not lst:
            out.append(b"[]")
            continue
        if len(lst) > 1:
            lst.sort(key=_by_weight)  # stable: equal weights keep the order answered
        out.append(b"[" + b",".join([b for _, b in lst]) + b"]")
    return out


def _advice(
    kb: KnowledgeBase, padv: list[float], ctx: Context
) -> tuple[int, list[tuple[str, int]]]:
    level = 0
    advised = []
    self_care_mass = 0.0
    for cond, p in zip(kb.conditions, padv, strict=True):
        if cond.advice == 0:
            self_care_mass += p
        elif p >= kb.advice_threshold:
            advised.append((cond.key, cond.advice))
            level = max(level, cond.advice)
    if level == 0 and (
        self_care_mass < kb.self_care_min_probability
        or (
            kb.self_care_requires is not None and kb.self_care_requires.evaluate(ctx)[0] is not True
        )
    ):
        advised.append(("atypical_pattern", 1))
        level = 1
    return level, advised


# --------------------------------------------------------------------------- staging


def _stage(kb: KnowledgeBase, ctx: Context) -> dict[str, Any] | None:
    """The first stage whose `when` is true, with the answers that made it true; None when no
    stage applies (the last stage has a `when` too, so that no stage is claimed without the pain
    answers that define it)."""
    for stage in kb.stages:
        if stage.expr is None:
            because = [stage.default_because] if stage.default_because else []
            return {"stage": stage.stage, "label": stage.label, "because": because}
        value, why = stage.expr.evaluate(ctx)
        if value is True:
            reasons = [_describe(kb, k, ctx.values[k]) for k in why if k in ctx.values]
            return {"stage": stage.stage, "label": stage.label, "because": reasons}
    return None


def _describe(kb: KnowledgeBase, key: str, value: Any) -> str:
    f = kb.findings[key]
    if f.type == "bool":
        return f"{key}: {'yes' if value else 'no'}"
    return f"{key}: {value}"


# --------------------------------------------------------------------------- next questions


def next_questions(request: Mapping[str, Any], kb: KnowledgeBase | None = None) -> list[str]:
    """The unanswered findings that would most change the differential or the disposition."""
    kb = kb or load_knowledge_base()
    values, _, problems = parse_request(kb, request)
    if problems:
        raise InvalidRequest(problems)
    ctx = Context(values)
    _, rf_level = _red_flags(kb, ctx)
    post, _, _ = _posteriors(kb, values)
    return rank_questions(kb, values, ctx, post, rf_level)


# --------------------------------------------------------------------------- care plan


def _care_index(kb: KnowledgeBase) -> tuple[frozenset[int], dict[str, frozenset[int]]]:
    """Positions of the items for any condition, and per condition the items for it."""
    index: tuple[frozenset[int], dict[str, frozenset[int]]] | None = kb.cache.get("care_index")
    if index is None:
        always = frozenset(i for i, it in enumerate(kb.care_items) if it.for_conditions is None)
        per: dict[str, set[int]] = {c: set() for c in kb.condition_keys}
        for i, it in enumerate(kb.care_items):
            for c in it.for_conditions or ():
                per[c].add(i)
        index = kb.cache["care_index"] = (always, {c: frozenset(v) for c, v in per.items()})
    return index


def _care_plan(
    kb: KnowledgeBase, ctx: Context, stage: int | None, serialise_only: bool = False
) -> tuple[list[Any], list[dict[str, Any]]]:
    plan: list[Any] = []
    excluded: list[dict[str, Any]] = []
    threshold = kb.include_threshold
    active = {c for c, p in ctx.probabilities.items() if p >= threshold}
    active.add(ctx.leading or "")
    red_flag_first = ctx.disposition >= DISPOSITIONS.index("urgent")
    values = ctx.values
    entries = _care_entries(kb)
    always, per_condition = _care_index(kb)
    positions = set(always)
    for c in active:
        hit = per_condition.get(c)
        if hit is not None:
            positions |= hit
    items = kb.care_items
    for pos in sorted(positions):  # the items of an active condition, in file order
        item = items[pos]
        if item.stages is not None and stage is not None and stage not in item.stages:
            continue
        when = item.when
        if when is not None and (
            (not when.stateful and when.variables.isdisjoint(values))
            or when.evaluate(ctx)[0] is not True
        ):
            continue
        reasons = []
        if red_flag_first and not item.safe_during_red_flag:
            reasons.append(RED_FLAG_FIRST)
        for expr, reason in item.contraindications:
            if (expr.stateful or not expr.variables.isdisjoint(values)) and expr.evaluate(ctx)[
                0
            ] is True:
                reasons.append(reason)
        if item.screen_keys and not reasons and _screen_incomplete(kb, ctx, item.screen_keys):
            reasons.append(item.screen_reason)
        if reasons:
            excluded.append(
                {
                    "item": item.key,
                    "title": item.title,
                    "reason": " ".join(reasons),
                }
            )
            continue
        if serialise_only:
            plan.append(item)
            continue
        entry = entries[item.key]
        plan.append({**entry, "weeks": list(item.weeks), "evidence": dict(entry["evidence"])})
    if serialise_only:
        plan.sort(key=_first_week)
        jentries = _care_entries_json(kb)
        return [jentries[item.key] for item in plan], excluded
    plan.sort(key=lambda e: e["weeks"][0])
    return plan, excluded


def _first_week(item: Any) -> int:
    return int(item.weeks[0])


def _care_entries_json(kb: KnowledgeBase) -> dict[str, Fragment]:
    """The JSON of each care-plan entry (``serialise_only``), built once per knowledge base."""
    out: dict[str, Fragment] | None = kb.cache.get("care_entries_json")
    if out is None:
        out = kb.cache["care_entries_json"] = {
            key: Fragment(_dumps(entry)) for key, entry in _care_entries(kb).items()
        }
    return out


def _screen_incomplete(kb: KnowledgeBase, ctx: Context, keys: tuple[str, ...]) -> bool:
    for key in keys:
        if key in ctx.values:
            continue
        enable = kb.findings[key].enable_when
        if enable is not None and enable.evaluate(ctx)[0] is False:
            continue  # not applicable (e.g. pregnancy for a man)
        return True
    return False
