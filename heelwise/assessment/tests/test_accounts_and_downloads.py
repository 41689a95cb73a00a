from __future__ import annotations

import re

import pytest
from django.test import Client
from icalendar import Calendar

from heelwise.accounts.personal_data import providers
from heelwise.assessment.models import Assessment
from heelwise.assessment.tests.helpers import PLANTAR_FASCIITIS, walk

pytestmark = pytest.mark.django_db


def _result_url(client: Client) -> str:
    return walk(client, PLANTAR_FASCIITIS)["Location"]


class SaveToAccountTests:
    def test_an_anonymous_result_is_saved_to_a_new_account(self, client: Client) -> None:
        url = _result_url(client)
        assessment = Assessment.objects.get()
        save_url = f"/assessment/result/{assessment.public_id}/save/"
        html = client.get(url).content.decode()
        assert f"/accounts/sign-up/?next={save_url.replace('/', '%2F')}" in html
        response = client.post(
            f"/accounts/sign-up/?next={save_url}",
            {
                "full_name": "Dana Runner",
                "email": "dana@example.com",
                "password": "a-long-password-123",
                "agree": "on",
            },
        )
        assert response.status_code == 302, response.content[:2000]
        assert response["Location"] == save_url
        assert client.get(save_url).status_code == 200
        response = client.post(save_url)
        assert response["Location"] == "/assessment/history/"
        assessment.refresh_from_db()
        assert assessment.user is not None and assessment.user.email == "dana@example.com"
        assert assessment.saved_at is not None

    def test_an_anonymous_result_is_saved_to_an_existing_account(
        self, client: Client, alice
    ) -> None:
        _result_url(client)
        assessment = Assessment.objects.get()
        client.force_login(alice)  # logging in keeps the anonymous session's results
        client.post(f"/assessment/result/{assessment.public_id}/save/")
        assessment.refresh_from_db()
        assert assessment.user == alice

    def test_another_user_cannot_take_a_saved_assessment(
        self, client: Client, alice, charlie
    ) -> None:
        client.force_login(alice)
        url = _result_url(client)
        assessment = Assessment.objects.get()
        assert assessment.user == alice  # signed-in patients' assessments are saved at once
        other = Client()
        other.force_login(charlie)
        assert other.get(url).status_code == 404
        assert other.post(f"{url}save/").status_code == 404
        assert other.get(f"{url}care-plan.pdf").status_code == 404


class HistoryTests:
    def test_it_shows_how_the_answers_changed(self, client: Client, alice) -> None:
        client.force_login(alice)
        walk(client, PLANTAR_FASCIITIS)
        later = {**PLANTAR_FASCIITIS, "pattern": {**PLANTAR_FASCIITIS["pattern"], "pain_nrs": "2"}}
        walk(client, later)
        html = client.get("/assessment/history/").content.decode()
        assert "What changed since the assessment before" in html
        row = re.search(
            r"how bad is the pain at its worst\?</th><td>(.*?)</td><td>(.*?)</td>", html
        )
        assert row is not None and row.groups() == ("5/10", "2/10")

    def test_history_and_result_use_a_fixed_number_of_queries(
        self, client: Client, alice, django_assert_max_num_queries
    ) -> None:
        client.force_login(alice)
        for _ in range(3):
            url = walk(client, PLANTAR_FASCIITIS)["Location"]
        # session + user + assessments; not one per assessment
        with django_assert_max_num_queries(4):
            assert client.get("/assessment/history/").status_code == 200
        with django_assert_max_num_queries(4):
            assert client.get(url).status_code == 200

    def test_it_needs_a_login(self, client: Client) -> None:
        response = client.get("/assessment/history/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    def test_personal_data_export_and_erasure_include_assessments(
        self, client: Client, alice
    ) -> None:
        client.force_login(alice)
        walk(client, PLANTAR_FASCIITIS)
        provider = next(p for p in providers() if p.name == "assessments")
        exported = provider.export(alice)
        assert exported[0]["questionnaire_response"]["resourceType"] == "QuestionnaireResponse"
        provider.erase(alice)
        assert not Assessment.objects.exists()


