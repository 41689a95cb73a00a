from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from heelwise.api import api
from heelwise.common.views import favicon

admin.site.site_header = "Heelwise clinic administration"
admin.site.site_title = "Heelwise admin"

urlpatterns = [
    # Browsers ask for /favicon.ico on pages without an icon link (the API docs page, files).
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("heelwise.accounts.urls")),
    path("recovery/", include("heelwise.runlog.urls")),
    path("assessment/", include("heelwise.assessment.urls")),
    path("book/", include("heelwise.booking.urls")),
    path("staff/bookings/", include("heelwise.booking.staff_urls")),
    path("staff/enquiries/", include("heelwise.website.staff_urls")),
    path("", include("heelwise.website.urls")),
]
