"""Check-in red-flag questions and the triage advice each leads to (clinical reference,
section 2: fever/hot_swollen_red, unable_to_bear_weight, night_pain, sudden_pop_or_acute_tear).
Advice, not a diagnosis: it says how soon to be seen and where."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RedFlag:
    key: str
    question: str
    urgency: str  # emergency | urgent
    advice: str
    #: What the runner reported, to follow "you reported" in a sentence.
    reported: str


RED_FLAGS: tuple[RedFlag, ...] = (
    RedFlag(
        "swelling_redness_fever",
        "New swelling, redness or heat in the heel or foot, or a fever",
        "urgent",
        "A hot, red, swollen foot or a fever needs a same-day medical assessment to rule out "
        "infection or gout. If you feel very unwell, call 999 or go to "
        "A&E; otherwise call NHS 111 or your GP today.",
        "new swelling, redness or heat in the heel or foot, or a fever",
    ),
    RedFlag(
        "cannot_bear_weight",
        "I can't put weight on the foot, or can't manage four steps",
        "urgent",
        "Not being able to bear weight needs a same-day assessment and possibly an X-ray. "
        "Go to an urgent treatment centre or A&E today; if the foot "
        "looks misshapen or there is an open wound, call 999.",
        "not being able to put weight on the foot",
    ),
    RedFlag(
        "night_pain",
        "Pain that wakes me at night or is there at rest",
        "urgent",
        "Heel pain at night or at rest is not typical of plantar heel pain and should be "
        "checked by a doctor within the next two days. Contact your GP and "
        "mention night pain.",
        "heel pain at night or at rest",
    ),
    RedFlag(
        "sudden_pop",
        "A sudden pop or tearing feeling with sharp pain",
        "urgent",
        "A sudden pop with sharp pain can mean a tendon or plantar fascia tear "
        "and should be examined the same day. Stop running and go "
        "to an urgent treatment centre or A&E today.",
        "a sudden pop or tearing feeling with sharp pain",
    ),
)

BY_KEY = {flag.key: flag for flag in RED_FLAGS}


def reported_sentence(keys: tuple[str, ...] | list[str]) -> str:
    """``you reported X and Y``: the warning signs behind a pause, in the runner's words
    (an unknown key, from an older version of these questions, reads "a warning sign")."""
    phrases: list[str] = []
    for key in keys:
        flag = BY_KEY.get(key)
        phrase = flag.reported if flag is not None else "a warning sign"
        if phrase not in phrases:
            phrases.append(phrase)
    if len(phrases) > 1:
        phrases[-2:] = [f"{phrases[-2]} and {phrases[-1]}"]
    return "you reported " + "; ".join(phrases)
