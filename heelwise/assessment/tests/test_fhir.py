from __future__ import annotations

import copy

import pytest
from django.utils import timezone

from heelwise.assessment import engine, fhir
from heelwise.assessment.models import Assessment
from heelwise.assessment.tests.helpers import PLANTAR_FASCIITIS, walk


def _items(q: dict) -> dict[str, dict]:
    return {i["linkId"]: i for i in fhir._walk(q["item"])}


class QuestionnaireTests:
    def test_it_validates_against_fhir_r4(self) -> None:
        from fhir.resources.R4B.questionnaire import Questionnaire

        q = fhir.questionnaire()
        fhir.validate_questionnaire(q)
        parsed = Questionnaire.model_validate(q)
        assert parsed.status == "active"
        assert parsed.version == engine.kb_version()

    def test_it_uses_every_finding_key_as_a_link_id(self) -> None:
        items = _items(fhir.questionnaire())
        assert set(engine.knowledge_base().findings) <= set(items)

    def test_it_publishes_enable_when_for_conditional_questions(self) -> None:
        items = _items(fhir.questionnaire())
        pop = items["pop_felt"]
        assert pop["enableBehavior"] == "any"
        codes = {c.get("answerCoding", {}).get("code") for c in pop["enableWhen"]}
        assert {"sudden", "trauma"} <= codes
        assert {"question": "onset", "operator": "exists", "answerBoolean": False} in pop[
            "enableWhen"
        ]
        pregnant = items["pregnant"]
        assert any(c["operator"] == "!=" for c in pregnant["enableWhen"])

    def test_it_types_items_from_the_knowledge_base(self) -> None:
        items = _items(fhir.questionnaire())
        assert items["first_step_pain"]["type"] == "boolean"
        assert items["age"]["type"] == "integer"
        assert items["bmi"]["type"] == "decimal"
        assert items["pain_location"]["type"] == "choice"
        assert len(items["pain_location"]["answerOption"]) == 11

    def test_it_rejects_a_broken_questionnaire(self) -> None:
        q = fhir.questionnaire()
        q["status"] = "not-a-status"
        q["bogus"] = 1
        q["item"][0]["item"][0]["enableWhen"] = [
            {"question": "nope", "operator": "=", "answerBoolean": True}
        ]
        with pytest.raises(fhir.FhirInvalid) as exc:
            fhir.validate_questionnaire(q)
        text = str(exc.value)
        assert "status" in text
        assert "unknown 'nope'" in text
        assert "bogus" in text  # reported by the fhir.resources R4B model

    def test_it_is_served_as_fhir_json(self, client) -> None:
        response = client.get("/assessment/fhir/Questionnaire/heel-pain")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/fhir+json"
        fhir.validate_questionnaire(response.json())


class QuestionnaireResponseTests:
    def test_it_round_trips_answers(self) -> None:
        answers = {"age": 42, "bmi": 27.1, "sex": "female", "first_step_pain": True}
        response = fhir.questionnaire_response(answers, authored=timezone.now())
        fhir.validate_response(response, fhir.questionnaire())
        assert fhir.answers_from_response(response) == answers

    def test_it_rejects_answers_that_do_not_fit_the_questionnaire(self) -> None:
        response = fhir.questionnaire_response({"age": 42}, authored=timezone.now())
        bad = copy.deepcopy(response)
        bad["item"][0]["item"][0]["answer"] = [{"valueInteger": 500}]
        bad["item"][0]["item"].append({"linkId": "favourite_colour", "answer": []})
        with pytest.raises(fhir.FhirInvalid) as exc:
            fhir.validate_response(bad, fhir.questionnaire())
        assert "above the maximum" in str(exc.value)
        assert "favourite_colour" in str(exc.value)

    @pytest.mark.django_db
    def test_the_stored_response_validates_beside_its_result(self, client) -> None:
        walk(client, PLANTAR_FASCIITIS)
        assessment = Assessment.objects.get()
        fhir.validate_response(assessment.questionnaire_response, fhir.questionnaire())
        assert assessment.questionnaire_response["questionnaire"].endswith(
            "|" + assessment.kb_version
        )
        assert assessment.kb_version == assessment.result["knowledge_base"]
        answers = fhir.answers_from_response(assessment.questionnaire_response)
        assert answers["pain_location"] == "plantar_medial"
        assert answers["age"] == 42


@pytest.mark.django_db
def test_the_stored_response_is_downloadable_by_its_viewer_only(client) -> None:
    from django.test import Client

    url = walk(client, PLANTAR_FASCIITIS)["Location"] + "QuestionnaireResponse.json"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    fhir.validate_response(response.json(), fhir.questionnaire())
    assert Client().get(url).status_code == 404
