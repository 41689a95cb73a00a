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
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from django.db import connection
from django.utils import timezone

from heelwise.booking import clock
from heelwise.booking.models import Booking, Break, ServicePolicy, WeeklyAvailability
from heelwise.clinics.models import Service, Site

LONDON = ZoneInfo("Europe/London")
DEFAULT_GRID_MINUTES = 15

Interval = tuple[datetime, datetime]  # aware datetimes, [start, end)
WallInterval = tuple[time, time]


class BookingInputError(Exception):
    """Invalid booking input: ``errors`` maps each bad field to its messages (HTTP 422)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


NO_LONGER_FREE = "This time is no longer free. Please choose another."
NO_ROOM_FREE = "No treatment room is free at this time. Please choose another."


class SlotTaken(Exception):
    """The time exists on the schedule but is no longer free (HTTP 409). ``field``: the input
    it concerns, when there are several (e.g. ``starts.2``, the third session of a course)."""

    def __init__(self, message: str = NO_LONGER_FREE, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


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
    # Why a taken slot is taken: "practitioner" (busy) or "room" (every room is in use).
    taken_by: str = ""

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
    service_fingerprint: str = ""


@lru_cache(maxsize=16)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.UK(subdiv="ENG", years=year).keys())


def is_bank_holiday(day: date) -> bool:
    return day in _bank_holidays(day.year)


def local_day_bounds(first_day: date, last_day: date) -> Interval:
    """UTC instants of the start of ``first_day`` and the end of ``last_day`` (local days).
    Callers keep days within the booking horizon (or the staff calendar's range): the last
    representable date has no end."""
    start = datetime.combine(first_day, time(0), tzinfo=LONDON)
    end = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=LONDON)
    return start.astimezone(UTC), end.astimezone(UTC)


def local_today(now: datetime) -> date:
    return now.astimezone(LONDON).date()


def service_fingerprint(service: Service) -> str:
    """The booking rules of ``service`` as this object holds them (compare with the database's
    ``Schedule.service_fingerprint`` to spot a stale cached object)."""
    try:
        grid: object = service.policy.grid_minutes
    except ServicePolicy.DoesNotExist:
        grid = "-"
    return (
        f"{service.minutes}:{service.buffer_minutes}:{service.min_notice_hours}:"
        f"{service.horizon_days}:{service.mode}:{int(service.is_active)}:"
        f"{int(service.bookable_online)}:{grid}"
    )


class ServiceChanged(Exception):
    """The Service object given is older than the database row; reload it and try again."""


def _check_fresh(schedule: Schedule) -> None:
    if schedule.service_fingerprint != service_fingerprint(schedule.service):
        raise ServiceChanged(schedule.service.slug)


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
    """Load everything the slot computation needs for the range in ONE round trip: weekly
    availability (with the practitioners), breaks, time off, existing bookings and, in person,
    the site's opening hours, closures and rooms. This runs in every booking request, and each
    round trip costs more than the computation.

    With ``lock`` (inside a booking transaction) the candidate practitioners and rooms are first
    locked for those days (``resources_lock``), so the bookings read afterwards are current."""
    schedule = Schedule(service=service, site=site, grid_minutes=grid_minutes_for(service))
    in_person = not service.is_remote
    if in_person and site is None:
        return schedule
    range_start, range_end = local_day_bounds(first_day, last_day)
    adapt_dt = connection.ops.adapt_datetimefield_value
    adapt_d = connection.ops.adapt_datefield_value
    # Which weekly rules apply: this site (in person) or remote sessions, valid in the range.
    rule_where = "wa.site_id = %s" if in_person else "wa.site_id IS NULL"
    rule_params: list[Any] = [site.pk] if in_person and site is not None else []
    rule_where += (
        " AND p.is_active = %s AND (wa.valid_from IS NULL OR wa.valid_from <= %s)"
        " AND (wa.valid_until IS NULL OR wa.valid_until >= %s)"
    )
    rule_params += [True, adapt_d(last_day), adapt_d(first_day)]
    if practitioner_id is not None:
        rule_where += " AND wa.practitioner_id = %s"
        rule_params.append(practitioner_id)
    rules_from = (
        " FROM booking_weeklyavailability wa"
        " JOIN clinics_practitioner p ON p.id = wa.practitioner_id WHERE " + rule_where
    )
    pids_sql = "SELECT wa.practitioner_id" + rules_from
    rooms_sql = "SELECT id FROM clinics_room WHERE site_id = %s AND is_active = %s"
    room_params: list[Any] = [site.pk if site is not None else 0, True]
    if lock:
        with connection.cursor() as cursor:
            cursor.execute(pids_sql, rule_params)
            pids = sorted({row[0] for row in cursor.fetchall()})
            rooms: list[int] = []
            if in_person:
                cursor.execute(rooms_sql, room_params)
                rooms = [row[0] for row in cursor.fetchall()]
        resources_lock(practitioner_ids=pids, room_ids=rooms, days=(first_day, last_day))
    c = _COLUMNS
    parts = [
        "SELECT 0, wa.practitioner_id, {id}, wa.weekday, wa.starts, wa.ends, {ts}, {ts},"
        " wa.valid_from, wa.valid_until, p.name, p.display_order" + rules_from,
        "SELECT 1, practitioner_id, {id}, weekday, starts, ends, {ts}, {ts}, {d}, {d}, {s}, {n}"  # noqa: S608
        f" FROM booking_break WHERE practitioner_id IN ({pids_sql})",
        'SELECT 2, practitioner_id, {id}, {n}, {t}, {t}, start, "end", {d}, {d}, {s}, {n}'  # noqa: S608
        f" FROM booking_timeoff WHERE practitioner_id IN ({pids_sql})"
        ' AND start < %s AND "end" > %s',
        "SELECT 3, practitioner_id, room_id, {n}, {t}, {t}, start, blocked_until,"  # noqa: S608
        " {d}, {d}, {s}, {n} FROM booking_booking"
        f" WHERE (practitioner_id IN ({pids_sql}) OR room_id IN ({rooms_sql}))"
        f" AND status IN ({', '.join(['%s'] * len(Booking.ACTIVE_STATUSES))})"
        " AND start < %s AND blocked_until > %s"
        + (" AND id <> %s" if exclude_booking_id is not None else ""),
    ]
    params: list[Any] = [*rule_params, *rule_params, *rule_params]
    params += [adapt_dt(range_end), adapt_dt(range_start)]
    params += [*rule_params, *room_params, *Booking.ACTIVE_STATUSES]
    params += [adapt_dt(range_end + timedelta(days=1)), adapt_dt(range_start)]
    if exclude_booking_id is not None:
        params.append(exclude_booking_id)
    if in_person:
        parts += [
            "SELECT 4, {id}, {id}, weekday, opens, closes, {ts}, {ts}, {d}, {d}, {s}, {n}"
            " FROM clinics_openinghours WHERE site_id = %s",
            "SELECT 5, {id}, {id}, {n}, {t}, {t}, {ts}, {ts}, first_day, last_day, {s}, {n}"
            " FROM clinics_closure WHERE site_id = %s AND first_day <= %s AND last_day >= %s",
            "SELECT 6, {id}, id, {n}, {t}, {t}, {ts}, {ts}, {d}, {d}, name, {n}"
            " FROM clinics_room WHERE site_id = %s AND is_active = %s",
        ]
        params += [site.pk if site is not None else 0]
        params += [site.pk if site is not None else 0, adapt_d(last_day), adapt_d(first_day)]
        params += room_params
    # The service's booking rules as stored now: callers may hold a cached Service object.
    parts.append(
        "SELECT 7, {id}, {id}, {n}, {t}, {t}, {ts}, {ts}, {d}, {d},"
        " CAST(s.minutes AS VARCHAR(12)) || ':' || CAST(s.buffer_minutes AS VARCHAR(12))"
        " || ':' || CAST(s.min_notice_hours AS VARCHAR(12))"
        " || ':' || CAST(s.horizon_days AS VARCHAR(12)) || ':' || s.mode"
        " || ':' || CAST(CASE WHEN s.is_active THEN 1 ELSE 0 END AS VARCHAR(1))"
        " || ':' || CAST(CASE WHEN s.bookable_online THEN 1 ELSE 0 END AS VARCHAR(1))"
        " || ':' || COALESCE(CAST(sp.grid_minutes AS VARCHAR(12)), '-'), {n}"
        " FROM clinics_service s LEFT JOIN booking_servicepolicy sp ON sp.service_id = s.id"
        " WHERE s.id = %s"
    )
    params.append(service.pk)
    sql = " UNION ALL ".join(part.format(**c) for part in parts)
    _fill(schedule, _fetch_all(sql, params))
    return schedule


def _fetch_all(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """Run the schedule query. On PostgreSQL it goes through a server-side-binding cursor as a
    prepared statement: planning this UNION costs several times more than running it, and
    Django's default client-side binding re-plans it on every request."""
    if connection.vendor == "postgresql":
        import psycopg

        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(sql, params, prepare=True)
            return cursor.fetchall()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# Typed NULLs, so every branch of the UNION agrees on column types (PostgreSQL and SQLite).
_COLUMNS = {
    "id": "CAST(NULL AS BIGINT)",
    "n": "CAST(NULL AS INTEGER)",
    "t": "CAST(NULL AS TIME)",
    "ts": "CAST(NULL AS TIMESTAMP WITH TIME ZONE)",
    "d": "CAST(NULL AS DATE)",
    "s": "CAST(NULL AS VARCHAR(100))",
}


def _as_time(value: object) -> time:
    return value if isinstance(value, time) else time.fromisoformat(str(value))


def _as_date(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _as_instant(value: object) -> datetime:
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def _fill(schedule: Schedule, rows: list[tuple[Any, ...]]) -> None:
    rules: list[tuple[int, int, time, WeeklyAvailability]] = []
    names: dict[int, str] = {}
    for kind, pid, room_id, weekday, t1, t2, ts1, ts2, d1, d2, name, order in rows:
        if kind == 0:
            rule = WeeklyAvailability(
                practitioner_id=pid,
                weekday=weekday,
                starts=_as_time(t1),
                ends=_as_time(t2),
                valid_from=_as_date(d1),
                valid_until=_as_date(d2),
            )
            rules.append((order, pid, rule.starts, rule))
            names[pid] = name
        elif kind == 1:
            schedule.breaks.setdefault(pid, []).append(
                Break(practitioner_id=pid, weekday=weekday, starts=_as_time(t1), ends=_as_time(t2))
            )
        elif kind == 2:
            schedule.time_off.setdefault(pid, []).append((_as_instant(ts1), _as_instant(ts2)))
        elif kind == 3:
            interval = (_as_instant(ts1), _as_instant(ts2))
            schedule.busy_practitioner.setdefault(pid, []).append(interval)
            if room_id is not None:
                schedule.busy_room.setdefault(room_id, []).append(interval)
        elif kind == 4:
            schedule.opening.setdefault(weekday, []).append((_as_time(t1), _as_time(t2)))
        elif kind == 5:
            first, last = _as_date(d1), _as_date(d2)
            assert first is not None and last is not None
            schedule.closures.append((first, last))
        elif kind == 6:
            schedule.rooms.append(room_id)
        else:
            schedule.service_fingerprint = name
    for _order, pid, _starts, rule in sorted(rules, key=lambda r: (r[0], r[1], r[2])):
        schedule.practitioners[pid] = names[pid]
        schedule.availability.setdefault(pid, []).append(rule)
    for periods in schedule.opening.values():
        periods.sort()
    schedule.rooms.sort()


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


def _join(windows: Iterable[WallInterval]) -> list[WallInterval]:
    """Join touching or overlapping windows (e.g. a 09:00-18:00 day and an 18:00-20:30 evening
    session are one 09:00-20:30 window), so no slot is lost where two blocks meet."""
    joined: list[WallInterval] = []
    for start, end in sorted(windows):
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], end))
        else:
            joined.append((start, end))
    return joined


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
    wall = _join(wall)
    if not schedule.service.is_remote:
        wall = _intersect(wall, _join(schedule.opening.get(weekday, [])))
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


