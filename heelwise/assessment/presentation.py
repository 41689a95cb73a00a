"""Turn an engine result into what the result page, the PDF and the calendar show.

Pure functions over the stored result and answers: no database access, so the result page costs
one query (the assessment itself).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from heelwise.assessment import engine
from heelwise.assessment.selectors import answer_label

# "self_care_first" marks the dispositions whose page may lead with self-care: the exercise
# calendar and the discovery call are offered as next steps. For "urgent" and "emergency" the
# page leads with getting care today; those offers are left out or put "after you have been seen".
DISPOSITIONS: dict[str, dict[str, str]] = {
    "emergency": {
        "headline": "Call 999 or go to A&E now",
        "summary": (
            "One of your answers can be a sign of a serious problem that needs emergency care. "
            "Do not wait for an appointment and do not run on this foot."
        ),
        "when": "Now",
    },
    "urgent": {
        "headline": "See a doctor today",
        "summary": (
            "Book a same-day GP appointment, or call NHS 111 (or use 111.nhs.uk) if you cannot "
            "get one. If you feel very unwell, call 999 or go to A&E."
        ),
        "when": "Today",
    },
    "soon": {
        "headline": "See a clinician in the next 1 to 2 weeks",
        "summary": (
            "Book an appointment with a GP, physiotherapist or podiatrist within a week or two. "
            "Meanwhile follow the self-care plan below. Get help sooner if it gets worse or a "
            "warning sign appears."
        ),
        # Said instead to a runner, whose plan has one card of running advice.
        "summary_runner": (
            "Book an appointment with a GP, physiotherapist or podiatrist within a week or two. "
            "Meanwhile follow the running advice in your plan below. Get help sooner if it gets "
            "worse or a warning sign appears."
        ),
        "when": "Within 1 to 2 weeks",
        "self_care_first": "yes",
    },
    "self_care": {
        "headline": "You can start looking after this yourself",
        "summary": (
            "Your answers suggest heel pain that usually gets better with the self-care plan "
            "below. See a clinician if you are not clearly better in about 6 weeks, or sooner if "
            "a warning sign appears."
        ),
        "when": "Self-care, review in about 6 weeks",
        "self_care_first": "yes",
    },
}


@dataclass(frozen=True)
class SafetySign:
    """One line of the "get help now / today" lists (start page, home page, site footer), with
    the knowledge-base red-flag rules it stands for and, for every clause of its text, answers
    that make that clause true: tests check that the engine gives each of them the disposition
    the list says, so no clause can promise more or less than the result will."""

    text: str
    rules: tuple[str, ...]
    examples: tuple[Mapping[str, Any], ...]


# The emergency list: exactly the knowledge base's emergency-disposition rules (red_flags.yaml;
# clinical reference section 2: emergency only for sepsis, limb-threatening or cauda equina
# signs, an injury with deformity, a wound or a cold foot). A hot, red, swollen heel or a fever
# on its own is same-day care, not 999.
EMERGENCY_SIGNS: tuple[SafetySign, ...] = (
    SafetySign(
        "you feel very unwell: shaking chills, confusion, fast breathing or fainting",
        ("systemically_unwell",),
        ({"systemically_unwell": True},),
    ),
    SafetySign(
        "you have a fever, cannot stand on the foot, and the heel is at least two of hot, red "
        "and swollen",
        ("fever.emergency",),
        (
            {"fever": True, "can_bear_weight": False, "redness": True, "warmth": True},
            {"fever": True, "can_bear_weight": False, "redness": True, "swelling": True},
            {"fever": True, "can_bear_weight": False, "warmth": True, "swelling": True},
        ),
    ),
    SafetySign(
        "after an injury, the heel or ankle looks misshapen, there is an open wound, the foot is "
        "cold or discoloured, or it is numb and you cannot stand on it",
        ("trauma_onset.emergency",),
        (
            {"onset": "trauma", "visible_deformity": True},
            {"onset": "trauma", "skin_wound_or_discharge": True},
            {"onset": "trauma", "foot_cold_or_discoloured": True},
            {"onset": "trauma", "numbness": True, "can_bear_weight": False},
        ),
    ),
    SafetySign(
        "you have diabetes and the foot is cold or discoloured, or it looks infected (a wound, "
        "redness, heat or swelling) and you have a fever",
        ("diabetes_foot_complication.emergency",),
        (
            {"diabetes": True, "foot_cold_or_discoloured": True},
            {"diabetes": True, "fever": True, "skin_wound_or_discharge": True},
            {"diabetes": True, "fever": True, "redness": True},
        ),
    ),
    SafetySign(
        "you have numbness around your bottom or genitals, new bladder or bowel problems, or "
        "new numbness, tingling or weakness in both legs",
        ("cauda_equina_symptoms",),
        (
            {"saddle_anaesthesia": True},
            {"bladder_or_bowel_dysfunction": True},
            {"both_legs_numb_or_weak": True},
        ),
    ),
)

# Signs that need a doctor the same day (disposition "urgent"), the commonest ones.
SAME_DAY_SIGNS: tuple[SafetySign, ...] = (
    SafetySign(
        "you have a hot, red or swollen heel, or a fever",
        ("hot_swollen_red", "fever"),
        ({"redness": True}, {"warmth": True}, {"swelling": True}, {"fever": True}),
    ),
    SafetySign(
        "you cannot take four steps on the foot, for example after a fall or injury",
        ("unable_to_bear_weight",),
        ({"can_bear_weight": False}, {"onset": "trauma", "can_bear_weight": False}),
    ),
    SafetySign(
        "you felt a sudden pop or snap with sharp pain",
        ("sudden_pop_or_acute_tear",),
        ({"pop_felt": True},),
    ),
    SafetySign(
        "there is a wound, ulcer or discharge near the painful heel",
        ("wound_or_discharge",),
        ({"skin_wound_or_discharge": True},),
    ),
    SafetySign(
        "you have diabetes and a wound or ulcer, or a red, warm or swollen foot",
        ("diabetes_foot_complication.urgent",),
        (
            {"diabetes": True, "skin_wound_or_discharge": True},
            {"diabetes": True, "redness": True},
            {"diabetes": True, "warmth": True},
            {"diabetes": True, "swelling": True},
        ),
    ),
    # Clinical reference section 2 (NICE NG12): a very urgent X-ray within 48 hours. The
    # knowledge base's messages and the result's headline say "within 48 hours" too.
    SafetySign(
        "the heel hurts at night or at rest, you have lost weight without trying, you have had "
        "cancer, or there is a new hard lump on the heel bone (see a doctor within 48 hours, "
        "for an X-ray)",
        ("night_pain", "cancer_or_weight_loss", "bony_swelling_or_mass"),
        (
            {"pain_at_night": True},
            {"weight_loss": True},
            {"cancer_history": True},
            {"bony_lump_or_mass": True},
        ),
    ),
)

# Where an urgent result sends the person, when the red flags that set it say where. The
# default (DISPOSITIONS["urgent"]) is a same-day GP appointment. A suspected tear or an injury
# that may be a fracture needs an examination and often an X-ray today, which a GP appointment
# may not give; the bone warning signs need an X-ray within 48 hours (NICE NG12). An urgent
# result takes the route of its red flags: "today at urgent care" wins over the GP, and
# "within 48 hours" is used only when every urgent red flag is one of those signs.
URGENT_CARE_RULES = frozenset({"sudden_pop_or_acute_tear", "trauma_onset.urgent"})
WITHIN_48_HOURS_RULES = frozenset({"night_pain", "cancer_or_weight_loss", "bony_swelling_or_mass"})
URGENT_ROUTES: dict[str, dict[str, str]] = {
    "urgent_care": {
        "headline": "Go to an urgent treatment centre or A&E today",
        "summary": (
            "This needs an examination today, and possibly an X-ray or scan, which a GP "
            "appointment may not give. Go to an urgent treatment centre, a minor injuries unit or "
            "A&E today; call NHS 111 (or use 111.nhs.uk) if you are not sure where to go."
        ),
        "when": "Today",
    },
    "within_48_hours": {
        "headline": "See a doctor within 48 hours",
        "summary": (
            "Book a GP appointment within the next 48 hours and say that you may need an X-ray; "
            "call NHS 111 (or use 111.nhs.uk) if you cannot get one. If you feel very unwell, "
            "call 999 or go to A&E."
        ),
        "when": "Within 48 hours",
    },
}

# Short words for each red flag and escalation, for a reason that fired below the result's
# level: it is mentioned as something to tell the clinician, not given its own timeframe
# ("within a week or two" under a "today" headline would contradict it). Every red-flag and
# escalation key of the knowledge base has one (tests).
REASON_LABELS: dict[str, str] = {
    "unable_to_bear_weight": "you cannot take four steps on the foot",
    "trauma_onset": "the pain started with an injury",
    "sudden_pop_or_acute_tear": "a sudden pop, or pain that started suddenly",
    "hot_swollen_red": "a hot, red or swollen heel",
    "fever": "a fever",
    "systemically_unwell": "feeling very unwell",
    "wound_or_discharge": "a wound or discharge near the heel",
    "diabetes_foot_complication": "diabetes with a foot problem",
    "night_pain": "pain at night or at rest",
    "cancer_or_weight_loss": "a history of cancer or weight loss",
    "bony_swelling_or_mass": "a lump or swelling of the heel",
    "neurological_deficit": "numbness or weakness, which can mean a nerve is involved",
    "progressive_neuro_deficit": "weakness or numbness that is getting worse",
    "cauda_equina_symptoms": "numbness, bladder or bowel problems, or symptoms in both legs",
    "paediatric": "the child's age",
    "inflammatory_features": "answers that point to an inflammatory cause",
    "energy_deficiency": "a raised risk of a stress fracture (periods, eating or a past one)",
    "persistent_symptoms": "pain for 3 months or more",
    "not_improving_with_treatment": "pain not clearly better after 6 weeks of treatment",
    "sudden_onset": "the pain started suddenly",
    "bone_stress_test_positive": "a painful heel squeeze or hop test",
}

EXERCISES = {
    # key: (repeat every N days, illustration template)
    "calf_stretch": (1, "assessment/illustrations/calf_stretch.svg"),
    "plantar_fascia_stretch": (1, "assessment/illustrations/plantar_fascia_stretch.svg"),
    "high_load_strength": (2, "assessment/illustrations/heel_raise.svg"),
    "eccentric_heel_drop": (1, "assessment/illustrations/heel_drop.svg"),
}

# The warning signs that the "When to get help" cards list as future triggers (the knowledge
# base writes them as one comma-separated list after "warning sign appears: "), with the answers
# that mean the sign is already there. A sign already reported is not listed as something to
# watch for: the result's advice already deals with it.
WARNING_SIGNS: dict[str, tuple[tuple[str, Any], ...]] = {
    "fever": (("fever", True), ("systemically_unwell", True)),
    "a hot red swollen heel": (("redness", True), ("warmth", True), ("swelling", True)),
    "numbness": (("numbness", True), ("burning_or_tingling", True)),
    "night pain": (("pain_at_night", True),),
    "not being able to bear weight": (("can_bear_weight", False),),
}
_WARNING_LIST = re.compile(r"(any) (warning sign appears: )([^.]+)\.")

# How often the first suggestion was right on published cases the engine had not seen (the
# locked vignette sets; docs/vignettes.md). The start page quotes the same words. The result
# page shows this instead of the engine's raw probability for the leading cause, which is a
# model estimate and can read as a near-certainty ("over 95%").
MEASURED_TOP1 = "about two times in three"
MEASURED_TOP3 = "about nine times in ten"

PAEDIATRIC_AGE = 16  # the knowledge base's paediatric red flag applies below this age
# Below this age heel pain is not the Sever's disease of older children (the calcaneal
# apophysis appears at about 6 to 8) and the knowledge base's red flag paediatric.young_child
# sends the child to be examined. The causes this tool knows are those of older children and
# adults, so the patient pages do not list likely causes for a younger child.
YOUNG_CHILD_AGE = 8


def advice(
    disposition: str,
    answers: Mapping[str, Any] | None = None,
    red_flags: list[Mapping[str, Any]] | None = None,
) -> dict[str, str]:
    """The triage box for a disposition; "the running advice" is only mentioned to a runner.
    For an urgent result, where to go follows the red flags that set it (URGENT_ROUTES)."""
    base = DISPOSITIONS[disposition]
    out = {k: v for k, v in base.items() if k != "summary_runner"}
    if "summary_runner" in base and (answers or {}).get("runner") is True:
        out["summary"] = base["summary_runner"]
    if disposition == "urgent" and red_flags:
        rules = {f.get("rule", "") for f in red_flags if f.get("disposition") == "urgent"}
        if rules & URGENT_CARE_RULES:
            out.update(URGENT_ROUTES["urgent_care"])
        elif rules and rules <= WITHIN_48_HOURS_RULES:
            out.update(URGENT_ROUTES["within_48_hours"])
    return out


def triage(result: Mapping[str, Any], answers: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The top of the result page: the advice, the red flags and escalations at the result's
    level (each with its message), and the lower-level ones only as words to tell the
    clinician, so that the page gives one timeframe."""
    disposition = result["disposition"]
    flags = list(result.get("red_flags", []))
    escalations = list(result.get("escalations", []))
    lead_flags = [f for f in flags if f.get("disposition") == disposition]
    lead_escalations = [e for e in escalations if e.get("disposition") == disposition]
    also = [
        REASON_LABELS.get(r["key"], r["key"].replace("_", " "))
        for r in [*flags, *escalations]
        if r.get("disposition") != disposition
    ]
    return {
        "disposition": disposition,
        "advice": advice(disposition, answers, flags),
        "red_flags": lead_flags,
        "escalations": lead_escalations,
        "also_mention": list(dict.fromkeys(also)),
    }


