from __future__ import annotations

from django.urls import path

from heelwise.assessment import views

app_name = "assessment"

urlpatterns = [
    path("", views.start, name="start"),
    path("restart/", views.restart, name="restart"),
    path("step/<slug:key>/", views.step, name="step"),
    path("result/<uuid:public_id>/", views.result, name="result"),
    path("result/<uuid:public_id>/care-plan.pdf", views.result_pdf, name="pdf"),
    path("result/<uuid:public_id>/save/", views.save, name="save"),
    path("result/<uuid:public_id>/change/", views.change_answers, name="change"),
    path(
        "result/<uuid:public_id>/QuestionnaireResponse.json",
        views.result_fhir,
        name="result_fhir",
    ),
    path("history/", views.history, name="history"),
    path("clinician/<str:token>/", views.clinician, name="clinician"),
    path("calendar/<str:token>.ics", views.feed, name="feed"),
    path("fhir/Questionnaire/heel-pain", views.questionnaire, name="questionnaire"),
]
