"""The one availability function: grid, hours, breaks, buffers, closures, bank holidays, DST."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import pytest

from heelwise.booking.availability import (
    LONDON,
    BookingInputError,
    SlotTaken,
    slot_validate,
    slots_list,
)
from heelwise.booking.models import Break, TimeOff
from heelwise.booking.services import PatientDetails, booking_create
from heelwise.booking.tests.conftest import DEFAULT_NOW
from heelwise.clinics.models import Closure, Practitioner, Service, Site

pytestmark = pytest.mark.django_db


def _local_times(slots: list) -> list[str]:
    return sorted({s.start.astimezone(LONDON).strftime("%H:%M") for s in slots})


def _offsets(slots: list) -> set[str]:
    return {s.start.astimezone(LONDON).strftime("%z") for s in slots}


def _svc(slug: str) -> Service:
    return Service.objects.get(slug=slug)


def _site(slug: str) -> Site:
    return Site.objects.get(slug=slug)


SUNDAY_SESSION = [f"{h:02d}:{m:02d}" for h in (10, 11, 12) for m in (0, 15, 30, 45)]
SUNDAY_SESSION = [t for t in SUNDAY_SESSION if t <= "12:30"] + ["13:30"]


class ClockChangeTests:
    """Last Sundays of March and October 2027: the same wall-clock slots, the offset flips."""

    def test_it_offers_the_same_local_times_either_side_of_the_spring_change(
        self, clinic: None
    ) -> None:
        service, london = _svc("treatment-session"), _site("london")
        before = slots_list(service=service, site=london, first_day=date(2027, 3, 21))
        after = slots_list(service=service, site=london, first_day=date(2027, 3, 28))
        assert _local_times(before) == _local_times(after) == SUNDAY_SESSION
        assert _offsets(before) == {"+0000"}
        assert _offsets(after) == {"+0100"}
        first = min(s.start for s in after)
        assert first == datetime(2027, 3, 28, 9, 0, tzinfo=UTC)  # 10:00 BST

    def test_it_offers_the_same_local_times_either_side_of_the_autumn_change(
        self, clinic: None, set_now: Callable[[datetime], None]
    ) -> None:
        set_now(datetime(2027, 10, 1, 8, 0, tzinfo=UTC))
        service, london = _svc("treatment-session"), _site("london")
        before = slots_list(service=service, site=london, first_day=date(2027, 10, 24))
        after = slots_list(service=service, site=london, first_day=date(2027, 10, 31))
        assert _local_times(before) == _local_times(after) == SUNDAY_SESSION
        assert _offsets(before) == {"+0100"}
        assert _offsets(after) == {"+0000"}
        assert min(s.start for s in after) == datetime(2027, 10, 31, 10, 0, tzinfo=UTC)

    def test_it_has_no_missing_or_doubled_hour_across_a_week_spanning_the_change(
        self, clinic: None
    ) -> None:
        service, london = _svc("treatment-session"), _site("london")
        week = slots_list(service=service, site=london, first_day=date(2027, 3, 22), days=7)
        starts = [s.start for s in week]
        by_practitioner = {(s.practitioner_id, s.start) for s in week}
        assert len(by_practitioner) == len(starts)  # no start offered twice for one person
        saturday = [s for s in week if s.start.astimezone(LONDON).date() == date(2027, 3, 27)]
        assert _local_times(saturday)[0] == "09:00"
        assert _offsets(saturday) == {"+0000"}

    def test_it_validates_a_listed_start_given_with_either_offset_notation(
        self, clinic: None
    ) -> None:
        service, london = _svc("treatment-session"), _site("london")
        local = datetime(2027, 3, 28, 10, 0, tzinfo=LONDON)
        assert slot_validate(service=service, site=london, start=local)
        assert slot_validate(service=service, site=london, start=local.astimezone(UTC))


class ClosedDaysTests:
    def test_it_offers_nothing_on_bank_holidays(self, clinic: None) -> None:
        service = _svc("initial-consultation")
        for day in (date(2027, 3, 26), date(2027, 3, 29)):  # Good Friday, Easter Monday
            for site in Site.objects.all():
                assert slots_list(service=service, site=site, first_day=day) == []
        remote = slots_list(service=_svc("discovery-call"), site=None, first_day=date(2027, 3, 29))
        assert remote == []
        with pytest.raises(BookingInputError) as exc:
            slot_validate(
                service=service,
                site=_site("bedford"),
                start=datetime(2027, 3, 29, 10, 0, tzinfo=LONDON),
            )
        assert "start" in exc.value.errors

    def test_it_offers_nothing_on_a_closure(self, clinic: None) -> None:
        service, bedford = _svc("initial-consultation"), _site("bedford")
        day = date(2027, 3, 22)  # a Monday
        assert slots_list(service=service, site=bedford, first_day=day)
        Closure.objects.create(site=bedford, first_day=day, last_day=day, reason="Refit")
        assert slots_list(service=service, site=bedford, first_day=day) == []
        assert slots_list(service=service, site=_site("manchester"), first_day=day)

    def test_it_offers_nothing_during_time_off_or_breaks(self, clinic: None) -> None:
        service, london = _svc("treatment-session"), _site("london")
        day = date(2027, 3, 28)
        priya = Practitioner.objects.get(slug="priya-shah")
        assert "12:45" not in _local_times(
            slots_list(service=service, site=london, first_day=day)
        )  # would run into the 13:00 break
        Break.objects.create(practitioner=priya, weekday=6, starts=time(11), ends=time(12))
        times = _local_times(slots_list(service=service, site=london, first_day=day))
        assert "11:00" not in times and "10:30" in times and "12:00" in times
        TimeOff.objects.create(
            practitioner=priya,
            start=datetime(2027, 3, 28, 0, 0, tzinfo=LONDON),
            end=datetime(2027, 3, 29, 0, 0, tzinfo=LONDON),
        )
        assert slots_list(service=service, site=london, first_day=day) == []


class GridAndBufferTests:
    def test_it_keeps_the_buffer_after_a_booking(
        self, clinic: None, patient: PatientDetails
    ) -> None:
        service, london = _svc("initial-consultation"), _site("london")  # 45 min + 15 buffer
        start = datetime(2027, 3, 28, 10, 0, tzinfo=LONDON)
        booking_create(service=service, site=london, start=start, patient=patient)
        times = _local_times(slots_list(service=service, site=london, first_day=date(2027, 3, 28)))
        # Priya alone on Sundays: 10:00-11:00 is blocked for anything that would overlap it.
        assert [t for t in times if t < "11:00"] == []
        assert "11:00" in times

    def test_it_refuses_exactly_what_the_list_does_not_offer(self, clinic: None) -> None:
        service, london = _svc("initial-consultation"), _site("london")
        day = date(2027, 3, 24)
        offered = {s.start for s in slots_list(service=service, site=london, first_day=day)}
        assert offered
        probe = datetime(2027, 3, 24, 7, 0, tzinfo=LONDON)
        while probe.date() == day and probe.hour < 22:
            if probe in offered:
                assert slot_validate(service=service, site=london, start=probe)
            else:
                with pytest.raises((BookingInputError, SlotTaken)):
                    slot_validate(service=service, site=london, start=probe)
            probe += timedelta(minutes=15)

    @pytest.mark.parametrize(
        ("start", "message"),
        [
            (datetime(2027, 3, 24, 10, 5, tzinfo=LONDON), "grid"),
            (datetime(2027, 3, 9, 10, 0, tzinfo=LONDON), "past"),
            (DEFAULT_NOW + timedelta(hours=3), "notice"),
            (datetime(2027, 7, 1, 10, 0, tzinfo=LONDON), "ahead"),
        ],
    )
    def test_it_names_the_start_for_times_that_can_never_be_booked(
        self, clinic: None, start: datetime, message: str
    ) -> None:
        with pytest.raises(BookingInputError) as exc:
            slot_validate(service=_svc("initial-consultation"), site=_site("london"), start=start)
        assert message in " ".join(exc.value.errors["start"])

    def test_it_only_offers_rooms_that_are_free(
        self, clinic: None, patient: PatientDetails
    ) -> None:
        """Bedford has one room: two practitioners there cannot both see patients at once."""
        service, bedford = _svc("initial-consultation"), _site("bedford")
        monday = date(2027, 3, 22)  # Hannah 09-18 at Bedford
        tom = Practitioner.objects.get(slug="tom-walsh")
        from heelwise.booking.models import WeeklyAvailability

        WeeklyAvailability.objects.create(
            practitioner=tom, site=bedford, weekday=0, starts=time(9), ends=time(12)
        )
        start = datetime(2027, 3, 22, 10, 0, tzinfo=LONDON)
        before = [s for s in slots_list(service=service, site=bedford, first_day=monday)]
        assert {s.practitioner_id for s in before if s.start == start} == {
            tom.pk,
            Practitioner.objects.get(slug="hannah-okafor").pk,
        }
        booking_create(service=service, site=bedford, start=start, patient=patient)
        after = slots_list(service=service, site=bedford, first_day=monday)
        assert [s for s in after if s.start == start] == []