PHASES: tuple[tuple[int, int, str], ...] = (
    (1, 2, "Weeks 1 and 2"),
    (3, 6, "Weeks 3 to 6"),
    (7, 12, "Weeks 7 to 12"),
    (13, 26, "Months 3 to 6, if you are not better"),
    (27, 52, "After 6 months, if you are still not better"),
)


_TAG = re.compile(r"\s*\[[^\]]*\]")
_DESCRIBED = re.compile(r"^([a-z][a-z0-9_]*): (.+)$")


def plain_grade(grade: str) -> str:
    """The evidence grade without the knowledge base's internal markers, except that a grade
    recalled from memory in the clinical reference ("[M]") says so, as the command line does:
    "A [M]" -> "A (from memory, unverified)"."""
    plain = _TAG.sub("", grade).strip()
    if "[M]" not in grade:
        return plain
    return (
        f"{plain} (from memory)" if "unverified" in plain else f"{plain} (from memory, unverified)"
    )


def plain_because(text: str) -> str:
    """The engine's "pain_during_activity: yes" as the question and the patient's answer."""
    match = _DESCRIBED.match(text)
    kb = engine.knowledge_base()
    if not match or match.group(1) not in kb.findings:
        return text
    key, raw = match.groups()
    f = kb.findings[key]
    value: Any = {"yes": True, "no": False}.get(raw, raw) if f.type == "bool" else raw
    if f.type == "number":
        try:
            number = float(raw)
            value = int(number) if number.is_integer() else number
        except ValueError:
            value = raw
    return f"{f.question} {answer_label(key, value)}"


