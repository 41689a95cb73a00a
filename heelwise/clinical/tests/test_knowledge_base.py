"""Knowledge-base loading: validation, and failures that name the file, item and reason."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from heelwise.clinical.engine import assess
from heelwise.clinical.knowledge_base import (
    CONDITION_KEYS,
    KnowledgeBase,
    KnowledgeBaseError,
    load_knowledge_base,
)

Edit = Callable[[str, str, str], None]


def test_it_loads_the_shipped_knowledge_base(kb: KnowledgeBase) -> None:
    assert kb.condition_keys == CONDITION_KEYS
    assert kb.version
    summary = kb.summary()
    assert summary["red_flag_rules"] >= 17
    assert summary["conditions"] == 15


def test_it_documents_every_finding_for_the_questionnaire(kb: KnowledgeBase) -> None:
    meta = kb.findings_metadata()
    keys = {m["key"] for m in meta}
    assert {"pain_location", "first_step_pain", "age", "nsaid_allergy", "pop_felt"} <= keys
    for m in meta:
        assert m["question"] and m["answered_by"] in ("patient", "clinician")
        assert m["group"] in {g["key"] for g in kb.groups}
        if m["type"] in ("bool", "enum"):
            assert m["options"] and all("label" in o for o in m["options"])
    pop = next(m for m in meta if m["key"] == "pop_felt")
    assert pop["enable_when"] is not None
    orders = [m["order"] for m in meta]
    assert orders == sorted(orders)


def test_it_covers_every_section_0_finding(kb: KnowledgeBase) -> None:
    section0 = (
        "pain_location",
        "bilateral",
        "pain_character",
        "radiates_distally",
        "first_step_pain",
        "post_rest_pain",
        "warm_up_improves",
        "pain_during_activity",
        "pain_after_activity",
        "pain_at_night",
        "onset",
        "pop_felt",
        "duration_weeks",
        "pain_nrs",
        "can_bear_weight",
        "burning_or_tingling",
        "numbness",
        "foot_muscle_weakness",
        "back_pain_radiating_leg",
        "ankle_reflex_reduced",
        "slr_positive",
        "tinel_tarsal_positive",
        "swelling",
        "redness",
        "warmth",
        "bruising",
        "skin_wound_or_discharge",
        "tender_medial_calcaneal_tubercle",
        "tender_heel_pad_center",
        "tender_achilles_insertion",
        "tender_achilles_midportion",
        "tender_retrocalcaneal_bursa",
        "posterior_heel_prominence",
        "squeeze_test_positive",
        "windlass_positive",
        "hop_test_pain",
        "limited_ankle_dorsiflexion",
        "barefoot_or_hard_surface_worse",
        "fever",
        "diabetes",
        "cancer_history",
        "weight_loss",
        "morning_stiffness_over_30min",
        "inflammatory_back_pain",
        "other_joints_affected",
        "psoriasis",
        "recent_infection_gu_or_gi",
        "recent_steroid_injection",
        "menstrual_irregularity",
        "gout_history_or_hyperuricaemia",
    )
    assert len(section0) == 50
    assert set(section0) <= kb.findings_keys
    assert {"age", "sex", "bmi", "runner", "weekly_km", "recent_load_increase"} == kb.patient_keys


@pytest.mark.parametrize(
    ("name", "old", "new", "item", "reason"),
    [
        (
            "likelihoods.yaml",
            "      bilateral: {p: 0.3, source: R33}",
            "      bilaterl: {p: 0.3, source: R33}",
            "plantar_fasciitis.bilaterl",
            "unknown finding",
        ),
        (
            "likelihoods.yaml",
            "      bilateral: {p: 0.3, source: R33}",
            "      bilateral: {p: 1.7, source: R33}",
            "plantar_fasciitis.bilateral",
            "less than or equal to 0.999",
        ),
        (
            "likelihoods.yaml",
            "      bilateral: {p: 0.3, source: R33}",
            "      bilateral: {p: 0.3, source: R999}",
            "plantar_fasciitis.bilateral",
            "unknown source",
        ),
        (
            "red_flags.yaml",
            "when: {var: can_bear_weight, eq: false}",
            "when: {var: can_bear_weight, eq: nope}",
            "unable_to_bear_weight",
            "compare it with true or false",
        ),
        (
            "red_flags.yaml",
            "when: {var: can_bear_weight, eq: false}",
            "when: {not: {var: can_bear_weight, eq: true}}",
            "unable_to_bear_weight",
            "may not use 'not'",
        ),
        (
            "red_flags.yaml",
            "    disposition: urgent\n    when: {var: can_bear_weight, eq: false}",
            "    disposition: very_urgent\n    when: {var: can_bear_weight, eq: false}",
            "unable_to_bear_weight",
            "disposition",
        ),
        (
            "care_plan.yaml",
            "    for: [plantar_fasciitis]\n    weeks: [1, 12]\n    instructions: >-\n      Stand",
            "    for: [plantar_fascitis]\n    weeks: [1, 12]\n    instructions: >-\n      Stand",
            "high_load_strength",
            "unknown condition",
        ),
        (
            "care_plan.yaml",
            "      - when: peptic_ulcer_history\n",
            "      - when: stomach_ulcer\n",
            "nsaid_oral contraindication 1",
            "unknown finding",
        ),
        (
            "findings.yaml",
            "    enable_when: {var: runner, eq: true}\n  - key: recent_load_increase",
            "    enable_when: {var: runner, eq: true}\n  - key: runner",
            "runner",
            "duplicate key",
        ),
        (
            "conditions.yaml",
            "priors: {young_child: 0.08, child: 0.08, adult: 0.50, older: 0.45}",
            "priors: {young_child: 0.08, child: 0.08, adult: 0.50}",
            "plantar_fasciitis",
            "priors must cover",
        ),
        (
            "conditions.yaml",
            "prior_weight: 0.5",
            "prior_weight: 0",
            "(file)",
            "greater than 0",
        ),
        (
            "conditions.yaml",
            "prior_weight_source: H6",
            "prior_weight_source: H66",
            "prior_weight_source",
            "unknown source",
        ),
        (
            "staging.yaml",
            "when: pain_during_activity",
            "when: pain_during_activty",
            "stage 2",
            "unknown finding",
        ),
    ],
)
def test_it_fails_loudly_on_a_broken_file(
    kb_copy: Path, edit: Edit, name: str, old: str, new: str, item: str, reason: str
) -> None:
    edit(name, old, new)
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(kb_copy)
    err = info.value
    assert err.file.startswith(name)
    assert err.item == item
    assert reason in err.reason
    assert name in str(err) and item in str(err)


def _prior_differential(kb: KnowledgeBase, age: int) -> dict[str, float]:
    result = assess({"patient": {"age": age}, "findings": {}}, kb)
    return {c["condition"]: c["probability"] for c in result["differential"]}


def test_the_prior_weight_discounts_the_stated_priors(
    kb: KnowledgeBase, kb_copy: Path, edit: Edit
) -> None:
    stated = {
        m["key"]: m["priors"]["adult"]
        for m in yaml.safe_load((kb_copy / "conditions.yaml").read_text())["conditions"]
    }
    shipped = _prior_differential(kb, 40)
    edit("conditions.yaml", "prior_weight: 0.5", "prior_weight: 1")
    as_stated = _prior_differential(load_knowledge_base(kb_copy), 40)

    total = sum(stated.values())
    root_total = sum(p**0.5 for p in stated.values())
    for key, p in stated.items():
        assert as_stated.get(key, 0.0) == pytest.approx(p / total, abs=1e-4)
        assert shipped.get(key, 0.0) == pytest.approx(p**0.5 / root_total, abs=1e-4)
    # The order of the conditions is the stated one; only the spread changes.
    assert max(shipped, key=shipped.__getitem__) == "plantar_fasciitis"
    assert shipped["plantar_fasciitis"] < as_stated["plantar_fasciitis"]
    assert shipped["tumour"] > as_stated.get("tumour", 0.0)


def test_it_fails_on_invalid_yaml(kb_copy: Path) -> None:
    (kb_copy / "red_flags.yaml").write_text("rules: [unclosed\n", encoding="utf-8")
    with pytest.raises(
        KnowledgeBaseError, match=r"red_flags.yaml: item '\(file\)': not valid YAML"
    ):
        load_knowledge_base(kb_copy)


def test_it_fails_when_a_file_is_missing(kb_copy: Path) -> None:
    (kb_copy / "care_plan.yaml").unlink()
    with pytest.raises(KnowledgeBaseError, match="care_plan.yaml.*missing"):
        load_knowledge_base(kb_copy)


def test_it_fails_when_a_red_flag_key_has_no_rule(kb_copy: Path) -> None:
    path = kb_copy / "red_flags.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["rules"] = [r for r in data["rules"] if r["key"] != "energy_deficiency"]
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match="energy_deficiency"):
        load_knowledge_base(kb_copy)


# --------------------------------------------------------------------- verification merge


def _write_claims(kb_dir: Path, claims: list[dict[str, object]]) -> None:
    doc = {"version": 1, "claims": claims, "sources": []}
    (kb_dir / "verification.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")


def test_it_marks_an_item_verified_only_when_its_claim_is_verified(kb_copy: Path) -> None:
    _write_claims(
        kb_copy,
        [
            {"id": "icd10.plantar_fasciitis", "value": "M72.2", "verified": True, "source": "R1"},
            {"id": "grade.taping", "value": "A", "verified": True, "source": "R1"},
            {"id": "grade.ice", "value": None, "verified": False, "source": "R3"},
        ],
    )
    kb = load_knowledge_base(kb_copy)
    pf = next(c for c in kb.conditions if c.key == "plantar_fasciitis")
    assert pf.icd10_verified is True
    assert pf.snomed_verified is False  # claim missing -> unverified
    items = {i.key: i for i in kb.care_items}
    assert items["taping"].verified is True  # "A [M]" matches "A" once tags are ignored
    assert items["ice"].verified is False
    assert items["manual_therapy"].verified is False


def test_it_refuses_a_verified_value_that_contradicts_the_knowledge_base(kb_copy: Path) -> None:
    _write_claims(
        kb_copy,
        [{"id": "icd10.gout", "value": "M10.9", "verified": True, "source": "R27"}],
    )
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(kb_copy)
    message = str(info.value)
    assert "conditions.yaml and verification.yaml" in message
    assert "gout.icd10" in message
    assert "'M10.07'" in message and "'M10.9'" in message


def test_it_reports_but_accepts_an_unverified_different_value(kb_copy: Path) -> None:
    _write_claims(
        kb_copy,
        [{"id": "grade.night_splint", "value": "B", "verified": False, "source": "R1"}],
    )
    kb = load_knowledge_base(kb_copy)
    assert any("night_splint" in d for d in kb.unverified_differences)


def test_it_rejects_a_claim_citing_an_unknown_source(kb_copy: Path) -> None:
    _write_claims(kb_copy, [{"id": "grade.ice", "verified": True, "source": "N404"}])
    with pytest.raises(KnowledgeBaseError, match="grade.ice.*unknown source"):
        load_knowledge_base(kb_copy)


def test_it_accepts_new_sources_from_the_verification_file(kb_copy: Path) -> None:
    doc = {
        "version": 1,
        "sources": [{"id": "N1", "citation": "A new source", "url": "https://example.org"}],
        "claims": [{"id": "grade.ice", "verified": True, "source": "N1"}],
    }
    (kb_copy / "verification.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    kb = load_knowledge_base(kb_copy)
    assert "N1" in kb.sources
    assert next(i for i in kb.care_items if i.key == "ice").verified is True