class DownloadTests:
    def test_the_care_plan_pdf_is_a_valid_pdf(self, client: Client) -> None:
        url = _result_url(client)
        response = client.get(f"{url}care-plan.pdf")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        pdf = response.content
        assert pdf.startswith(b"%PDF-")
        assert pdf.rstrip().endswith(b"%%EOF")
        assert len(pdf) > 10_000

    def test_the_care_plan_pdf_lays_out_the_whole_programme(self, client: Client, rf) -> None:
        from heelwise.assessment.pdf import care_plan_document
        from heelwise.assessment.views import _result_context

        _result_url(client)
        request = rf.get("/")
        document = care_plan_document(_result_context(request, Assessment.objects.get()))
        assert len(document.pages) >= 2

    def test_the_ics_feed_parses_and_has_stable_uids(self, client: Client) -> None:
        url = _result_url(client)
        html = client.get(url).content.decode()
        match = re.search(r'href="https?://[^/]+(/assessment/calendar/[^"]+\.ics)"', html)
        assert match is not None
        feed = match.group(1)
        first = client.get(feed)
        assert first.status_code == 200
        assert first["Content-Type"].startswith("text/calendar")
        events = Calendar.from_ical(first.content).walk("VEVENT")
        uids = [str(e["UID"]) for e in events]
        assert len(uids) == len(set(uids)) > 50
        again = Calendar.from_ical(Client().get(feed).content).walk("VEVENT")
        assert [str(e["UID"]) for e in again] == uids  # stable across fetches and clients
        assessment = Assessment.objects.get()
        assert uids[0].startswith(str(assessment.public_id))
        titles = {str(e["SUMMARY"]) for e in events}
        assert "Heel exercise: Calf stretches" in titles
        raises = [e for e in events if "heel raises" in str(e["SUMMARY"])]
        days = sorted(e.decoded("DTSTART") for e in raises)
        assert {(b - a).days for a, b in zip(days, days[1:], strict=False)} == {2}

    def test_a_tampered_feed_token_is_not_found(self, client: Client) -> None:
        url = _result_url(client)
        html = client.get(url).content.decode()
        match = re.search(r'(/assessment/calendar/[^"]+)\.ics', html)
        assert match is not None
        feed = match.group(1)
        assert client.get(feed[:-2] + "xx.ics").status_code == 404


class ApiTests:
    def test_it_assesses_a_request(self, client: Client) -> None:
        response = client.post(
            "/api/v1/assessments",
            {
                "id": "case-1",
                "patient": {"age": 42, "sex": "female", "runner": True},
                "findings": {"pain_location": "plantar_medial", "first_step_pain": True},
            },
            content_type="application/json",
        )
        assert response.status_code == 200
        body = response.json()
        assert body["id"] == "case-1"
        assert body["differential"][0]["condition"] == "plantar_fasciitis"
        assert abs(sum(d["probability"] for d in body["differential"]) - 1) < 0.001
        assert not Assessment.objects.exists()  # the API stores nothing

    def test_it_names_every_bad_field(self, client: Client) -> None:
        response = client.post(
            "/api/v1/assessments",
            {"patient": {"age": -3}, "findings": {"favourite_colour": "red"}},
            content_type="application/json",
        )
        assert response.status_code == 422
        fields = {p["field"] for p in response.json()["error"]["problems"]}
        assert {"patient.age", "findings.favourite_colour"} <= fields

    def test_it_rejects_a_body_that_is_not_json(self, client: Client) -> None:
        response = client.post("/api/v1/assessments", "{", content_type="application/json")
        assert response.status_code == 400


def test_the_assessment_endpoint_is_in_the_openapi_document(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/assessments"]["post"]
    assert "application/json" in operation["requestBody"]["content"]
    assert {"200", "422"} <= set(operation["responses"])


def test_a_pdf_is_laid_out_once_per_result(client: Client, monkeypatch) -> None:
    from heelwise.assessment import pdf

    calls: list[int] = []
    real = pdf.care_plan_pdf

    def counting(context: dict) -> bytes:
        calls.append(1)
        return real(context)

    monkeypatch.setattr(pdf, "care_plan_pdf", counting)
    url = _result_url(client) + "care-plan.pdf"
    first = client.get(url).content
    assert client.get(url).content == first
    assert calls == [1]
    assert Client().get(url).status_code == 404  # the access check still runs first