def short_citation(citation: str, limit: int = 90) -> str:
    first = re.split(r"(?<=[a-z)])\. |https?://", citation)[0].strip().rstrip(".")
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


def without_reported_signs(text: str, answers: Mapping[str, Any] | None) -> str:
    """Drop from a "warning sign appears: a, b or c." list the signs already in the answers."""
    match = _WARNING_LIST.search(text)
    if not match or not answers:
        return text
    signs = re.split(r", | or ", match.group(3))
    remaining = [
        sign
        for sign in signs
        if not any(answers.get(k) == v for k, v in WARNING_SIGNS.get(sign, ()))
    ]
    if remaining == signs:
        return text
    if not remaining:
        listed = "it gets worse or any new symptom appears."
        return text[: match.start()] + listed + text[match.end() :]
    listed = (
        remaining[0] if len(remaining) == 1 else ", ".join(remaining[:-1]) + " or " + remaining[-1]
    )
    return text[: match.start()] + f"any other {match.group(2)}{listed}." + text[match.end() :]


def likelihood_words(p: float) -> str:
    """How likely a cause is, in words only: the engine's probabilities are model estimates
    (a leading cause often scores over 95%) while the measured accuracy of the first suggestion
    is about two in three, so the patient pages never show the raw percentage."""
    if p >= 0.6:
        return "Most likely"
    if p >= 0.25:
        return "Possible"
    if p >= 0.1:
        return "Less likely, but worth ruling out"
    return "Unlikely"


