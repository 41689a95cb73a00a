from __future__ import annotations

from django.urls import path

from heelwise.booking import views

app_name = "booking"

urlpatterns = [
    path("", views.start, name="start"),
    path("done/<str:token>/", views.done, name="done"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("manage/<str:token>/cancel/", views.cancel, name="cancel"),
    path("manage/<str:token>/reschedule/", views.reschedule, name="reschedule"),
    path("<slug:service>/", views.choose_site, name="site"),
    path("<slug:service>/<slug:site>/", views.times, name="times"),
    path("<slug:service>/<slug:site>/details/", views.details, name="details"),
    path("<slug:service>/<slug:site>/waitlist/", views.waitlist, name="waitlist"),
]
