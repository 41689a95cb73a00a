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
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from heelwise.booking import clock
from heelwise.booking.models import Booking, Break, ServicePolicy, WeeklyAvailability
from heelwise.clinics.models import Closure, OpeningHours, Practitioner, Room, Service, Site

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
    practitioner: Practitioner | None = field(default=None, compare=False, repr=False)

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
    practitioner_objects: dict[int, Practitioner] = field(default_factory=dict)
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
    lock: bool = False,
) -> Schedule:
    """Load opening hours, availability, breaks, time off, bookings and rooms for the range.

    With ``lock`` (inside a booking transaction) the candidate practitioners and rooms are
    locked for those days before existing bookings are read; see ``resources_lock``."""
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
        schedule.practitioner_objects[rule.practitioner_id] = rule.practitioner
        schedule.availability.setdefault(rule.practitioner_id, []).append(rule)
    pids = list(schedule.practitioners)
    if not pids:
        return schedule
    if lock:
        resources_lock(practitioner_ids=pids, room_ids=schedule.rooms, days=(first_day, last_day))
    _load_busy(schedule, pids, range_start, range_end, exclude_booking_id)
    return schedule


NO_ID = "CAST(NULL AS BIGINT)"
NO_DAY = "CAST(NULL AS SMALLINT)"
NO_TIME = "CAST(NULL AS TIME)"
NO_TS = "CAST(NULL AS TIMESTAMP WITH TIME ZONE)"


def _ph(values: list[int] | list[str]) -> str:
    return ", ".join(["%s"] * len(values))


def _as_time(value: object) -> time:
    return value if isinstance(value, time) else time.fromisoformat(str(value))


def _as_instant(value: object) -> datetime:
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def _load_busy(
    schedule: Schedule,
    pids: list[int],
    range_start: datetime,
    range_end: datetime,
    exclude_booking_id: int | None,
) -> None:
    """Breaks, time off and existing bookings in ONE round trip (a UNION ALL), since this runs
    inside every booking request."""
    adapt = connection.ops.adapt_datetimefield_value
    start_p, end_p = adapt(range_start), adapt(range_end + timedelta(days=1))
    rooms = schedule.rooms
    statuses = list(Booking.ACTIVE_STATUSES)
    who = f"practitioner_id IN ({_ph(pids)})"
    if rooms:
        who = f"({who} OR room_id IN ({_ph(rooms)}))"
    # Only placeholders are interpolated below: every value travels as a parameter.
    sql = (
        f"SELECT 1, practitioner_id, {NO_ID}, weekday, starts, ends, {NO_TS}, {NO_TS}"  # noqa: S608
        " FROM booking_break"
        f" WHERE practitioner_id IN ({_ph(pids)})"
        f" UNION ALL SELECT 2, practitioner_id, {NO_ID}, {NO_DAY}, {NO_TIME}, {NO_TIME},"
        ' start, "end"'
        f" FROM booking_timeoff WHERE practitioner_id IN ({_ph(pids)})"
        ' AND start < %s AND "end" > %s'
        f" UNION ALL SELECT 3, practitioner_id, room_id, {NO_DAY}, {NO_TIME}, {NO_TIME},"
        " start, blocked_until"
        f" FROM booking_booking WHERE {who} AND status IN ({_ph(statuses)})"
        " AND start < %s AND blocked_until > %s"
    )
    params: list[object] = [*pids, *pids, adapt(range_end), adapt(range_start), *pids, *rooms]
    params += [*statuses, end_p, start_p]
    if exclude_booking_id is not None:
        sql += " AND id <> %s"
        params.append(exclude_booking_id)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for kind, pid, room_id, weekday, starts, ends, begin, finish in rows:
        if kind == 1:
            schedule.breaks.setdefault(pid, []).append(
                Break(
                    practitioner_id=pid,
                    weekday=weekday,
                    starts=_as_time(starts),
                    ends=_as_time(ends),
                )
            )
        elif kind == 2:
            schedule.time_off.setdefault(pid, []).append((_as_instant(begin), _as_instant(finish)))
        else:
            interval = (_as_instant(begin), _as_instant(finish))
            schedule.busy_practitioner.setdefault(pid, []).append(interval)
            if room_id is not None:
                schedule.busy_room.setdefault(room_id, []).append(interval)


def resources_lock(
    *, practitioner_ids: Iterable[int], room_ids: Iterable[int], days: tuple[date, date]
) -> None:
    """PostgreSQL: take transaction-scoped advisory locks on (practitioner, day) and (room, day),
    always in one global order, before reading existing bookings.

    Competing bookings for the same people and rooms then queue briefly and re-check against
    committed rows, instead of inserting conflicting rows side by side, where each exclusion
    check waits for the other (a deadlock PostgreSQL only breaks after deadlock_timeout). The
    exclusion constraints remain the guarantee; this keeps contention cheap. SQLite needs
    nothing: its IMMEDIATE transactions already serialise writers.
    """
    if connection.vendor != "postgresql":
        return
    first, last = days[0].toordinal(), days[1].toordinal()
    keys = sorted(
        {(pid, d) for pid in practitioner_ids for d in range(first, last + 1)}
        | {(-room, d) for room in room_ids for d in range(first, last + 1)}
    )
    if not keys:
        return
    sql = "SELECT " + ", ".join(["pg_advisory_xact_lock(%s, %s)"] * len(keys))
    with connection.cursor() as cursor:
        cursor.execute(sql, [k for key in keys for k in key])


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
                            practitioner=schedule.practitioner_objects.get(pid),
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
    lock: bool = False,
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
        lock=lock,
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