@dataclass(frozen=True)
class Reason:
    question: str
    answer: str
    direction: str
    note: str = ""


# An answer that counts a little against a condition but also sets its stage: said so, so that
# "what points away from it" does not read as if it contradicted the stage. Plantar fasciitis
# pain often eases once warmed up (clinical reference 1.1), so pain during activity is slightly
# less typical of it (likelihoods.yaml), yet it is what makes plantar fasciitis stage 2.
STAGE_NOTES: dict[tuple[str, str], str] = {
    ("plantar_fasciitis", "pain_during_activity"): (
        "slightly less typical, as plantar fasciitis pain often eases once you are warmed up; "
        "if it is plantar fasciitis, this is what places it at stage 2 below"
    ),
}


@dataclass(frozen=True)
class Cause:
    key: str
    name: str
    probability: float  # kept for the API and the clinician page; patients see `words`
    words: str
    explanation: str
    reasons_for: list[Reason]
    reasons_against: list[Reason]


@dataclass(frozen=True)
class PlanItem:
    key: str
    title: str
    instructions: str
    dose: str
    first_week: int
    last_week: int
    grade: str
    summary: str
    verified: bool
    source_id: str
    source_citation: str
    source_short: str
    source_url: str | None
    illustration: str | None

    @property
    def is_exercise(self) -> bool:
        return self.key in EXERCISES


