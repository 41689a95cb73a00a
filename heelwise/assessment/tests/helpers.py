"""Answer sets for the three people of the acceptance tests, and a test-client walker."""

from __future__ import annotations

from typing import Any

from django.test import Client

SAFETY_NO = {
    "can_bear_weight": "yes",
    "fever": "no",
    "systemically_unwell": "no",
    "redness": "no",
    "warmth": "no",
    "swelling": "no",
    "skin_wound_or_discharge": "no",
    "pain_at_night": "no",
    "weight_loss": "no",
    "bony_lump_or_mass": "no",
    "visible_deformity": "no",
    "foot_cold_or_discoloured": "no",
    "saddle_anaesthesia": "no",
    "bladder_or_bowel_dysfunction": "no",
    "both_legs_numb_or_weak": "no",
    "progressive_weakness": "no",
}

# A 42-year-old runner with classic plantar fasciitis.
PLANTAR_FASCIITIS: dict[str, dict[str, str]] = {
    "safety": SAFETY_NO,
    "about": {
        "age": "42",
        "sex": "female",
        "runner": "yes",
        "weekly_km": "35",
        "recent_load_increase": "yes",
    },
    "where": {"pain_location": "plantar_medial", "bilateral": "no"},
    "pattern": {
        "first_step_pain": "yes",
        "post_rest_pain": "yes",
        "warm_up_improves": "yes",
        "pain_during_activity": "yes",
        "pain_after_activity": "yes",
        "burning_or_tingling": "no",
        "onset": "gradual",
        "duration_weeks": "8",
        "pain_nrs": "5",
    },
    "history": {"diabetes": "no", "cancer_history": "no"},
    "medicines": {},
}

# A runner with a hot, red, swollen heel and a fever: stops after the safety step.
HOT_SWOLLEN_FEVER = {
    "safety": {**SAFETY_NO, "fever": "yes", "redness": "yes", "warmth": "yes", "swelling": "yes"},
}

# An 11-year-old footballer with posterior heel pain.
SEVERS = {
    "safety": SAFETY_NO,
    "about": {"age": "11", "sex": "male", "runner": "yes", "recent_load_increase": "yes"},
    "where": {"pain_location": "posteroinferior", "bilateral": "yes"},
    "pattern": {
        "pain_during_activity": "yes",
        "pain_after_activity": "yes",
        "onset": "gradual",
        "duration_weeks": "6",
        "burning_or_tingling": "no",
        "pain_nrs": "4",
    },
    "history": {},
    "medicines": {},
}


def walk(client: Client, answers: dict[str, dict[str, str]]) -> Any:
    """Post each step in order; return the last response (a redirect to the result)."""
    response = None
    for step, data in answers.items():
        response = client.post(f"/assessment/step/{step}/", data)
        assert response.status_code == 302, (step, response.status_code, response.content[:500])
        if "/result/" in response["Location"]:
            return response
    return response
