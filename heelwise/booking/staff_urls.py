from __future__ import annotations

from django.urls import path

from heelwise.booking import staff_views

app_name = "booking_staff"

urlpatterns = [
    path("", staff_views.calendar, name="calendar"),
    path("new/", staff_views.book_for_caller, name="book"),
    path("course/", staff_views.book_course, name="course"),
    path("deliveries/", staff_views.deliveries, name="deliveries"),
    path("search/", staff_views.search, name="search"),
    path("<str:reference>/", staff_views.booking_detail, name="booking"),
    path("<str:reference>/action/", staff_views.booking_action, name="action"),
    path("<str:reference>/cancel/", staff_views.booking_cancel_confirm, name="cancel"),
    path("<str:reference>/move/", staff_views.booking_move, name="move"),
]