@dataclass(frozen=True)
class Continuing:
    item: PlanItem
    # The item's last week when it ends before the phase does (arch taping, weeks 1 to 3, in
    # "Weeks 3 to 6"), so it is not read as lasting the whole phase; None when it lasts.
    until_week: int | None


@dataclass(frozen=True)
class Phase:
    label: str
    starting: list[PlanItem]
    continuing: list[Continuing]


@dataclass
class ResultView:
    disposition: str
    advice: dict[str, str]
    red_flags: list[dict[str, Any]]
    causes: list[Cause]
    # Course-based reasons for seeing a clinician that are not red flags (pain not improving,
    # sudden onset, symptoms for 3 months): shown beside the red flags so "soon" is explained.
    escalations: list[dict[str, Any]]
    stage: dict[str, Any] | None
    plan: list[PlanItem]
    phases: list[Phase]
    excluded: list[dict[str, Any]]
    kb_version: str
    answers: list[tuple[str, str]] = field(default_factory=list)
    # The patient's view of the triage (triage()): the red flags and escalations at the
    # result's level, and the lower ones as words to tell the clinician.
    lead_flags: list[dict[str, Any]] = field(default_factory=list)
    lead_escalations: list[dict[str, Any]] = field(default_factory=list)
    also_mention: list[str] = field(default_factory=list)
    is_child: bool = False
    # Under 8: no list of likely causes and no running plan; the child is sent to be examined.
    is_young_child: bool = False
    # First-step pain was reported, so the plan asks for a note of it each morning.
    tracks_first_step: bool = False
    # Said when a child's result does not list Sever's disease, the commonest cause at that age.
    child_note: str = ""
    measured_top1: str = MEASURED_TOP1
    measured_top3: str = MEASURED_TOP3

    @property
    def self_care_first(self) -> bool:
        return bool(self.advice.get("self_care_first"))

    @property
    def has_schedule(self) -> bool:
        return self.self_care_first and any(p.is_exercise for p in self.plan)

    @property
    def shows_causes(self) -> bool:
        return bool(self.causes) and not self.is_young_child


