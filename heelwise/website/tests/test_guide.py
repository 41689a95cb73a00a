from __future__ import annotations

import re

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import Client
from django.urls import reverse

from heelwise.website.content import REFERENCES


@pytest.fixture
def guide_html(client: Client, db: None) -> str:
    response = client.get(reverse("website:guide"))
    assert response.status_code == 200
    return response.content.decode()


class GuideTests:
    def test_it_has_a_table_of_contents_whose_anchors_exist(self, guide_html: str) -> None:
        toc = guide_html.split('class="toc"')[1].split("</nav>")[0]
        anchors = re.findall(r'href="#([\w-]+)"', toc)
        assert len(anchors) >= 8
        for anchor in anchors:
            assert f'id="{anchor}"' in guide_html

    def test_it_covers_the_causes_red_flags_self_care_and_treatments(self, guide_html: str) -> None:
        for phrase in (
            "Plantar fasciitis",
            "Insertional",
            "Mid-portion",
            "Stress fracture",
            "Tarsal tunnel",
            "Baxter",
            "Haglund",
            "Fat pad",
            "Sever",
            "Gout",
            "Call 999 or go to A&amp;E",
            "Stage 1",
            "Stage 3",
            "every second day",
            "more than 30% over two weeks",
            "10% rule",
            "not clearly better than a placebo injection",
            "Shockwave",
            "Platelet-rich plasma",
            "Dry needling",
            "low certainty",
            "Surgery is rarely needed",
            "a minority have symptoms for years",
        ):
            assert phrase in guide_html, phrase

    def test_its_warning_signs_match_the_engines_triage_rules(self, guide_html: str) -> None:
        # The guide is the in-app help for the self-assessment's advice: each rule the engine
        # applies should be something a reader of the guide can recognise.
        seek_help = guide_html.split('id="seek-help"')[1].split("</section>")[0]
        same_day = seek_help.split("Get help the same day")[1].split("within a week or two")[0]
        within_weeks = seek_help.split("within a week or two")[1]
        assert "came on suddenly and is bad enough to stop you walking" in same_day
        assert "Achilles started suddenly" in same_day
        assert "Crohn's disease or ulcerative colitis" in within_weeks
        assert "started suddenly, even without the signs above" in within_weeks
        assert "no better after about 6 weeks" in within_weeks

    def test_it_does_not_oversell_prolotherapy(self, guide_html: str) -> None:
        text = guide_html.lower()
        assert "not a permanent or guaranteed cure" in text
        assert "is considered a permanent solution" not in text
        assert "award-winning" not in text
        assert "diagnos" in text  # says it cannot diagnose

    def test_it_lists_every_reference_once_and_cites_each(self, guide_html: str) -> None:
        references = guide_html.split('id="references"')[1]
        for ref in REFERENCES:
            assert f'id="ref-{ref.number}"' in references
            assert f'href="{ref.url}"' in references
            assert f'href="#ref-{ref.number}"' in guide_html.split('id="references"')[0]
        cited = [int(n) for n in re.findall(r'href="#ref-(\d+)"', guide_html)]
        first_use = list(dict.fromkeys(cited))
        assert first_use == sorted(first_use), "references are numbered in order of first use"

    def test_unverified_statements_are_marked(self, guide_html: str) -> None:
        assert guide_html.count('class="unverified"') >= 1


class CiteTagTests:
    def test_it_links_to_the_numbered_reference(self) -> None:
        html = Template('{% load guide %}{% cite "R7" "R3" %}').render(Context())
        r7 = next(r for r in REFERENCES if r.key == "R7")
        r3 = next(r for r in REFERENCES if r.key == "R3")
        assert f'href="#ref-{r7.number}"' in html
        assert f'href="#ref-{r3.number}"' in html
        assert "reference" in html  # hidden text gives the link a name

    def test_it_fails_loudly_for_an_unknown_reference(self) -> None:
        with pytest.raises(TemplateSyntaxError):
            Template('{% load guide %}{% cite "R999" %}').render(Context())
