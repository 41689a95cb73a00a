"""Django admin for booking configuration, bookings and the email delivery log.

The clinic's configuration (availability, breaks, time off, policies, course plans) is edited
here. Bookings, courses, the waiting list and the delivery log are patient records: read-only
(changes go through the booking services and staff pages, which keep invites, reminders and the
waiting list right) and every list or record opened is audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from heelwise.booking import clock
from heelwise.booking.models import (
    Booking,
    Break,
    Course,
    CoursePlan,
    OutboxMessage,
    ServicePolicy,
    TimeOff,
    WaitlistEntry,
    WeeklyAvailability,
)
from heelwise.booking.selectors import bookings_stranded_by_availability
from heelwise.clinics.forms import (
    ACKNOWLEDGE_LABEL,
    TimeOffForm,
    WeeklyAvailabilityForm,
    clash_listing,
    clash_message,
)
from heelwise.common.admin import PatientDataAdmin


@admin.register(WeeklyAvailability)
class WeeklyAvailabilityAdmin(admin.ModelAdmin[WeeklyAvailability]):
    """Editing or deleting availability that covers confirmed future bookings asks the staff
    member to acknowledge them (``WeeklyAvailabilityForm``; the delete page below). The bulk
    delete action is off so every deletion goes through that page."""

    form = WeeklyAvailabilityForm
    delete_confirmation_template = "booking/admin/weeklyavailability_delete_confirmation.html"
    list_display = (
        "practitioner",
        "site",
        "weekday",
        "starts",
        "ends",
        "valid_from",
        "valid_until",
    )
    list_filter = ("practitioner", "site", "weekday")

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        rule = self.get_object(request, unquote(object_id))
        stranded = (
            bookings_stranded_by_availability(rule=rule, replacement=None, now=clock.now())
            if rule is not None
            else []
        )
        if stranded and request.method == "POST" and not request.POST.get("acknowledge_clashes"):
            messages.error(
                request,
                clash_message(
                    stranded, "outside this practitioner's availability once it is deleted"
                ),
            )
            return HttpResponseRedirect(request.get_full_path())
        context = {
            **(extra_context or {}),
            "stranded": clash_listing(stranded) if stranded else "",
            "stranded_count": len(stranded),
            "acknowledge_label": ACKNOWLEDGE_LABEL,
        }
        return super().delete_view(request, object_id, context)


@admin.register(Break)
class BreakAdmin(admin.ModelAdmin[Break]):
    list_display = ("practitioner", "weekday", "starts", "ends")
    list_filter = ("practitioner",)


@admin.register(TimeOff)
class TimeOffAdmin(admin.ModelAdmin[TimeOff]):
    form = TimeOffForm  # refuses time off over confirmed bookings until acknowledged
    list_display = ("practitioner", "start", "end", "reason")
    list_filter = ("practitioner",)
    date_hierarchy = "start"


@admin.register(ServicePolicy)
class ServicePolicyAdmin(admin.ModelAdmin[ServicePolicy]):
    list_display = ("service", "grid_minutes", "cancel_notice_hours", "reschedule_notice_hours")


@admin.register(CoursePlan)
class CoursePlanAdmin(admin.ModelAdmin[CoursePlan]):
    list_display = ("name", "service", "sessions", "min_gap_days", "max_gap_days")
    prepopulated_fields = {"slug": ("name",)}


class CourseBookingInline(admin.TabularInline[Booking, Course]):
    model = Booking
    fields = ("reference", "start", "practitioner", "status")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Course)
class CourseAdmin(PatientDataAdmin[Course]):
    audit_subject = None  # a course's bookings carry the patient
    list_display = ("reference", "plan", "created")
    list_select_related = ("plan",)
    inlines = [CourseBookingInline]


class OutboxInline(admin.TabularInline[OutboxMessage, Booking]):
    model = OutboxMessage
    fields = ("kind", "status", "send_after", "sent_at", "attempts", "last_error")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Booking)
class BookingAdmin(PatientDataAdmin[Booking]):
    """Bookings are made and changed through the booking services (staff pages), which keep the
    calendar invites and reminders right; the admin shows them read-only."""

    list_display = ("reference", "start", "service", "site", "practitioner", "room", "status")
    list_filter = ("status", "site", "practitioner", "service")
    search_fields = ("reference",)
    date_hierarchy = "start"
    list_select_related = ("service", "site", "practitioner", "room")
    inlines = [OutboxInline]


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(PatientDataAdmin[WaitlistEntry]):
    audit_subject = None  # matched to a person by email only
    list_display = ("id", "service", "site", "day", "status", "offered_start", "created")
    list_filter = ("status", "service", "site")
    list_select_related = ("service", "site")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(PatientDataAdmin[OutboxMessage]):
    """The email delivery log."""

    audit_subject = "booking__user"

    list_display = (
        "id",
        "kind",
        "booking",
        "status",
        "send_after",
        "sent_at",
        "attempts",
        "last_error",
    )
    list_filter = ("status", "kind")
    list_select_related = ("booking",)
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