def _reasons(
    why: list[Mapping[str, Any]], direction: str, condition: str = "", staged: bool = False
) -> list[Reason]:
    kb = engine.knowledge_base()
    out = []
    for w in why:
        if w["direction"] != direction or w["finding"] not in kb.findings:
            continue
        f = kb.findings[w["finding"]]
        note = STAGE_NOTES.get((condition, f.key), "") if staged and w["value"] is True else ""
        out.append(Reason(f.question, answer_label(f.key, w["value"]), direction, note))
    return out[:4]


# Causes that are never named "most likely" or "possible" on the patient pages: they are what a
# test must rule out, whatever the model's estimate.
RULE_OUT_WORDS: dict[str, str] = {
    "tumour": "Needs ruling out (an X-ray)",
    "infection": "Needs ruling out (an X-ray or blood test)",
}
TEAR_FLAG = "sudden_pop_or_acute_tear"
TEAR_CONDITIONS = frozenset({"plantar_fascia_rupture"})
TEAR_NOTE = (
    "Because of the sudden pop or sudden pain you reported, a tear of the Achilles tendon or "
    "plantar fascia must be ruled out first: do not start exercises for this until a clinician "
    "has examined you."
)
STRESS_FRACTURE = "calcaneal_stress_fracture"
INJURY_FRACTURE_NAME = "A break (fracture) of the heel bone"
INJURY_FRACTURE_EXPLANATION = (
    "After an injury, a break in the heel bone must be ruled out. It needs an examination and "
    "often an X-ray or scan, because a heel-bone fracture can be missed."
)


def _first_sentence(text: str) -> str:
    return re.split(r"(?<=\.)\s", text.strip(), maxsplit=1)[0]


def causes(
    result: Mapping[str, Any], *, limit: int = 3, answers: Mapping[str, Any] | None = None
) -> list[Cause]:
    kb = engine.knowledge_base()
    explanations = {c.key: c.explanation for c in kb.conditions}
    tear = any(f.get("key") == TEAR_FLAG for f in result.get("red_flags", []))
    injury = (answers or {}).get("onset") == "trauma"
    out = []
    for i, d in enumerate(result["differential"]):
        if i >= limit or (i > 0 and d["probability"] < 0.05):
            break
        key = d["condition"]
        name = d["name"]
        explanation = explanations.get(key, "")
        if injury and key == STRESS_FRACTURE:
            name, explanation = INJURY_FRACTURE_NAME, INJURY_FRACTURE_EXPLANATION
        elif tear and key not in TEAR_CONDITIONS and explanation:
            # No "usually improves with ..." while a tear is possible.
            explanation = f"{_first_sentence(explanation)} {TEAR_NOTE}"
        out.append(
            Cause(
                key=key,
                name=name,
                probability=d["probability"],
                words=RULE_OUT_WORDS.get(key) or likelihood_words(d["probability"]),
                explanation=explanation,
                reasons_for=_reasons(d.get("why", []), "for"),
                reasons_against=_reasons(
                    d.get("why", []), "against", d["condition"], bool(result.get("stage"))
                ),
            )
        )
    return out


# The pain-monitoring card opens "You do not have to stop running." For a "soon" result the
# clinical reference (section 0.4) says to stop the running that provokes the pain until seen, so
# that result opens with this instead.
LOAD_CARD = "education_load_management"
KEEP_RUNNING_OPENING = "You do not have to stop running."
SOON_RUNNING_OPENING = (
    "Until you have been seen, stop the runs that bring on or worsen the pain; you do not have "
    "to stop all running."
)


def _instructions(key: str, text: str, disposition: str | None) -> str:
    if key == LOAD_CARD and disposition == "soon" and text.startswith(KEEP_RUNNING_OPENING):
        return SOON_RUNNING_OPENING + text[len(KEEP_RUNNING_OPENING) :]
    return text


