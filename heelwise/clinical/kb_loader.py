"""Read, validate and compile the knowledge-base YAML files (the slow path of loading).

Imported only when ``knowledge_base.load_knowledge_base`` has no valid cached compilation (it
brings in PyYAML and pydantic). Every item is validated against ``schema.py`` and then
cross-checked (unknown findings, conditions, sources, options, impossible rules); a problem
raises ``KnowledgeBaseError`` naming the file, the item and the reason. ``verification.yaml``
(literature checks) is merged last: an item is ``verified`` only if its claim exists there with
``verified: true``, and a claim whose checked ``value`` differs from the knowledge base stops
the load until a clinician reconciles the two.

The compiled form is plain tuples, dicts and floats so that ``assess()`` does no parsing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from heelwise.clinical import schema
from heelwise.clinical.kb_model import (
    CONDITION_KEYS,
    DISPOSITIONS,
    RED_FLAG_KEYS,
    Bin,
    CareItem,
    Claim,
    Condition,
    Finding,
    KnowledgeBase,
    KnowledgeBaseError,
    RedFlagRule,
    Stage,
    VarModel,
)
from heelwise.clinical.rules import (
    Expr,
    RuleSyntaxError,
    VariableInfo,
    Vocabulary,
    compile_expr,
    to_dnf,
)

M = TypeVar("M", bound=BaseModel)
# libyaml's safe loader when PyYAML was built with it (about ten times faster), else pure Python.
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def compile_knowledge_base(path: Path) -> KnowledgeBase:
    """Read, validate and compile the knowledge base in ``path`` (no caching)."""
    return _Loader(path).load()


def _fmt_validation(err: ValidationError) -> str:
    parts = []
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"])
        parts.append(f"{loc}: {e['msg']}" if loc else e["msg"])
    return "; ".join(parts)


_TAG = re.compile(r"\[[^\]]*\]")


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    norm_a = _TAG.sub("", str(a)).strip().lower()
    norm_b = _TAG.sub("", str(b)).strip().lower()
    return norm_a == norm_b


class _Loader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.claims: dict[str, Claim] = {}
        self.claims_seen: set[str] = set()
        self.unverified_differences: list[str] = []

    # -- helpers
    def _read(self, name: str) -> Any:
        file = self.path / name
        if not file.is_file():
            raise KnowledgeBaseError(name, "(file)", f"missing from {self.path}")
        try:
            data = yaml.load(file.read_text(encoding="utf-8"), Loader=_YAML_LOADER)  # noqa: S506
        except yaml.YAMLError as exc:
            raise KnowledgeBaseError(name, "(file)", f"not valid YAML: {exc}") from exc
        if not isinstance(data, dict):
            raise KnowledgeBaseError(name, "(file)", "must be a YAML mapping at the top level")
        return data

    def _model(self, model: type[M], data: Any, file: str, item: str) -> M:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise KnowledgeBaseError(file, item, _fmt_validation(exc)) from exc

    def _items(self, raw: Iterable[Any], file: str) -> Iterable[tuple[str, Any]]:
        seen: set[str] = set()
        for i, item in enumerate(raw):
            name = (
                str(item.get("id") or item.get("key") or f"#{i + 1}")
                if isinstance(item, dict)
                else f"#{i + 1}"
            )
            if name in seen:
                raise KnowledgeBaseError(file, name, "duplicate key")
            seen.add(name)
            yield name, item

    def _expr(self, spec: Any, vocab: Vocabulary, file: str, item: str) -> Expr:
        try:
            return compile_expr(spec, vocab)
        except RuleSyntaxError as exc:
            raise KnowledgeBaseError(file, item, f"bad condition: {exc}") from exc

    def _source(self, source: str | None, file: str, item: str) -> None:
        if source is not None and source not in self.sources:
            raise KnowledgeBaseError(file, item, f"unknown source {source!r} (not in sources.yaml)")

    def _claim(
        self, claim_id: str | None, kb_value: Any, file: str, item: str, no_value: bool = False
    ) -> bool:
        """Merge one claim: return its verified flag; fail on a conflicting *verified* value.

        ``no_value`` marks items whose claim backs a statement rather than a single value (a
        red-flag rule's basis), so the claim's value is not compared.
        """
        if claim_id is None:
            return False
        self.claims_seen.add(claim_id)
        claim = self.claims.get(claim_id)
        if claim is None:
            return False
        if not claim.verified or claim.value is None or no_value:
            if claim.value is not None and not _same_value(claim.value, kb_value):
                self.unverified_differences.append(
                    f"{file}: {item}: knowledge base {kb_value!r}, unverified check {claim.value!r}"
                )
            return claim.verified
        if kb_value is None or not _same_value(claim.value, kb_value):
            raise KnowledgeBaseError(
                f"{file} and verification.yaml",
                item,
                f"claim {claim_id!r}: the knowledge base says {kb_value!r} but the literature "
                f"check says {claim.value!r}; a clinician must reconcile the two",
            )
        return claim.verified

    # -- the load
    def load(self) -> KnowledgeBase:
        manifest = self._model(
            schema.ManifestFile, self._read("manifest.yaml"), "manifest.yaml", "(file)"
        )
        if tuple(manifest.dispositions) != DISPOSITIONS:
            raise KnowledgeBaseError(
                "manifest.yaml", "dispositions", f"must be exactly {list(DISPOSITIONS)}"
            )
        self._load_sources()
        self._load_verification()
        findings, groups = self._load_findings()
        vocab_vars = {
            k: VariableInfo(f.type, frozenset(v for v, _ in f.options)) for k, f in findings.items()
        }
        base_vocab = Vocabulary(
            vocab_vars, frozenset(CONDITION_KEYS), frozenset(RED_FLAG_KEYS), DISPOSITIONS
        )
        findings = self._compile_enable_when(findings, base_vocab)
        self_care_requires = None
        if manifest.self_care_requires is not None:
            self._source(manifest.self_care_requires_source, "manifest.yaml", "self_care_requires")
            self_care_requires = self._expr(
                manifest.self_care_requires, base_vocab, "manifest.yaml", "self_care_requires"
            )
            if self_care_requires.stateful:
                raise KnowledgeBaseError(
                    "manifest.yaml", "self_care_requires", "may only test findings"
                )
        conditions, bands, default_band, log_priors = self._load_conditions()
        variables = self._load_likelihoods(findings)
        rules = self._load_red_flags(base_vocab)
        # The conditions' own advice is computed without the answers that feed a red-flag rule
        # *less* urgent than the most urgent advice a condition can give: adding such an answer
        # could otherwise move the advice off (say) a tumour and lower the disposition below
        # what it was, breaking "a red flag never lowers the disposition". Answers used only by
        # rules at or above that level (onset and where it hurts, for the acute-tear rule) keep
        # informing the advice: when their rule fires it sets the floor anyway.
        top_advice = max(c.advice for c in conditions)
        rf_vars = frozenset().union(*(r.expr.variables for r in rules if r.level < top_advice))
        rules_by_var: dict[str, list[int]] = {}
        for i, r in enumerate(rules):
            for v in r.expr.variables:
                rules_by_var.setdefault(v, []).append(i)
        staging_cond, stages = self._load_staging(base_vocab)
        care = self._load_care_plan(base_vocab, findings)
        kb = KnowledgeBase(
            version=manifest.version,
            path=self.path,
            findings=findings,
            groups=groups,
            conditions=conditions,
            age_bands=bands,
            default_band=default_band,
            log_priors=log_priors,
            variables=variables,
            red_flag_vars=rf_vars,
            rules=rules,
            rules_by_var={k: tuple(v) for k, v in rules_by_var.items()},
            staging_condition=staging_cond,
            stages=stages,
            care_items=care[0],
            include_threshold=care[1],
            suspected_threshold=care[2],
            advice_threshold=manifest.advice_threshold,
            self_care_min_probability=manifest.self_care_min_probability,
            self_care_requires=self_care_requires,
            next_questions_max=manifest.next_questions.max,
            disposition_weight=manifest.next_questions.disposition_weight,
            min_gain=manifest.next_questions.min_gain,
            sources=self.sources,
            claims=self.claims,
            unverified_claims=tuple(sorted(self.claims_seen - set(self.claims))),
            unverified_differences=tuple(self.unverified_differences),
            claims_seen=frozenset(self.claims_seen),
            patient_keys=frozenset(k for k, f in findings.items() if f.scope == "patient"),
            findings_keys=frozenset(k for k, f in findings.items() if f.scope == "findings"),
            advice_levels=tuple(c.advice for c in conditions),
            rf_clauses=tuple(
                sorted(((r.level, c) for r in rules for c in r.clauses), key=lambda x: -x[0])
            ),
            question_candidates=tuple(
                f.key
                for f in sorted(findings.values(), key=lambda f: f.order)
                if f.key in variables
            ),
        )
        return kb

    def _load_sources(self) -> None:
        data = self._model(schema.SourcesFile, self._read("sources.yaml"), "sources.yaml", "(file)")
        self.sources: dict[str, dict[str, Any]] = {}
        for name, raw in self._items(data.sources, "sources.yaml"):
            src = self._model(schema.SourceModel, raw, "sources.yaml", name)
            self.sources[src.id] = src.model_dump()

    def _load_verification(self) -> None:
        name = "verification.yaml"
        file = self.path / name
        if not file.is_file():
            return
        raw = self._read(name)
        data = self._model(schema.VerificationFile, raw, name, "(file)")
        for sname, sraw in self._items(data.sources or [], name):
            src = self._model(schema.SourceModel, sraw, name, sname)
            if src.id in self.sources:
                raise KnowledgeBaseError(name, sname, "source id already used in sources.yaml")
            self.sources[src.id] = src.model_dump()
        for cname, craw in self._items(data.claims or [], name):
            claim = self._model(schema.ClaimModel, craw, name, cname)
            if claim.source is not None and claim.source not in self.sources:
                raise KnowledgeBaseError(name, cname, f"unknown source {claim.source!r}")
            self.claims[claim.id] = Claim(claim.id, claim.verified, claim.value, claim.source)

    def _load_findings(self) -> tuple[dict[str, Finding], list[dict[str, Any]]]:
        file = "findings.yaml"
        data = self._model(schema.FindingsFile, self._read(file), file, "(file)")
        groups = []
        for gname, graw in self._items(data.groups, file):
            groups.append(self._model(schema.GroupModel, graw, file, gname).model_dump())
        group_keys = {g["key"] for g in groups}
        findings: dict[str, Finding] = {}
        for name, raw in self._items(data.findings, file):
            m = self._model(schema.FindingModel, raw, file, name)
            if m.group not in group_keys:
                raise KnowledgeBaseError(file, name, f"unknown group {m.group!r}")
            options: tuple[tuple[str, str], ...] = ()
            bins: tuple[Bin, ...] = ()
            bounds: tuple[float, ...] = ()
            if m.type == "enum":
                if not m.options:
                    raise KnowledgeBaseError(file, name, "an enum finding needs options")
                options = tuple((o.value, o.label) for o in m.options)
                if len({v for v, _ in options}) != len(options):
                    raise KnowledgeBaseError(file, name, "duplicate option value")
            elif m.options:
                raise KnowledgeBaseError(file, name, f"options are only for enum, not {m.type}")
            if m.type == "number":
                if m.min is None or m.max is None or m.min >= m.max:
                    raise KnowledgeBaseError(file, name, "a number finding needs min < max")
                if m.bins:
                    bins = tuple(Bin(b.key, b.label, b.below) for b in m.bins)
                    if bins[-1].below is not None or any(b.below is None for b in bins[:-1]):
                        raise KnowledgeBaseError(
                            file, name, "every bin but the last needs 'below'; the last none"
                        )
                    bounds = tuple(float(b.below) for b in bins[:-1] if b.below is not None)
                    if list(bounds) != sorted(set(bounds)):
                        raise KnowledgeBaseError(file, name, "bin bounds must increase")
                elif m.diagnostic:
                    raise KnowledgeBaseError(
                        file, name, "a diagnostic number finding needs bins (or diagnostic: false)"
                    )
            default: tuple[tuple[Any, float], ...] = ()
            if m.diagnostic:
                default = self._check_defaults(m, options, bins, file, name)
            findings[m.key] = Finding(
                key=m.key,
                scope=m.scope,
                type=m.type,
                group=m.group,
                order=m.order,
                answered_by=m.answered_by,
                question=m.question,
                help=m.help,
                added=m.added,
                diagnostic=m.diagnostic,
                options=options,
                min=m.min,
                max=m.max,
                integer=m.integer,
                unit=m.unit,
                bins=bins,
                enable_when=None,
                enable_when_spec=m.enable_when,
                default=default,
                _bounds=bounds,
            )
        return findings, groups

    def _check_defaults(
        self,
        m: schema.FindingModel,
        options: tuple[tuple[str, str], ...],
        bins: tuple[Bin, ...],
        file: str,
        name: str,
    ) -> tuple[tuple[Any, float], ...]:
        if m.type == "bool":
            if m.default_p is None:
                raise KnowledgeBaseError(file, name, "a diagnostic yes/no finding needs default_p")
            return ((True, m.default_p), (False, 1.0 - m.default_p))
        values = [v for v, _ in options] if m.type == "enum" else [b.key for b in bins]
        if m.default_dist is None or set(m.default_dist) != set(values):
            raise KnowledgeBaseError(
                file, name, f"default_dist must give a weight for exactly {sorted(values)}"
            )
        total = sum(m.default_dist.values())
        return tuple((v, m.default_dist[v] / total) for v in values)

    def _compile_enable_when(
        self, findings: dict[str, Finding], vocab: Vocabulary
    ) -> dict[str, Finding]:
        out = {}
        for key, f in findings.items():
            if f.enable_when_spec is None:
                out[key] = f
                continue
            expr = self._expr(f.enable_when_spec, vocab, "findings.yaml", key)
            if key in expr.variables:
                raise KnowledgeBaseError("findings.yaml", key, "enable_when refers to itself")
            out[key] = Finding(**{**f.__dict__, "enable_when": expr})
        return out

    def _load_conditions(
        self,
    ) -> tuple[
        tuple[Condition, ...],
        tuple[tuple[str, float | None], ...],
        str,
        dict[str, tuple[float, ...]],
    ]:
        file = "conditions.yaml"
        data = self._model(schema.ConditionsFile, self._read(file), file, "(file)")
        self._source(data.priors_source, file, "priors_source")
        if data.prior_weight_source is not None:
            self._source(data.prior_weight_source, file, "prior_weight_source")
        bands = tuple((b.key, b.below) for b in data.age_bands)
        band_keys = [k for k, _ in bands]
        if not bands or bands[-1][1] is not None or any(b is None for _, b in bands[:-1]):
            raise KnowledgeBaseError(file, "age_bands", "every band but the last needs 'below'")
        if data.default_band not in band_keys:
            raise KnowledgeBaseError(file, "default_band", f"{data.default_band!r} is not a band")
        conds: list[Condition] = []
        raw_priors: dict[str, list[float]] = {k: [] for k in band_keys}
        for name, raw in self._items(data.conditions, file):
            m = self._model(schema.ConditionModel, raw, file, name)
            if set(m.priors) != set(band_keys):
                raise KnowledgeBaseError(file, name, f"priors must cover exactly {band_keys}")
            for k in band_keys:
                raw_priors[k].append(m.priors[k])
            conds.append(
                Condition(
                    key=m.key,
                    name=m.name,
                    explanation=" ".join(m.explanation.split()),
                    icd10=m.icd10.code,
                    icd10_verified=self._claim(m.icd10.claim, m.icd10.code, file, f"{name}.icd10"),
                    snomed=m.snomed.code,
                    snomed_verified=self._claim(
                        m.snomed.claim, m.snomed.code, file, f"{name}.snomed"
                    ),
                    advice=DISPOSITIONS.index(m.advice),
                )
            )
        keys = tuple(c.key for c in conds)
        if keys != CONDITION_KEYS:
            missing = sorted(set(CONDITION_KEYS) - set(keys))
            extra = sorted(set(keys) - set(CONDITION_KEYS))
            raise KnowledgeBaseError(
                file,
                "conditions",
                f"must list the 15 contract conditions in contract order "
                f"(missing {missing}, unexpected {extra})",
            )
        # A power prior: each band's stated priors raised to `prior_weight` and renormalised, so
        # the stated figures (estimates, not measured prevalences) count for less than evidence.
        a0 = data.prior_weight
        log_priors = {}
        for k, ps in raw_priors.items():
            weighted = [p**a0 for p in ps]
            total = sum(weighted)
            log_priors[k] = tuple(math.log(w / total) for w in weighted)
        return tuple(conds), bands, data.default_band, log_priors

    def _load_likelihoods(self, findings: dict[str, Finding]) -> dict[str, VarModel]:
        file = "likelihoods.yaml"
        data = self._model(schema.LikelihoodsFile, self._read(file), file, "(file)")
        unknown = set(data.conditions) - set(CONDITION_KEYS)
        if unknown:
            raise KnowledgeBaseError(file, sorted(unknown)[0], "unknown condition")
        # entries[var][condition index] = (distribution over values, source, verified)
        entries: dict[str, dict[int, tuple[dict[Any, float], str, bool]]] = {}
        for ci, cond in enumerate(CONDITION_KEYS):
            raw = data.conditions.get(cond)
            if raw is None:
                continue
            cw = self._model(schema.ConditionWeights, raw, file, cond)
            self._source(cw.source, file, cond)
            for var, wraw in cw.weights.items():
                item = f"{cond}.{var}"
                w = self._model(schema.WeightModel, wraw, file, item)
                f = findings.get(var)
                if f is None:
                    raise KnowledgeBaseError(file, item, f"unknown finding {var!r}")
                if not f.diagnostic:
                    raise KnowledgeBaseError(file, item, f"{var!r} is marked diagnostic: false")
                source = w.source or cw.source
                self._source(source, file, item)
                dist, kb_value = self._entry_dist(f, w, data.floor, file, item)
                is_verified = self._claim(w.claim, kb_value, file, item)
                entries.setdefault(var, {})[ci] = (dist, source, is_verified)
        variables: dict[str, VarModel] = {}
        for key, f in findings.items():
            if not f.diagnostic:
                continue
            default = dict(f.default)
            per_cond = entries.get(key, {})
            values = tuple(default)
            probs: dict[Any, list[float]] = {v: [] for v in values}
            weights: dict[Any, list[float]] = {v: [] for v in values}
            sources: list[str | None] = []
            verified: list[bool] = []
            for ci in range(len(CONDITION_KEYS)):
                entry = per_cond.get(ci)
                dist = entry[0] if entry else default
                sources.append(entry[1] if entry else None)
                verified.append(entry[2] if entry else False)
                for v in values:
                    probs[v].append(dist[v])
                    lw = math.log(dist[v] / default[v]) * data.temper if entry else 0.0
                    weights[v].append(max(-data.max_abs_log_lr, min(data.max_abs_log_lr, lw)))
            cond_entropy = tuple(
                -sum(probs[v][ci] * math.log(probs[v][ci]) for v in values)
                for ci in range(len(CONDITION_KEYS))
            )
            variables[key] = VarModel(
                key=key,
                values=values,
                weights={v: tuple(ws) for v, ws in weights.items()},
                probs={v: tuple(ps) for v, ps in probs.items()},
                sources=tuple(sources),
                verified=tuple(verified),
                cond_entropy=cond_entropy,
                why={
                    v: tuple(
                        (ci, round(weights[v][ci], 3), src)
                        for ci, src in enumerate(sources)
                        if src is not None and weights[v][ci] != 0.0
                    )
                    for v in values
                },
            )
        return variables

    def _entry_dist(
        self, f: Finding, w: schema.WeightModel, floor: float, file: str, item: str
    ) -> tuple[dict[Any, float], Any]:
        if f.type == "bool":
            if w.p is None or w.dist is not None:
                raise KnowledgeBaseError(file, item, "a yes/no finding takes 'p', not 'dist'")
            return {True: w.p, False: 1.0 - w.p}, w.p
        if w.dist is None or w.p is not None:
            raise KnowledgeBaseError(file, item, f"a {f.type} finding takes 'dist', not 'p'")
        values = [v for v, _ in f.options] if f.type == "enum" else [b.key for b in f.bins]
        bad = sorted(set(w.dist) - set(values))
        if bad:
            raise KnowledgeBaseError(file, item, f"unknown value(s) {bad} for {f.key!r}")
        raw = {v: w.dist.get(v, floor) for v in values}
        total = sum(raw.values())
        return {v: x / total for v, x in raw.items()}, None

    def _load_red_flags(self, vocab: Vocabulary) -> tuple[RedFlagRule, ...]:
        file = "red_flags.yaml"
        data = self._model(schema.RedFlagsFile, self._read(file), file, "(file)")
        rules = []
        for kind, raw_rules in (("red_flag", data.rules), ("escalation", data.escalations)):
            for name, raw in self._items(raw_rules, file):
                m = self._model(schema.RedFlagRuleModel, raw, file, name)
                if kind == "red_flag" and m.key not in RED_FLAG_KEYS:
                    raise KnowledgeBaseError(file, name, f"unknown red-flag key {m.key!r}")
                if kind == "escalation" and m.key in RED_FLAG_KEYS:
                    raise KnowledgeBaseError(
                        file, name, "an escalation cannot reuse a red-flag key"
                    )
                self._source(m.source, file, name)
                expr = self._expr(m.when, vocab, file, name)
                _check_monotone(m.when, file, name)
                rules.append(
                    RedFlagRule(
                        key=m.key,
                        id=m.id,
                        level=DISPOSITIONS.index(m.disposition),
                        message=" ".join(m.message.split()),
                        source=m.source,
                        verified=self._claim(m.claim, None, file, name, no_value=True),
                        expr=expr,
                        clauses=tuple(to_dnf(m.when)),
                        kind=kind,
                    )
                )
        missing = sorted(set(RED_FLAG_KEYS) - {r.key for r in rules})
        if missing:
            raise KnowledgeBaseError(file, "rules", f"no rule for red flag(s) {missing}")
        return tuple(rules)

    def _load_staging(self, vocab: Vocabulary) -> tuple[str, tuple[Stage, ...]]:
        file = "staging.yaml"
        data = self._model(schema.StagingFile, self._read(file), file, "(file)")
        if data.condition not in CONDITION_KEYS:
            raise KnowledgeBaseError(file, "condition", f"unknown condition {data.condition!r}")
        self._source(data.source, file, "source")
        stages = []
        for i, s in enumerate(data.stages):
            last = i == len(data.stages) - 1
            if s.when is None and not last:
                raise KnowledgeBaseError(
                    file, f"stage {s.stage}", "only the last stage may have no 'when' (the default)"
                )
            expr = (
                self._expr(s.when, vocab, file, f"stage {s.stage}") if s.when is not None else None
            )
            stages.append(Stage(s.stage, s.label, expr, s.default_because))
        return data.condition, tuple(stages)

    def _load_care_plan(
        self, vocab: Vocabulary, findings: dict[str, Finding]
    ) -> tuple[tuple[CareItem, ...], float, float]:
        file = "care_plan.yaml"
        data = self._model(schema.CarePlanFile, self._read(file), file, "(file)")
        items: list[CareItem] = []
        for name, raw in self._items(data.items, file):
            m = self._model(schema.CareItemModel, raw, file, name)
            for_conditions: frozenset[str] | None = None
            if m.for_ != "any":
                bad = sorted(set(m.for_) - set(CONDITION_KEYS))
                if bad:
                    raise KnowledgeBaseError(file, name, f"unknown condition(s) {bad} in 'for'")
                for_conditions = frozenset(m.for_)
            self._source(m.evidence.source, file, name)
            screen_keys: tuple[str, ...] = ()
            screen_reason = ""
            if m.screen is not None:
                bad = sorted(set(m.screen.keys) - set(findings))
                if bad:
                    raise KnowledgeBaseError(file, name, f"unknown screen finding(s) {bad}")
                screen_keys = tuple(m.screen.keys)
                screen_reason = m.screen.reason
            contraindications = tuple(
                (self._expr(c.when, vocab, file, f"{name} contraindication {i + 1}"), c.reason)
                for i, c in enumerate(m.contraindications)
            )
            items.append(
                CareItem(
                    key=m.key,
                    title=m.title,
                    for_conditions=for_conditions,
                    position=len(items),
                    weeks=m.weeks,
                    instructions=" ".join(m.instructions.split()),
                    dose=m.dose,
                    grade=m.evidence.grade,
                    summary=" ".join(m.evidence.summary.split()),
                    source=m.evidence.source,
                    verified=self._claim(m.evidence.claim, m.evidence.grade, file, name),
                    stages=frozenset(m.stages) if m.stages else None,
                    when=self._expr(m.when, vocab, file, name) if m.when is not None else None,
                    safe_during_red_flag=m.safe_during_red_flag,
                    screen_keys=screen_keys,
                    screen_reason=screen_reason,
                    contraindications=contraindications,
                )
            )
        return tuple(items), data.include_threshold, data.suspected_threshold


def _check_monotone(spec: Any, file: str, item: str) -> None:
    """Red-flag rules may not use 'not' or 'ne': adding a finding must never switch one off."""
    if isinstance(spec, Mapping):
        if "not" in spec or "ne" in spec:
            raise KnowledgeBaseError(
                file, item, "red-flag rules may not use 'not' or 'ne' (they must stay monotone)"
            )
        for v in spec.values():
            _check_monotone(v, file, item)
    elif isinstance(spec, list):
        for v in spec:
            _check_monotone(v, file, item)
