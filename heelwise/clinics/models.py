"""The clinic's sites, opening hours, rooms, practitioners and bookable services.

Times of day here are wall-clock times in Europe/London (the clinic's only time zone);
instants (bookings) are stored in UTC elsewhere.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class Site(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    building = models.CharField(max_length=120, blank=True)
    street = models.CharField(max_length=120)
    area = models.CharField(max_length=80, blank=True)
    city = models.CharField(max_length=80)
    postcode = models.CharField(max_length=10)
    phone = models.CharField(max_length=30)
    email = models.EmailField()
    directions = models.TextField(
        blank=True, help_text="How to get there: public transport, parking, step-free access."
    )
    accessibility = models.TextField(blank=True)
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    display_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["display_order", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def address_lines(self) -> list[str]:
        return [
            line
            for line in (self.building, self.street, self.area, self.city, self.postcode)
            if line
        ]


class OpeningHours(models.Model):
    """A weekly opening period. Regular hours plus evening and weekend sessions."""

    class Kind(models.TextChoices):
        REGULAR = "regular", "Regular hours"
        EVENING = "evening", "Evening session"
        WEEKEND = "weekend", "Weekend session"

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REGULAR)

    class Meta:
        ordering = ["site", "weekday", "opens"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__gt=F("opens")),
                name="hours_close_after_open",
                violation_error_message="Closing time must be after opening time.",
            ),
            models.UniqueConstraint(fields=["site", "weekday", "opens"], name="hours_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.site}: {self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"

    def clean(self) -> None:
        if self.opens and self.closes and self.closes <= self.opens:
            raise ValidationError({"closes": "Closing time must be after opening time."})


class Closure(models.Model):
    """A day or run of days a site is closed (in addition to UK bank holidays)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="closures")
    first_day = models.DateField()
    last_day = models.DateField()
    reason = models.CharField(max_length=120)

    class Meta:
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")),
                name="closure_last_after_first",
                violation_error_message="The last day must be on or after the first day.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.site} closed {self.first_day}..{self.last_day}: {self.reason}"

    def clean(self) -> None:
        if self.first_day and self.last_day and self.last_day < self.first_day:
            raise ValidationError({"last_day": "The last day must be on or after the first day."})


class Room(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=60)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["site", "name"]
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="room_unique_name")]

    def __str__(self) -> str:
        return f"{self.site} / {self.name}"


class Practitioner(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    title = models.CharField(max_length=100, help_text="e.g. Chartered physiotherapist")
    registration = models.CharField(
        max_length=100, blank=True, help_text="Regulator and number, e.g. HCPC PH123456"
    )
    bio = models.TextField()
    special_interests = models.CharField(max_length=200, blank=True)
    sites = models.ManyToManyField(Site, related_name="practitioners", blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="practitioner",
    )
    display_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["display_order", "name"]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    class Mode(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        REMOTE = "remote", "Phone or video"

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    summary = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    minutes = models.PositiveSmallIntegerField()
    buffer_minutes = models.PositiveSmallIntegerField(
        default=0, help_text="Gap kept free after each appointment."
    )
    price_pence = models.PositiveIntegerField(default=0)
    mode = models.CharField(max_length=10, choices=Mode.choices)
    min_notice_hours = models.PositiveSmallIntegerField(default=2)
    horizon_days = models.PositiveSmallIntegerField(default=60)
    bookable_online = models.BooleanField(default=True)
    display_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["display_order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gt=0),
                name="service_positive_minutes",
                violation_error_message="An appointment lasts at least 1 minute.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_remote(self) -> bool:
        return self.mode == self.Mode.REMOTE

    @property
    def is_free(self) -> bool:
        return self.price_pence == 0

    @property
    def price_display(self) -> str:
        if self.price_pence == 0:
            return "Free"
        pounds, pence = divmod(self.price_pence, 100)
        return f"£{pounds}" if pence == 0 else f"£{pounds}.{pence:02d}"
