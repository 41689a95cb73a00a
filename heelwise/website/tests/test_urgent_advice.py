"""The public pages send each warning sign where the engine's red-flag rules do, so a runner
reading the home page or the guide and then taking the self-assessment is not told two things."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pytest
from django.test import Client

from heelwise.clinical.engine import assess

pytestmark = pytest.mark.django_db


def _disposition(findings: Mapping[str, object]) -> str:
    return str(assess({"findings": findings})["disposition"])


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_hot_heel_with_a_fever_is_same_day_on_every_page(client: Client) -> None:
    hot_with_fever = {"fever": True, "redness": True, "warmth": True, "swelling": True}
    assert _disposition(hot_with_fever) == "urgent"  # same day, not 999
    assert _disposition({**hot_with_fever, "can_bear_weight": False}) == "emergency"

    home = _text(client.get("/").content.decode())
    emergency, same_day = home.split("Call 999 or go to A&amp;E")[1].split("Get help the same day")
    assert (
        "you have a fever, cannot stand on the foot, and the heel is at least two of" in emergency
    )
    assert "you have a hot, red or swollen heel, or a fever" in same_day

    guide = _text(client.get("/heel-pain-guide/").content.decode())
    emergency, rest = guide.split("Call 999 or go to A&amp;E if:")[1].split("Get help the same day")
    assert "a hot, red or swollen heel that you cannot stand on" in emergency
    assert "you have a fever with heel pain" in rest.split("within a week or two")[0]


def test_not_managing_four_steps_after_an_injury_is_same_day_not_999(client: Client) -> None:
    assert _disposition({"onset": "trauma", "can_bear_weight": False}) == "urgent"
    home = _text(client.get("/").content.decode())
    emergency, same_day = home.split("Call 999 or go to A&amp;E")[1].split("Get help the same day")
    assert "cannot put any weight" not in emergency
    assert "you cannot take four steps on the foot" in same_day