def plan_items(
    result: Mapping[str, Any], answers: Mapping[str, Any] | None = None
) -> list[PlanItem]:
    kb = engine.knowledge_base()
    disposition = result.get("disposition")
    out = []
    for cited in result.get("care_plan", []):
        key = cited.get("item") or cited.get("key")
        full = engine.care_item(key)
        # The result cites an item; its text comes from the knowledge base that produced it.
        item = {
            **full,
            **cited,
            "evidence": {**full.get("evidence", {}), **cited.get("evidence", {})},
        }
        evidence = item["evidence"]
        source = kb.sources.get(evidence.get("source", ""), {})
        weeks = item.get("weeks") or [1, 12]
        out.append(
            PlanItem(
                key=key,
                title=item.get("title", key.replace("_", " ").capitalize()),
                instructions=without_reported_signs(
                    _instructions(key, item.get("instructions", ""), disposition), answers
                ),
                dose=item.get("dose", ""),
                first_week=int(weeks[0]),
                last_week=int(weeks[1]),
                grade=plain_grade(str(evidence.get("grade", ""))),
                summary=evidence.get("summary", ""),
                verified=bool(evidence.get("verified")),
                source_id=evidence.get("source", ""),
                source_citation=str(source.get("citation", evidence.get("source", ""))),
                source_short=short_citation(
                    str(source.get("citation", evidence.get("source", "")))
                ),
                source_url=source.get("url"),
                illustration=EXERCISES[key][1] if key in EXERCISES else None,
            )
        )
    return out


def phases(plan: list[PlanItem]) -> list[Phase]:
    out = []
    for first, last, label in PHASES:
        starting = [p for p in plan if first <= p.first_week <= last]
        continuing = [
            Continuing(p, p.last_week if p.last_week < last else None)
            for p in plan
            if p.first_week < first <= p.last_week
        ]
        if starting or continuing:
            out.append(Phase(label, starting, continuing))
    return out


def _stage(stage: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not stage:
        return None
    return {**stage, "because": [plain_because(b) for b in stage.get("because", [])]}


def offers_schedule(result: Mapping[str, Any]) -> bool:
    """Whether the page offers the exercise calendar: only when the disposition lets the person
    start self-care now and the plan has exercises to schedule."""
    if not DISPOSITIONS[result["disposition"]].get("self_care_first"):
        return False
    return any((c.get("item") or c.get("key")) in EXERCISES for c in result.get("care_plan", []))


SEVER = "sever_apophysitis"
SEVER_AGES = (8, 16)  # the ages at which Sever's disease is common (conditions.yaml)


def _child_note(shown: list[Cause]) -> str:
    if any(c.key == SEVER for c in shown):
        return ""
    kb = engine.knowledge_base()
    name = next((c.name for c in kb.conditions if c.key == SEVER), "Sever's disease")
    return (
        f"{name} is the commonest cause of heel pain at this age, and we did consider it. "
        "It usually hurts at the back or bottom of the heel during running and jumping; the "
        "answers given fit the causes above better. A clinician should still check for it, "
        "and the advice for children and teenagers in this plan applies either way."
    )


def result_view(result: Mapping[str, Any], answers: Mapping[str, Any] | None = None) -> ResultView:
    plan = plan_items(result, answers)
    kb = engine.knowledge_base()
    known = sorted(
        (k for k in (answers or {}) if k in kb.findings), key=lambda k: kb.findings[k].order
    )
    answered = [(kb.findings[k].question, answer_label(k, (answers or {})[k])) for k in known]
    shown = causes(result, answers=answers)
    box = triage(result, answers)
    age = (answers or {}).get("age")
    is_child = age is not None and age < PAEDIATRIC_AGE
    urgent = not DISPOSITIONS[result["disposition"]].get("self_care_first")
    return ResultView(
        disposition=result["disposition"],
        advice=box["advice"],
        red_flags=list(result.get("red_flags", [])),
        causes=shown,
        escalations=list(result.get("escalations", [])),
        stage=_stage(result.get("stage")),
        plan=plan,
        # Same-day and emergency results list only what is safe "until you are seen": no
        # week-by-week programme.
        phases=[] if urgent else phases(plan),
        excluded=list(result.get("care_plan_excluded", [])),
        kb_version=result.get("knowledge_base", ""),
        answers=answered,
        lead_flags=box["red_flags"],
        lead_escalations=box["escalations"],
        also_mention=box["also_mention"],
        is_child=is_child,
        is_young_child=age is not None and age < YOUNG_CHILD_AGE,
        tracks_first_step=(answers or {}).get("first_step_pain") is True,
        child_note=_child_note(shown)
        if age is not None and SEVER_AGES[0] <= age < SEVER_AGES[1]
        else "",
    )
