"""Admin forms for schedule changes that can strand existing bookings: a practitioner's time
off and a site's closure. Saving one over confirmed bookings is refused until the staff member
ticks that they will move or cancel those bookings (which the form lists); the staff calendar
then marks them until they do."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from heelwise.booking.availability import LONDON
from heelwise.booking.models import TimeOff
from heelwise.booking.selectors import bookings_in_closure, bookings_in_time_off
from heelwise.clinics.models import Closure

ACKNOWLEDGE_LABEL = "I will move or cancel these bookings"
MAX_LISTED = 20


def _listing(bookings: QuerySet[Any]) -> str:
    rows = list(bookings[: MAX_LISTED + 1])
    lines = []
    for b in rows[:MAX_LISTED]:
        start = b.start.astimezone(LONDON)
        where = b.site.name if b.site is not None else "remote"
        lines.append(f"{b.reference} ({start:%a} {start.day} {start:%b %Y %H:%M}, {where})")
    more = " and more" if len(rows) > MAX_LISTED else ""
    return "; ".join(lines) + more


class ClashAcknowledgeMixin(forms.Form):
    acknowledge_clashes = forms.BooleanField(
        label=ACKNOWLEDGE_LABEL,
        required=False,
        help_text=(
            "Only needed when confirmed bookings fall in this period. Saving does not move, "
            "cancel or email anyone: the bookings stay confirmed (reminders included) and are "
            "marked on the staff calendar until you move or cancel them."
        ),
    )

    def _refuse_unless_acknowledged(self, bookings: QuerySet[Any], what: str) -> None:
        count = bookings.count()
        if count and not self.cleaned_data.get("acknowledge_clashes"):
            self.add_error(
                "acknowledge_clashes",
                f"{count} confirmed booking{'s' if count != 1 else ''} fall in this {what}: "
                f"{_listing(bookings)}. Tick \u201c{ACKNOWLEDGE_LABEL}\u201d to save anyway, "
                "then move or cancel them from the staff booking pages.",
            )


class ClosureForm(ClashAcknowledgeMixin, forms.ModelForm):
    class Meta:
        model = Closure
        fields = ["site", "first_day", "last_day", "reason"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        site, first, last = data.get("site"), data.get("first_day"), data.get("last_day")
        if site is not None and first and last and first <= last:
            self._refuse_unless_acknowledged(
                bookings_in_closure(site_id=site.pk, first_day=first, last_day=last), "closure"
            )
        return data


class TimeOffForm(ClashAcknowledgeMixin, forms.ModelForm):
    class Meta:
        model = TimeOff
        fields = ["practitioner", "start", "end", "reason"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        practitioner, start, end = data.get("practitioner"), data.get("start"), data.get("end")
        if practitioner is not None and start and end and start < end:
            self._refuse_unless_acknowledged(
                bookings_in_time_off(practitioner_id=practitioner.pk, start=start, end=end),
                "time off",
            )
        return data
