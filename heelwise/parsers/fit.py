"""FIT activities: decoded content (see :mod:`heelwise.parsers.fit_decode`) -> summaries.

One Activity per session (multisport legs), totals from the file's own session message first and
from the records only where the session says nothing; see docs/activity-files.md.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from heelwise.parsers import _fit_profile as profile
from heelwise.parsers.errors import NoDataError, NoRealDateError, NotAnActivityError
from heelwise.parsers.fit_decode import (
    FIELD_TIMESTAMP,
    FILE_TYPE_ACTIVITY,
    FIT_EPOCH_S,
    FIT_MIN_ABSOLUTE_TIME,
    R_ALT,
    R_CAD,
    R_CSD,
    R_DIST,
    R_EALT,
    R_HR,
    R_LAT,
    R_LON,
    R_TS,
    SEMICIRCLE_DEG,
    FitContent,
    FitLimits,
    decode,
    fit_crc,
    is_fit,
)
from heelwise.parsers.models import ON_FOOT_SPORTS, Activity
from heelwise.parsers.track import TrackSummary

__all__ = [
    "FIT_EPOCH_S",
    "FitContent",
    "FitLimits",
    "activities_from_content",
    "decode",
    "fit_crc",
    "is_fit",
    "map_sport",
    "parse_fit",
]

#: Sports whose moving time is computed from the records' speed (not pool swimming, rowing...).
_MOVING_FROM_RECORDS = ON_FOOT_SPORTS | {"cycling"}
#: Records further than this outside their session are dropped (clock glitches, garbage).
_LEG_MARGIN_S = 60
NO_REAL_DATE = (
    "this file has no real date: its times are counted from when the device was switched on "
    "(FIT times below 0x10000000 and no timestamp_correlation message to convert them)"
)
CLOCK_CONVERTED = (
    "device clock was not set: times converted with the file's timestamp_correlation message"
)


def map_sport(sport: int | None, sub_sport: int | None) -> str:
    """FIT sport/sub_sport numbers -> the small Heelwise vocabulary."""
    if sport == 1:
        if sub_sport == 3:
            return "trail_running"
        if sub_sport in (1, 45):
            return "treadmill_running"
        return "running"
    return {
        11: "walking",
        17: "hiking",
        2: "cycling",
        21: "cycling",
        5: "swimming",
        3: "transition",
    }.get(sport if sport is not None else -1, "other")


def _fit_time(value: int) -> datetime:
    return datetime.fromtimestamp(FIT_EPOCH_S + value, UTC)


def _device(file_ids: list[dict[int, Any]]) -> str | None:
    for fid in file_ids:
        maker = fid.get(1)
        if maker is None:
            continue
        name = profile.MANUFACTURER.get(maker, f"manufacturer {maker}")
        product_name = fid.get(8)
        if isinstance(product_name, bytes):
            text = product_name.split(b"\0", 1)[0].decode("utf-8", "replace").strip()
            if text:
                return f"{name} {text}"
        product = fid.get(2)
        if product is not None:
            if maker in (1, 15, 13):  # garmin, dynastream, dynastream_oem
                return f"{name} {profile.GARMIN_PRODUCT.get(product, str(product))}"
            return f"{name} {product}"
        return name
    return None


def _tz_offset(
    activities: list[dict[int, Any]], correlations: list[dict[int, Any]], shift: int | None
) -> int | None:
    """Local-time offset from ``activity`` (timestamp, local_timestamp), else from
    ``timestamp_correlation`` (timestamp, local_timestamp); device-relative times never count."""
    pairs = [(a.get(FIELD_TIMESTAMP), a.get(5)) for a in activities]
    pairs += [(c.get(FIELD_TIMESTAMP), c.get(3)) for c in correlations]
    for ts, local in pairs:
        if ts is None or local is None:
            continue
        if ts < FIT_MIN_ABSOLUTE_TIME and shift is not None:
            ts += shift
        if ts < FIT_MIN_ABSOLUTE_TIME or local < FIT_MIN_ABSOLUTE_TIME:
            continue
        offset = round((local - ts) / 900) * 900
        if abs(offset) <= 14 * 3600:
            return int(offset)
    return None


def _clock_shift(correlations: list[dict[int, Any]]) -> int | None:
    """Seconds to add to a device-relative FIT time (seconds since power-on) to make it real.

    Only a ``timestamp_correlation`` message pairs a real time (``timestamp``) with the same
    instant in device time (``system_timestamp``). A lone real time elsewhere (``time_created``,
    an ``activity`` ``local_timestamp``) says nothing about which device time it matches.
    """
    for corr in correlations:
        real, system = corr.get(FIELD_TIMESTAMP), corr.get(1)
        if real is None or system is None:
            continue
        if real >= FIT_MIN_ABSOLUTE_TIME > system:
            return int(real - system)
    return None


def _real(value: int, shift: int | None) -> int:
    if value < FIT_MIN_ABSOLUTE_TIME and shift is not None:
        return value + shift
    return value


def _real_session(sess: dict[int, Any], shift: int) -> dict[int, Any]:
    out = dict(sess)
    for key in (2, FIELD_TIMESTAMP):
        if out.get(key) is not None:
            out[key] = _real(out[key], shift)
    return out


def _summarise_records(rows: list[list[Any]]) -> TrackSummary:
    summary = TrackSummary()
    csd_last: int | None = None
    csd_total = 0.0
    for row in rows:
        lat = row[R_LAT]
        lon = row[R_LON]
        ealt = row[R_EALT]
        alt = ealt if ealt is not None else row[R_ALT]
        dist = row[R_DIST]
        csd = row[R_CSD]
        d_m: float | None = dist / 100.0 if dist is not None else None
        if d_m is None and isinstance(csd, bytes) and len(csd) == 3 and csd != b"\xff\xff\xff":
            raw = (csd[1] >> 4) | (csd[2] << 4)
            if csd_last is not None:
                csd_total += ((raw - csd_last) & 0xFFF) / 16.0
            csd_last = raw
            d_m = csd_total
        summary.add(
            float(row[R_TS]) if row[R_TS] is not None else None,
            lat * SEMICIRCLE_DEG if lat is not None and lon is not None else None,
            lon * SEMICIRCLE_DEG if lat is not None and lon is not None else None,
            alt / 5.0 - 500.0 if alt is not None else None,
            row[R_HR],
            row[R_CAD],
            d_m,
        )
    return summary


def _scaled(msg: dict[int, Any], key: int, scale: float) -> float | None:
    value = msg.get(key)
    if value is None or not math.isfinite(value):
        return None
    return float(value) / scale


def activities_from_content(content: FitContent) -> list[Activity]:
    """Turn decoded FIT content into one Activity per session (multisport legs)."""
    types = content.file_types
    if types and FILE_TYPE_ACTIVITY not in types:
        kind = profile.FILE_TYPE.get(types[0], f"file type {types[0]}")
        raise NotAnActivityError(f"not an activity file: FIT file type is '{kind}'")
    if not content.sessions and not any(r[R_TS] is not None for r in content.records):
        raise NoDataError(
            "not an activity: FIT file has no session and no timestamped record messages"
        )
    device = _device(content.file_ids)
    shift = _clock_shift(content.correlations)
    tz = _tz_offset(content.activities, content.correlations, shift)
    timed = [
        s for s in content.sessions if s.get(2) is not None or s.get(FIELD_TIMESTAMP) is not None
    ]
    rows = [r for r in content.records if r[R_TS] is not None]
    notes: list[str] = []
    if shift is not None and (
        any(_session_start(s) < FIT_MIN_ABSOLUTE_TIME for s in timed)
        or any(r[R_TS] < FIT_MIN_ABSOLUTE_TIME for r in rows)
    ):
        timed = [_real_session(s, shift) for s in timed]
        rows = [[*r[:R_TS], _real(r[R_TS], shift), *r[R_TS + 1 :]] for r in rows]
        notes.append(CLOCK_CONVERTED)
    sessions = sorted(timed, key=lambda s: s.get(2, s.get(FIELD_TIMESTAMP, 0)))
    rows.sort(key=lambda r: r[R_TS])
    if not sessions and not rows:
        raise NoDataError("not an activity: FIT sessions have no start time and no records")
    if not sessions:
        return [_activity_from_records(content, rows, device, tz, notes)]
    starts = [_session_start(s) for s in sessions]
    if starts[0] < FIT_MIN_ABSOLUTE_TIME:
        raise NoRealDateError(NO_REAL_DATE)
    stamps = [r[R_TS] for r in rows]
    out = []
    for i, sess in enumerate(sessions):
        start = starts[i]
        elapsed = _scaled(sess, 7, 1000.0)
        end = start + elapsed if elapsed is not None else None
        lo = (
            bisect_right(stamps, start - _LEG_MARGIN_S - 1)
            if len(sessions) == 1
            else (bisect_right(stamps, start - 1))
        )
        hi_time: float | None = starts[i + 1] - 1 if i + 1 < len(sessions) else None
        if end is not None:
            edge = end + _LEG_MARGIN_S
            hi_time = edge if hi_time is None else min(hi_time, edge)
        hi = bisect_right(stamps, hi_time) if hi_time is not None else len(rows)
        out.append(_activity_from_session(sess, start, rows[lo:hi], content, device, tz, i, notes))
    count = len(out)
    return [_with_leg(a, count) for a in out]


def _session_start(sess: dict[int, Any]) -> int:
    start = sess.get(2)
    if start is not None:
        return int(start)
    elapsed = sess.get(7) or 0
    return int(sess[FIELD_TIMESTAMP] - elapsed // 1000)


def _with_leg(activity: Activity, count: int) -> Activity:
    if count == 1:
        return activity
    return replace(activity, leg_count=count)


def _cadence_spm(sport: str, rpm: float | None, fraction: float | None) -> float | None:
    if rpm is None or sport not in ON_FOOT_SPORTS or rpm <= 0:
        return None
    return 2.0 * (rpm + (fraction or 0.0))


def _activity_from_session(
    sess: dict[int, Any],
    start: int,
    rows: list[list[Any]],
    content: FitContent,
    device: str | None,
    tz: int | None,
    leg: int,
    notes: list[str],
) -> Activity:
    track = _summarise_records(rows)
    sport = map_sport(sess.get(5), sess.get(6))
    elapsed = _scaled(sess, 7, 1000.0)
    timer = _scaled(sess, 8, 1000.0)
    duration = (
        elapsed if elapsed is not None else (timer if timer is not None else track.duration_s)
    )
    moving = _scaled(sess, 59, 1000.0)
    covered = track.duration_s >= 0.9 * duration if duration else False
    if moving is None and covered and sport in _MOVING_FROM_RECORDS and track.distance_m:
        moving = min(track.moving_s, timer if timer is not None else duration)
    if moving is None:
        moving = timer
    distance = _scaled(sess, 9, 100.0)
    if distance is None:
        distance = track.distance_m
    ascent = _scaled(sess, 22, 1.0)
    if ascent is None and covered:
        ascent = track.ascent
    avg_hr = _scaled(sess, 16, 1.0)
    if avg_hr is None:
        avg_hr = track.avg_hr
    cad = _scaled(sess, 18, 1.0)
    frac = _scaled(sess, 92, 128.0)
    if cad is None:
        cad, frac = track.avg_cadence, None
    sub = sess.get(6)
    return Activity(
        sport=sport,
        sub_sport=profile.SUB_SPORT.get(sub, f"sub_sport {sub}") if sub is not None else None,
        start=_fit_time(start),
        duration_s=duration,
        moving_s=moving,
        timer_s=timer,
        distance_m=distance,
        ascent_m=ascent,
        avg_hr=avg_hr,
        avg_cadence_spm=_cadence_spm(sport, cad, frac),
        points=len(rows),
        device=device,
        source_format="fit",
        tz_offset_s=tz,
        leg_index=leg,
        warnings=(*content.warnings, *notes),
    )


def _activity_from_records(
    content: FitContent,
    rows: list[list[Any]],
    device: str | None,
    tz: int | None,
    notes: list[str],
) -> Activity:
    if rows[-1][R_TS] < FIT_MIN_ABSOLUTE_TIME:
        raise NoRealDateError(NO_REAL_DATE)
    if rows[0][R_TS] < FIT_MIN_ABSOLUTE_TIME:
        # The clock was set part-way (a GPS fix): the records before it cannot be placed.
        first = bisect_right([r[R_TS] for r in rows], FIT_MIN_ABSOLUTE_TIME - 1)
        notes = [*notes, f"{first} records from before the device clock was set left out"]
        rows = rows[first:]
    track = _summarise_records(rows)
    sport_msg = content.sports[0] if content.sports else {}
    sport = map_sport(sport_msg.get(0), sport_msg.get(1))
    sub = sport_msg.get(1)
    start = int(rows[0][R_TS])
    return Activity(
        sport=sport,
        sub_sport=profile.SUB_SPORT.get(sub, f"sub_sport {sub}") if sub is not None else None,
        start=_fit_time(start),
        duration_s=track.duration_s,
        moving_s=track.moving_s if track.distance_m else None,
        distance_m=track.distance_m,
        ascent_m=track.ascent,
        avg_hr=track.avg_hr,
        avg_cadence_spm=_cadence_spm(sport, track.avg_cadence, None),
        points=len(rows),
        device=device,
        source_format="fit",
        tz_offset_s=tz,
        warnings=(*content.warnings, *notes, "no session message: totals computed from records"),
    )


def parse_fit(data: bytes, limits: FitLimits | None = None) -> list[Activity]:
    """Parse FIT bytes into activities (one per session); raises a specific ParseError."""
    return activities_from_content(decode(data, limits))
