"""Admin forms for schedule changes that can strand existing bookings: a practitioner's time
off, a site's closure, deactivating a site or a room, and editing a practitioner's weekly
availability (deleting it goes through ``WeeklyAvailabilityAdmin.delete_view``, which asks the
same). Saving one over confirmed bookings is refused until the staff member ticks that they
will move or cancel those bookings (which the form lists); the staff calendar marks bookings
under time off or a closure until they do. Re-saving without changing the period (e.g. to fix
the reason) asks nothing again."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from heelwise.booking import clock
from heelwise.booking.availability import LONDON
from heelwise.booking.models import Booking, TimeOff, WeeklyAvailability
from heelwise.booking.selectors import (
    bookings_confirmed_ahead,
    bookings_in_closure,
    bookings_in_time_off,
    bookings_stranded_by_availability,
)
from heelwise.clinics.models import Closure, Room, Site

ACKNOWLEDGE_LABEL = "I will move or cancel these bookings"
MAX_LISTED = 20


def clash_listing(bookings: Sequence[Booking]) -> str:
    """The first bookings as "REF (Mon 22 Mar 2027 10:00, London)"; "and N more" after them."""
    lines = []
    for b in bookings[:MAX_LISTED]:
        start = b.start.astimezone(LONDON)
        where = b.site.name if b.site is not None else "remote"
        lines.append(f"{b.reference} ({start:%a} {start.day} {start:%b %Y %H:%M}, {where})")
    more = f" and {len(bookings) - MAX_LISTED} more" if len(bookings) > MAX_LISTED else ""
    return "; ".join(lines) + more


def clash_message(bookings: Sequence[Booking], where: str) -> str:
    """E.g. "1 confirmed booking falls in this time off: ...", "2 confirmed bookings fall ..."."""
    count = len(bookings)
    counted = (
        f"{count} confirmed booking falls" if count == 1 else f"{count} confirmed bookings fall"
    )
    return (
        f"{counted} {where}: {clash_listing(bookings)}. Tick \u201c{ACKNOWLEDGE_LABEL}\u201d to "
        "save anyway, then move or cancel them from the staff booking pages."
    )


class ClashAcknowledgeMixin(forms.Form):
    acknowledge_clashes = forms.BooleanField(
        label=ACKNOWLEDGE_LABEL,
        required=False,
        help_text=(
            "Only needed when this change leaves confirmed bookings outside the clinic's "
            "schedule. Saving does not move, cancel or email anyone: the bookings stay confirmed "
            "(reminders included) until you move or cancel them."
        ),
    )

    def _changed(self, *fields: str) -> bool:
        """New, or one of ``fields`` changed: only then can the change strand bookings."""
        instance = getattr(self, "instance", None)
        return instance is None or instance.pk is None or bool(set(self.changed_data) & set(fields))

    def _refuse_unless_acknowledged(self, bookings: Sequence[Booking], where: str) -> None:
        if bookings and not self.cleaned_data.get("acknowledge_clashes"):
            self.add_error("acknowledge_clashes", clash_message(bookings, where))


class ClosureForm(ClashAcknowledgeMixin, forms.ModelForm):
    class Meta:
        model = Closure
        fields = ["site", "first_day", "last_day", "reason"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        site = data.get("site") or getattr(self.instance, "site", None)
        first, last = data.get("first_day"), data.get("last_day")
        if (
            site is not None
            and first
            and last
            and first <= last
            and self._changed("site", "first_day", "last_day")
        ):
            self._refuse_unless_acknowledged(
                list(bookings_in_closure(site_id=site.pk, first_day=first, last_day=last)),
                "in this closure",
            )
        return data


class TimeOffForm(ClashAcknowledgeMixin, forms.ModelForm):
    class Meta:
        model = TimeOff
        fields = ["practitioner", "start", "end", "reason"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        practitioner, start, end = data.get("practitioner"), data.get("start"), data.get("end")
        # An end before the start is the model's field error (TimeOff.clean).
        if (
            practitioner is not None
            and start
            and end
            and start < end
            and self._changed("practitioner", "start", "end")
        ):
            self._refuse_unless_acknowledged(
                list(bookings_in_time_off(practitioner_id=practitioner.pk, start=start, end=end)),
                "in this time off",
            )
        return data


class SiteForm(ClashAcknowledgeMixin, forms.ModelForm):
    """Deactivating a site hides it from booking; its confirmed bookings stay."""

    class Meta:
        model = Site
        exclude: list[str] = []  # every field, as the admin shows them

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            self.instance.pk
            and not data.get("is_active", True)
            and "is_active" in self.changed_data
        ):
            self._refuse_unless_acknowledged(
                list(bookings_confirmed_ahead(now=clock.now(), site_id=self.instance.pk)),
                "at this clinic from now on, and deactivating it takes the clinic off the "
                "booking pages",
            )
        return data


class RoomForm(ClashAcknowledgeMixin, forms.ModelForm):
    """Deactivating a room takes it out of booking; its confirmed bookings keep it."""

    class Meta:
        model = Room
        fields = ["name", "is_active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            self.instance.pk
            and not data.get("is_active", True)
            and "is_active" in self.changed_data
        ):
            self._refuse_unless_acknowledged(
                list(bookings_confirmed_ahead(now=clock.now(), room_id=self.instance.pk)),
                f"in {self.instance.name} from now on",
            )
        return data


AVAILABILITY_FIELDS = ("practitioner", "site", "weekday", "starts", "ends", "valid_from")


class WeeklyAvailabilityForm(ClashAcknowledgeMixin, forms.ModelForm):
    """Shrinking, moving or ending a practitioner's weekly availability over confirmed future
    bookings (that no other availability of theirs covers) needs the acknowledgement."""

    class Meta:
        model = WeeklyAvailability
        fields = [*AVAILABILITY_FIELDS, "valid_until"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.instance.pk or not self._changed(*AVAILABILITY_FIELDS, "valid_until"):
            return data
        if any(data.get(f) is None for f in ("practitioner", "weekday", "starts", "ends")):
            return data  # a required field is missing: its own error says so
        stored = WeeklyAvailability.objects.get(pk=self.instance.pk)
        replacement = WeeklyAvailability(
            practitioner=data["practitioner"],
            site=data.get("site"),
            weekday=data["weekday"],
            starts=data["starts"],
            ends=data["ends"],
            valid_from=data.get("valid_from"),
            valid_until=data.get("valid_until"),
        )
        self._refuse_unless_acknowledged(
            bookings_stranded_by_availability(
                rule=stored, replacement=replacement, now=clock.now()
            ),
            "outside this practitioner's availability after this change",
        )
        return data
