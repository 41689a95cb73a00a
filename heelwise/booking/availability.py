"""The one availability function: it lists free slots and validates bookings, so the list never
offers what booking refuses.

``schedule_load`` reads everything a range of days needs in a fixed number of queries; the pure
``day_slots`` turns that into candidate start times on the service's grid:

    site opening hours (in person) ∩ practitioner weekly availability
    − breaks − time off − site closures − bank holidays (England)
    − the service's minimum notice and booking horizon

and marks each candidate free or taken by existing bookings (including their buffers, the same
``[start, blocked_until)`` ranges the PostgreSQL exclusion constraints compare). In-person
candidates also need a free room at the site.

Weekly rules are wall-clock times in Europe/London; each day's rules are turned into UTC with
zoneinfo, so the clock changes (last Sunday of March and of October) are handled per date.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.db.models import Q
from django.utils import timezone

from heelwise.booking import clock
from heelwise.booking.models import Booking, Break, ServicePolicy, TimeOff, WeeklyAvailability
from heelwise.clinics.models import Closure, OpeningHours, Room, Service, Site

LONDON = ZoneInfo("Europe/London")
DEFAULT_GRID_MINUTES = 15

Interval = tuple[datetime, datetime]  # aware datetimes, [start, end)
WallInterval = tuple[time, time]


class BookingInputError(Exception):
    """Invalid booking input: ``errors`` maps each bad field to its messages (HTTP 422)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


class SlotTaken(Exception):
    """The time exists on the schedule but is no longer free (HTTP 409)."""


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime
    blocked_until: datetime
    practitioner_id: int
    practitioner_name: str
    site_id: int | None
    room_ids: tuple[int, ...] = ()
    free: bool = True

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(LONDON)


@dataclass
class Schedule:
    """Everything the pure slot computation needs, for one service and site over some days."""

    service: Service
    site: Site | None
    grid_minutes: int
    opening: dict[int, list[WallInterval]] = field(default_factory=dict)
    closures: list[tuple[date, date]] = field(default_factory=list)
    practitioners: dict[int, str] = field(default_factory=dict)
    availability: dict[int, list[WeeklyAvailability]] = field(default_factory=dict)
    breaks: dict[int, list[Break]] = field(default_factory=dict)
    time_off: dict[int, list[Interval]] = field(default_factory=dict)
    busy_practitioner: dict[int, list[Interval]] = field(default_factory=dict)
    rooms: list[int] = field(default_factory=list)
    busy_room: dict[int, list[Interval]] = field(default_factory=dict)


@lru_cache(maxsize=16)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.UK(subdiv="ENG", years=year).keys())


def is_bank_holiday(day: date) -> bool:
    return day in _bank_holidays(day.year)


def local_day_bounds(first_day: date, last_day: date) -> Interval:
    start = datetime.combine(first_day, time(0), tzinfo=LONDON)
    end = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=LONDON)
    return start.astimezone(UTC), end.astimezone(UTC)


def local_today(now: datetime) -> date:
    return now.astimezone(LONDON).date()


def grid_minutes_for(service: Service) -> int:
    try:
        return service.policy.grid_minutes
    except ServicePolicy.DoesNotExist:
        return DEFAULT_GRID_MINUTES


