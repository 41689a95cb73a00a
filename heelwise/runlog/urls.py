from __future__ import annotations

from django.urls import path

from heelwise.runlog import views

app_name = "runlog"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("charts/pain-load.svg", views.chart_pain_load, name="chart_pain_load"),
    path("charts/shoes.svg", views.chart_shoes, name="chart_shoes"),
    path("check-in/", views.checkin, name="checkin"),
    path("check-in/advice/", views.checkin_advice, name="checkin_advice"),
    path("runs/", views.run_list, name="run_list"),
    path("runs/new/", views.run_new, name="run_new"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/edit/", views.run_edit, name="run_edit"),
    path("shoes/", views.shoes, name="shoes"),
    path("shoes/<int:pk>/", views.shoe_edit, name="shoe_edit"),
    path("import/", views.import_new, name="import_new"),
    path("import/<int:pk>/", views.import_detail, name="import_detail"),
    path("programme/", views.programme, name="programme"),
    path("patients/", views.clinician_patients, name="clinician_patients"),
    path("patients/<int:patient_id>/", views.clinician_patient, name="clinician_patient"),
    path(
        "patients/<int:patient_id>/charts/pain-load.svg",
        views.clinician_chart_pain_load,
        name="clinician_chart_pain_load",
    ),
    path(
        "patients/<int:patient_id>/charts/shoes.svg",
        views.clinician_chart_shoes,
        name="clinician_chart_shoes",
    ),
]
