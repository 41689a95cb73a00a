from __future__ import annotations

from django.urls import path

from heelwise.website import views

app_name = "website"

urlpatterns = [
    path("", views.home, name="home"),
    path("clinics/", views.clinics, name="clinics"),
    path("clinics/<slug:slug>/", views.clinic_detail, name="clinic_detail"),
    path("heel-pain-guide/", views.guide, name="guide"),
    path("practitioners/", views.practitioners, name="practitioners"),
    path("practitioners/<slug:slug>/", views.practitioner_detail, name="practitioner_detail"),
    path("contact/", views.contact, name="contact"),
    path("contact/thank-you/", views.contact_thanks, name="contact_thanks"),
    path("privacy/", views.privacy, name="privacy"),
    path("accessibility/", views.accessibility, name="accessibility"),
]