def schedule_load(
    *,
    service: Service,
    site: Site | None,
    first_day: date,
    last_day: date,
    practitioner_id: int | None = None,
    exclude_booking_id: int | None = None,
) -> Schedule:
    """Load opening hours, availability, breaks, time off, bookings and rooms for the range."""
    schedule = Schedule(service=service, site=site, grid_minutes=grid_minutes_for(service))
    range_start, range_end = local_day_bounds(first_day, last_day)
    in_person = not service.is_remote
    if in_person:
        if site is None:
            return schedule
        for oh in OpeningHours.objects.filter(site=site).order_by("weekday", "opens"):
            schedule.opening.setdefault(oh.weekday, []).append((oh.opens, oh.closes))
        schedule.closures = list(
            Closure.objects.filter(
                site=site, first_day__lte=last_day, last_day__gte=first_day
            ).values_list("first_day", "last_day")
        )
        schedule.rooms = list(
            Room.objects.filter(site=site, is_active=True)
            .order_by("name")
            .values_list("pk", flat=True)
        )
    rules = WeeklyAvailability.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=last_day),
        Q(valid_until__isnull=True) | Q(valid_until__gte=first_day),
        practitioner__is_active=True,
    ).select_related("practitioner")
    rules = rules.filter(site=site) if in_person else rules.filter(site__isnull=True)
    if practitioner_id is not None:
        rules = rules.filter(practitioner_id=practitioner_id)
    for rule in rules.order_by("practitioner__display_order", "practitioner_id", "starts"):
        schedule.practitioners[rule.practitioner_id] = rule.practitioner.name
        schedule.availability.setdefault(rule.practitioner_id, []).append(rule)
    pids = list(schedule.practitioners)
    if not pids:
        return schedule
    for brk in Break.objects.filter(practitioner_id__in=pids):
        schedule.breaks.setdefault(brk.practitioner_id, []).append(brk)
    for pid, start, end in TimeOff.objects.filter(
        practitioner_id__in=pids, start__lt=range_end, end__gt=range_start
    ).values_list("practitioner_id", "start", "end"):
        schedule.time_off.setdefault(pid, []).append((start, end))
    busy = Booking.objects.filter(
        Q(practitioner_id__in=pids) | Q(room_id__in=schedule.rooms),
        status__in=Booking.ACTIVE_STATUSES,
        start__lt=range_end + timedelta(days=1),
        blocked_until__gt=range_start,
    )
    if exclude_booking_id is not None:
        busy = busy.exclude(pk=exclude_booking_id)
    for pid, room_id, start, blocked in busy.values_list(
        "practitioner_id", "room_id", "start", "blocked_until"
    ):
        schedule.busy_practitioner.setdefault(pid, []).append((start, blocked))
        if room_id is not None:
            schedule.busy_room.setdefault(room_id, []).append((start, blocked))
    return schedule


def _intersect(a: Iterable[WallInterval], b: Iterable[WallInterval]) -> list[WallInterval]:
    out = []
    b_list = list(b)
    for a_start, a_end in a:
        for b_start, b_end in b_list:
            start, end = max(a_start, b_start), min(a_end, b_end)
            if start < end:
                out.append((start, end))
    return out


def _subtract(windows: list[Interval], holes: Iterable[Interval]) -> list[Interval]:
    for hole_start, hole_end in holes:
        next_windows: list[Interval] = []
        for start, end in windows:
            if hole_end <= start or hole_start >= end:
                next_windows.append((start, end))
                continue
            if start < hole_start:
                next_windows.append((start, hole_start))
            if hole_end < end:
                next_windows.append((hole_end, end))
        windows = next_windows
    return windows


def _overlaps(start: datetime, end: datetime, intervals: Iterable[Interval]) -> bool:
    return any(s < end and start < e for s, e in intervals)


def _wall_to_utc(day: date, t: time) -> datetime:
    return datetime.combine(day, t, tzinfo=LONDON).astimezone(UTC)


def _practitioner_windows(schedule: Schedule, pid: int, day: date) -> list[Interval]:
    weekday = day.weekday()
    wall = [
        (rule.starts, rule.ends)
        for rule in schedule.availability.get(pid, [])
        if rule.weekday == weekday
        and (rule.valid_from is None or rule.valid_from <= day)
        and (rule.valid_until is None or rule.valid_until >= day)
    ]
    if not schedule.service.is_remote:
        wall = _intersect(wall, schedule.opening.get(weekday, []))
    windows = [(_wall_to_utc(day, s), _wall_to_utc(day, e)) for s, e in wall]
    breaks = [
        (_wall_to_utc(day, b.starts), _wall_to_utc(day, b.ends))
        for b in schedule.breaks.get(pid, [])
        if b.weekday is None or b.weekday == weekday
    ]
    windows = _subtract(windows, breaks)
    return sorted(_subtract(windows, schedule.time_off.get(pid, [])))


def day_is_closed(schedule: Schedule, day: date) -> bool:
    if is_bank_holiday(day):
        return True
    return any(first <= day <= last for first, last in schedule.closures)