def day_slots(schedule: Schedule, day: date, *, now: datetime, staff: bool = False) -> list[Slot]:
    """Every candidate slot on one local day, each marked free or taken. Pure: no queries.

    The appointment itself must end by the end of its window (closing time, a break, time
    off); the buffer after it (cleaning and notes) may run past closing or into a break.
    ``staff``: clinic staff booking for a caller are not held to the service's online minimum
    notice, only to times that have not yet begun."""
    if day_is_closed(schedule, day):
        return []
    service = schedule.service
    length = timedelta(minutes=service.minutes)
    blocked = timedelta(minutes=service.minutes + service.buffer_minutes)
    step = timedelta(minutes=schedule.grid_minutes)
    earliest = now if staff else now + timedelta(hours=service.min_notice_hours)
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
                if start >= earliest and (not staff or start > now):
                    until = start + blocked
                    free_rooms = tuple(
                        r
                        for r in schedule.rooms
                        if not _overlaps(start, until, schedule.busy_room.get(r, []))
                    )
                    taken_by = ""
                    if _overlaps(start, until, busy):
                        taken_by = "practitioner"
                    elif not service.is_remote and not free_rooms:
                        taken_by = "room"
                    slots.append(
                        Slot(
                            start=start,
                            end=start + length,
                            blocked_until=until,
                            practitioner_id=pid,
                            practitioner_name=name,
                            site_id=schedule.site.pk if schedule.site else None,
                            room_ids=free_rooms,
                            free=not taken_by,
                            taken_by=taken_by,
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
    exclude_booking_id: int | None = None,
    now: datetime | None = None,
    staff: bool = False,
) -> list[Slot]:
    """Free slots over ``days`` local days from ``first_day`` (for the API, pages and staff).

    Only days from today to the service's booking horizon are read (any range is accepted, so a
    far-off date cannot overflow the calendar). ``exclude_booking_id``: the booking being
    rescheduled, which must not block the times around its own (``slot_validate`` re-checks
    the chosen time under lock, and the database constraints still have the last word).
    ``staff``: without the online minimum notice (see ``day_slots``)."""
    now = now or clock.now()
    today = local_today(now)
    horizon_last = today + timedelta(days=service.horizon_days)
    if days < 1 or first_day > horizon_last:
        return []
    first = max(first_day, today)
    if (first - first_day).days >= days:
        return []
    last_day = min(horizon_last, first_day + timedelta(days=days - 1))
    schedule = schedule_load(
        service=service,
        site=site,
        first_day=first,
        last_day=last_day,
        practitioner_id=practitioner_id,
        exclude_booking_id=exclude_booking_id,
    )
    _check_fresh(schedule)
    out: list[Slot] = []
    for day in _days(first, (last_day - first).days + 1):
        out.extend(s for s in day_slots(schedule, day, now=now, staff=staff) if s.free)
    return out


def start_problems(
    *, service: Service, start: datetime, now: datetime, staff: bool = False
) -> list[str]:
    """Why ``start`` can never be booked for ``service`` (empty when it might be). ``staff``:
    the online minimum notice does not apply (the time must still be in the future)."""
    if timezone.is_naive(start):
        return ["Give the time with its UTC offset, e.g. 2027-03-29T10:00:00+01:00."]
    try:
        local = start.astimezone(LONDON)
        start + timedelta(days=1)  # room for the appointment and its buffer
    except OverflowError:  # e.g. 9999-12-31T23:45-05:00
        return [f"This service can be booked up to {service.horizon_days} days ahead."]
    grid = grid_minutes_for(service)
    if start <= now:
        return ["This time is in the past."]
    if local.second or local.microsecond or (local.hour * 60 + local.minute) % grid:
        return [f"Appointments start on the {grid}-minute grid (e.g. 10:00, 10:{grid:02d})."]
    if local.date() > local_today(now) + timedelta(days=service.horizon_days):
        return [f"This service can be booked up to {service.horizon_days} days ahead."]
    if not staff and start < now + timedelta(hours=service.min_notice_hours):
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
    staff: bool = False,
) -> list[Slot]:
    """The free options (practitioner, rooms) for booking ``service`` at ``start``.

    Raises BookingInputError naming ``start`` for a time that is never bookable (past, off the
    grid, too soon, beyond the horizon, outside the schedule) and SlotTaken for a time that is on
    the schedule but no longer free.
    """
    now = now or clock.now()
    problems = start_problems(service=service, start=start, now=now, staff=staff)
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
    _check_fresh(schedule)
    candidates = [s for s in day_slots(schedule, day, now=now, staff=staff) if s.start == start]
    if not candidates:
        raise BookingInputError({"start": ["No appointments are offered at this time."]})
    free = [s for s in candidates if s.free]
    if not free:
        rooms_full = any(s.taken_by == "room" for s in candidates)
        raise SlotTaken(NO_ROOM_FREE if rooms_full else NO_LONGER_FREE)
    return free


def slots_by_day(
    slots: Iterable[Slot], *, every_practitioner: bool = False
) -> dict[date, list[Slot]]:
    """Group slots by local day. The patient pages offer one time per start ("any
    practitioner", first in display order, unless they filter by practitioner); staff pages
    pass ``every_practitioner`` to list each free practitioner at that time."""
    grouped: dict[date, dict[tuple[datetime, int], Slot]] = defaultdict(dict)
    for slot in slots:
        key = (slot.start, slot.practitioner_id if every_practitioner else 0)
        grouped[slot.local_start.date()].setdefault(key, slot)
    return {day: list(by_start.values()) for day, by_start in sorted(grouped.items())}
