"""Django admin for booking configuration, bookings and the email delivery log.

The clinic's configuration (availability, breaks, time off, policies, course plans) is edited
here. Bookings, courses, the waiting list and the delivery log are patient records: read-only
(changes go through the booking services and staff pages, which keep invites, reminders and the
waiting list right) and every list or record opened is audited."""

from __future__ import annotations

from django.contrib import admin

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
from heelwise.clinics.forms import TimeOffForm
from heelwise.common.admin import PatientDataAdmin


@admin.register(WeeklyAvailability)
class WeeklyAvailabilityAdmin(admin.ModelAdmin[WeeklyAvailability]):
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
