"""The result page, its calendar and its questionnaire agree with themselves (review fixes)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from icalendar import Calendar

from heelwise.assessment.models import Assessment
from heelwise.assessment.tests.helpers import HOT_SWOLLEN_FEVER, PLANTAR_FASCIITIS, walk

pytestmark = pytest.mark.django_db


def _feed(client: Client, url: str) -> list[dict[str, str]]:
    html = client.get(url).content.decode()
    match = re.search(r'(/assessment/calendar/[^"]+\.ics)"', html)
    assert match is not None
    cal = Calendar.from_ical(Client().get(match.group(1)).content)  # another device
    return [{k: str(v) for k, v in e.items()} for e in cal.walk("VEVENT")]


class CalendarTests:
    def test_each_event_carries_its_full_instructions_and_no_dead_link(
        self, client: Client
    ) -> None:
        url = walk(client, PLANTAR_FASCIITIS)["Location"]
        events = _feed(client, url)
        calf = next(e for e in events if e["SUMMARY"] == "Heel exercise: Calf stretches")
        assert "Stand facing a wall" in calf["DESCRIPTION"]
        assert "How much: Hold 30 seconds, 3 times each way" in calf["DESCRIPTION"]
        # An unsaved result opens only in the browser that took it: no link to it.
        assert all("/assessment/result/" not in e["DESCRIPTION"] for e in events)

    def test_a_saved_result_links_to_the_absolute_result_address(
        self, client: Client, alice
    ) -> None:
        client.force_login(alice)
        url = walk(client, PLANTAR_FASCIITIS)["Location"]
        public_id = Assessment.objects.get().public_id
        events = _feed(client, url)
        link = f"{settings.SITE_URL}/assessment/result/{public_id}/"
        assert all(link in e["DESCRIPTION"] for e in events)

    def test_the_page_says_an_unsaved_calendar_link_stops_working_before_download(
        self, client: Client
    ) -> None:
        url = walk(client, PLANTAR_FASCIITIS)["Location"]
        html = client.get(url).content.decode()
        note = html.index("stop working 24 hours after the assessment")
        assert note < html.index("Download the exercise schedule (.ics)")
        assert "webcal://" not in html  # no subscription to a feed that will be deleted


class SameDayResultTests:
    def test_a_same_day_result_leads_with_care_not_self_care_offers(self, client: Client) -> None:
        url = walk(client, HOT_SWOLLEN_FEVER)["Location"]
        html = client.get(url).content.decode()
        assert html.index("See a doctor today") < html.index("Until you are seen")
        # Only what is safe until seen: no week-by-week programme on a same-day result.
        assert "week by week" not in html and "Weeks 3 to 6" not in html
        assert "calendar/" not in html  # no exercise schedule
        assert "Book a free discovery call" not in html
        assert "After you have been seen" in html
        assert "after about 6 weeks" not in html


class ChangeAnswersTests:
    def test_going_back_after_the_result_says_where_the_answers_are(self, client: Client) -> None:
        url = walk(client, PLANTAR_FASCIITIS)["Location"]
        response = client.get("/assessment/step/pattern/", follow=True)
        assert response.redirect_chain[-1][0] == url
        html = response.content.decode()
        assert "Nothing you have already answered has been lost" not in html
        assert "Change my answers" in html

    def test_change_my_answers_reopens_the_questions_filled_in_and_gives_a_new_result(
        self, client: Client
    ) -> None:
        url = walk(client, PLANTAR_FASCIITIS)["Location"]
        first_id = Assessment.objects.get().public_id
        response = client.post(f"{url}change/", follow=True)
        assert response.redirect_chain[-1][0] == "/assessment/step/safety/"
        about = client.get("/assessment/step/about/").content.decode()
        assert re.search(r'name="age"[^>]*value="42"', about)
        pattern = client.get("/assessment/step/pattern/").content.decode()
        assert re.search(r'value="8"', pattern)  # duration_weeks kept
        walk(client, {**PLANTAR_FASCIITIS, "about": {**PLANTAR_FASCIITIS["about"], "age": "43"}})
        assert Assessment.objects.count() == 2
        assert Assessment.objects.filter(public_id=first_id).exists()

    def test_only_the_viewer_of_a_result_can_change_it(self, client: Client) -> None:
        url = walk(client, PLANTAR_FASCIITIS)["Location"]
        assert Client().post(f"{url}change/").status_code == 404
