from __future__ import annotations

from django.urls import path

from heelwise.website import staff_views

app_name = "website_staff"

urlpatterns = [
    path("", staff_views.enquiry_list, name="enquiries"),
    path("<int:enquiry_id>/", staff_views.enquiry_detail, name="enquiry"),
    path("<int:enquiry_id>/action/", staff_views.enquiry_action, name="action"),
]
