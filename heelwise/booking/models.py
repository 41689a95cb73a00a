"""Bookings and everything availability is computed from.

Weekly rules (availability, breaks) are wall-clock times in Europe/London; instants (bookings,
time off, outbox messages) are stored in UTC. On PostgreSQL two exclusion constraints (created
in migration 0002, see docs/booking.md) forbid overlapping active bookings per practitioner and
per room over ``tstzrange(start, blocked_until)``; on SQLite the booking service re-checks inside
a serialised (IMMEDIATE) transaction.
"""

from __future__ import annotations

import secrets
import uuid
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from heelwise.clinics.models import Practitioner, Room, Service, Site, Weekday

# Unambiguous characters for references read out over the phone: no 0/O, 1/I/L, 5/S, 8/B.
REFERENCE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY2345679"
REFERENCE_LENGTH = 8


def _end_after_start(start: object, end: object, field: str) -> None:
    """A clear field error instead of the database constraint's name (admin forms)."""
    if start is not None and end is not None and end <= start:  # type: ignore[operator]
        raise ValidationError({field: "The end must be after the start."})


def reference_new() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


class WeeklyAvailability(models.Model):
    """When a practitioner works: a weekly wall-clock window at one site, or remote (no site)."""

    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="weekly_availability"
    )
    site = models.ForeignKey(
        Site,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="practitioner_availability",
        help_text="Empty for remote (phone or video) sessions.",
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts = models.TimeField()
    ends = models.TimeField()
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["practitioner", "weekday", "starts"]
        verbose_name_plural = "weekly availability"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gt=F("starts")),
                name="availability_ends_after_start",
                violation_error_message="The end must be after the start.",
            )
        ]

    def __str__(self) -> str:
        where = self.site or "remote"
        hours = f"{self.starts:%H:%M}-{self.ends:%H:%M}"
        return f"{self.practitioner} @ {where}: {self.get_weekday_display()} {hours}"

    def clean(self) -> None:
        _end_after_start(self.starts, self.ends, "ends")
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": "Valid until must be on or after valid from."})


class Break(models.Model):
    """A recurring break (e.g. lunch). Weekday empty = every day."""

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="breaks")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, null=True, blank=True)
    starts = models.TimeField()
    ends = models.TimeField()

    class Meta:
        ordering = ["practitioner", "weekday", "starts"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gt=F("starts")),
                name="break_ends_after_start",
                violation_error_message="The end must be after the start.",
            )
        ]

    def __str__(self) -> str:
        day = self.get_weekday_display() if self.weekday is not None else "Every day"
        return f"{self.practitioner}: {day} break {self.starts:%H:%M}-{self.ends:%H:%M}"

    def clean(self) -> None:
        _end_after_start(self.starts, self.ends, "ends")


class TimeOff(models.Model):
    """Leave, training, sickness: an interval (UTC) when the practitioner takes no bookings."""

    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="time_off"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["start"]
        verbose_name_plural = "time off"
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="timeoff_end_after_start",
                violation_error_message="The end must be after the start.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.practitioner} off {self.start:%Y-%m-%d %H:%M}..{self.end:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        _end_after_start(self.start, self.end, "end")


class ServicePolicy(models.Model):
    """Booking rules the clinic sets per service (data, not code)."""

    service = models.OneToOneField(Service, on_delete=models.CASCADE, related_name="policy")
    grid_minutes = models.PositiveSmallIntegerField(
        default=15, help_text="Start times are offered on this grid of the local clock."
    )
    cancel_notice_hours = models.PositiveSmallIntegerField(
        default=24, help_text="Online cancellation closes this many hours before the start."
    )
    reschedule_notice_hours = models.PositiveSmallIntegerField(
        default=24, help_text="Online rescheduling closes this many hours before the start."
    )

    class Meta:
        verbose_name_plural = "service policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(grid_minutes__gt=0),
                name="policy_positive_grid",
                violation_error_message="The start-time grid must be at least 1 minute.",
            )
        ]

    def __str__(self) -> str:
        return f"Policy for {self.service}"