def day_slots(schedule: Schedule, day: date, *, now: datetime) -> list[Slot]:
    """Every candidate slot on one local day, each marked free or taken. Pure: no queries."""
    if day_is_closed(schedule, day):
        return []
    service = schedule.service
    length = timedelta(minutes=service.minutes)
    blocked = timedelta(minutes=service.minutes + service.buffer_minutes)
    step = timedelta(minutes=schedule.grid_minutes)
    earliest = now + timedelta(hours=service.min_notice_hours)
    last_day = local_today(now) + timedelta(days=service.horizon_days)
    if day > last_day:
        return []
    slots: list[Slot] = []
    for pid, name in schedule.practitioners.items():
        busy = schedule.busy_practitioner.get(pid, [])
        for window_start, window_end in _practitioner_windows(schedule, pid, day):
            local = window_start.astimezone(LONDON)
            minute = local.hour * 60 + local.minute
            offset = (-minute) % schedule.grid_minutes
            start = window_start.replace(second=0, microsecond=0) + timedelta(minutes=offset)
            while start + length <= window_end:
                if start >= earliest:
                    until = start + blocked
                    free_rooms = tuple(
                        r
                        for r in schedule.rooms
                        if not _overlaps(start, until, schedule.busy_room.get(r, []))
                    )
                    taken = _overlaps(start, until, busy) or (
                        not service.is_remote and not free_rooms
                    )
                    slots.append(
                        Slot(
                            start=start,
                            end=start + length,
                            blocked_until=until,
                            practitioner_id=pid,
                            practitioner_name=name,
                            site_id=schedule.site.pk if schedule.site else None,
                            room_ids=free_rooms,
                            free=not taken,
                        )
                    )
                start += step
    slots.sort(key=lambda s: s.start)
    return slots


def _days(first_day: date, days: int) -> list[date]:
    return [first_day + timedelta(days=i) for i in range(days)]


def slots_list(
    *,
    service: Service,
    site: Site | None,
    first_day: date,
    days: int = 1,
    practitioner_id: int | None = None,
    now: datetime | None = None,
) -> list[Slot]:
    """Free slots over ``days`` local days from ``first_day`` (for the API, pages and staff)."""
    now = now or clock.now()
    last_day = first_day + timedelta(days=days - 1)
    schedule = schedule_load(
        service=service,
        site=site,
        first_day=first_day,
        last_day=last_day,
        practitioner_id=practitioner_id,
    )
    out: list[Slot] = []
    for day in _days(first_day, days):
        out.extend(s for s in day_slots(schedule, day, now=now) if s.free)
    return out


def start_problems(*, service: Service, start: datetime, now: datetime) -> list[str]:
    """Why ``start`` can never be booked for ``service`` (empty when it might be)."""
    if timezone.is_naive(start):
        return ["Give the time with its UTC offset, e.g. 2027-03-29T10:00:00+01:00."]
    local = start.astimezone(LONDON)
    grid = grid_minutes_for(service)
    if start <= now:
        return ["This time is in the past."]
    if local.second or local.microsecond or (local.hour * 60 + local.minute) % grid:
        return [f"Appointments start on the {grid}-minute grid (e.g. 10:00, 10:{grid:02d})."]
    if local.date() > local_today(now) + timedelta(days=service.horizon_days):
        return [f"This service can be booked up to {service.horizon_days} days ahead."]
    if start < now + timedelta(hours=service.min_notice_hours):
        return [f"This service needs {service.min_notice_hours} hours' notice."]
    return []


def slot_validate(
    *,
    service: Service,
    site: Site | None,
    start: datetime,
    practitioner_id: int | None = None,
    exclude_booking_id: int | None = None,
    now: datetime | None = None,
) -> list[Slot]:
    """The free options (practitioner, rooms) for booking ``service`` at ``start``.

    Raises BookingInputError naming ``start`` for a time that is never bookable (past, off the
    grid, too soon, beyond the horizon, outside the schedule) and SlotTaken for a time that is on
    the schedule but no longer free.
    """
    now = now or clock.now()
    problems = start_problems(service=service, start=start, now=now)
    if problems:
        raise BookingInputError({"start": problems})
    local = start.astimezone(LONDON)
    day = local.date()
    schedule = schedule_load(
        service=service,
        site=site,
        first_day=day,
        last_day=day,
        practitioner_id=practitioner_id,
        exclude_booking_id=exclude_booking_id,
    )
    candidates = [s for s in day_slots(schedule, day, now=now) if s.start == start]
    if not candidates:
        raise BookingInputError({"start": ["No appointments are offered at this time."]})
    free = [s for s in candidates if s.free]
    if not free:
        raise SlotTaken("This time has just been booked. Please choose another.")
    return free


def slots_by_day(slots: Iterable[Slot]) -> dict[date, list[Slot]]:
    """Group slots by local day, keeping the earliest practitioner per start time."""
    grouped: dict[date, dict[datetime, Slot]] = defaultdict(dict)
    for slot in slots:
        grouped[slot.local_start.date()].setdefault(slot.start, slot)
    return {day: list(by_start.values()) for day, by_start in sorted(grouped.items())}