class CoursePlan(models.Model):
    """A treatment course template, e.g. three sessions two to three weeks apart."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="course_plans")
    sessions = models.PositiveSmallIntegerField(default=3)
    min_gap_days = models.PositiveSmallIntegerField(default=14)
    max_gap_days = models.PositiveSmallIntegerField(default=21)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_gap_days__gte=F("min_gap_days")),
                name="courseplan_gap_order",
                violation_error_message=(
                    "The maximum gap must be at least the minimum gap (in days)."
                ),
            ),
            models.CheckConstraint(
                condition=Q(sessions__gte=1),
                name="courseplan_sessions",
                violation_error_message="A course has at least 1 session.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        low, high = self.min_gap_days, self.max_gap_days
        if low is not None and high is not None and high < low:
            raise ValidationError(
                {"max_gap_days": "The maximum gap must be at least the minimum gap (in days)."}
            )


class Course(models.Model):
    """A booked treatment course: its sessions are Bookings pointing here, booked all or none."""

    reference = models.CharField(max_length=12, unique=True, default=reference_new)
    plan = models.ForeignKey(CoursePlan, on_delete=models.PROTECT, related_name="courses")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"Course {self.reference}"


class Booking(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        CANCELLED = "cancelled", "Cancelled"
        ATTENDED = "attended", "Attended"
        NO_SHOW = "no_show", "Did not attend"

    # Statuses that hold the practitioner's and the room's time (the exclusion constraints'
    # condition; keep migration 0002 in step with this tuple).
    ACTIVE_STATUSES: ClassVar[tuple[str, ...]] = ("confirmed", "attended", "no_show")

    reference = models.CharField(max_length=12, unique=True, default=reference_new)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, help_text="iCalendar SEQUENCE.")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="bookings")
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.PROTECT, related_name="bookings"
    )
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.PROTECT, related_name="bookings"
    )
    room = models.ForeignKey(
        Room, null=True, blank=True, on_delete=models.PROTECT, related_name="bookings"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    blocked_until = models.DateTimeField(help_text="End plus the service's buffer.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CONFIRMED)
    course = models.ForeignKey(
        Course, null=True, blank=True, on_delete=models.PROTECT, related_name="bookings"
    )
    # Personal data: never logged.
    name = models.CharField(max_length=150)
    email = models.EmailField()
    phone = models.CharField(max_length=30, blank=True)
    notes = models.TextField(blank=True, max_length=2000)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bookings",
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The staff member who booked on the patient's behalf.",
    )
    assessment = models.ForeignKey(
        "assessment.Assessment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bookings",
        help_text="The self-assessment the patient chose to share with the clinician.",
    )
    submission_key = models.CharField(
        max_length=32,
        blank=True,
        default="",
        editable=False,
        help_text=(
            "The one-time key of the online confirm form that made it: a second send of the "
            "same form (a double click) shows this booking instead of refusing the time."
        ),
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start"]
        indexes = [
            models.Index(fields=["practitioner", "start"]),
            models.Index(fields=["site", "start"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["submission_key"],
                condition=~Q(submission_key=""),
                name="booking_submission_key_unique",
                violation_error_message="This booking form was already sent.",
            ),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="booking_end_after_start"),
            models.CheckConstraint(
                condition=Q(blocked_until__gte=F("end")), name="booking_blocked_after_end"
            ),
        ]

    def __str__(self) -> str:
        return f"Booking {self.reference}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def ical_uid(self) -> str:
        return f"booking-{self.uid}@heelwise"


class WaitlistEntry(models.Model):
    """Someone who wants a service at a site (or remote) on a day if a slot frees up."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        OFFERED = "offered", "Offered a slot"
        BOOKED = "booked", "Booked"
        WITHDRAWN = "withdrawn", "Withdrawn"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="waitlist")
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.CASCADE, related_name="waitlist"
    )
    day = models.DateField(help_text="Local (Europe/London) day wanted.")
    name = models.CharField(max_length=150)
    email = models.EmailField()
    phone = models.CharField(max_length=30, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    offered_start = models.DateTimeField(null=True, blank=True)
    offered_practitioner = models.ForeignKey(
        Practitioner, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    offered_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]
        verbose_name_plural = "waitlist entries"
        indexes = [models.Index(fields=["service", "day", "status"])]

    def __str__(self) -> str:
        return f"Waitlist #{self.pk} {self.service} {self.day}"


class OutboxMessage(models.Model):
    """An email to send, written in the same transaction as the change that caused it.

    Sending claims the row (pending -> sending) with one conditional UPDATE, so a duplicate task
    run or a retry after a crash never sends the same message twice. This table is the delivery
    log staff see.
    """

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", "Booking confirmation"
        RESCHEDULED = "rescheduled", "Booking moved"
        CANCELLATION = "cancellation", "Booking cancelled"
        REMINDER = "reminder", "Reminder (24 hours before)"
        WAITLIST_OFFER = "waitlist_offer", "Waitlist offer"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SUPERSEDED = "superseded", "Superseded"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    booking = models.ForeignKey(
        Booking, null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    waitlist_entry = models.ForeignKey(
        WaitlistEntry, null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    sequence = models.PositiveIntegerField(default=0, help_text="Booking SEQUENCE it describes.")
    previous_start = models.DateTimeField(
        null=True, blank=True, help_text="For a move: the time the booking was moved from."
    )
    dedupe_key = models.CharField(max_length=200, unique=True)
    send_after = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["status", "send_after"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"
