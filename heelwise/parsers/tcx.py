"""Streaming TCX (Garmin TrainingCenterDatabase v2) parser: one Activity per <Activity>."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from xml.etree.ElementTree import Element  # noqa: S405 - type only; parsing is in _xml

from heelwise.parsers._xml import iter_events, local_name
from heelwise.parsers.errors import NoDataError, UnsupportedFormatError
from heelwise.parsers.gpx import parse_time
from heelwise.parsers.models import ON_FOOT_SPORTS, Activity
from heelwise.parsers.sports import sport_from_text
from heelwise.parsers.track import TrackSummary

_NS = "{http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2}"
_TRACKPOINT = _NS + "Trackpoint"
_TRACK = _NS + "Track"
_LAP = _NS + "Lap"
_ACTIVITY = _NS + "Activity"
_CREATOR = _NS + "Creator"
_MULTISPORT = _NS + "MultiSportSession"


@dataclass(slots=True)
class _Current:
    sport_attr: str | None
    summary: TrackSummary = field(default_factory=TrackSummary)
    lap_time_s: float = 0.0
    lap_distance_m: float = 0.0
    laps: int = 0
    bike_cadence: bool = False
    creator: str | None = None


def _float(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def parse_tcx(data: bytes, sport_hint: str | None = None) -> list[Activity]:
    """Parse TCX bytes; several <Activity> in a MultiSportSession become legs."""
    done: list[Activity] = []
    cur: _Current | None = None
    container: Element | None = None
    root_seen = in_creator = in_multisport = False
    for event, elem in iter_events(data):
        tag = elem.tag
        if event == "start":
            if not root_seen:
                root_seen = True
                if local_name(tag) != "TrainingCenterDatabase":
                    raise UnsupportedFormatError(f"not a TCX file: root element is <{tag}>")
            elif tag == _ACTIVITY:
                cur = _Current(elem.get("Sport"))
            elif tag == _TRACK and cur is not None:
                cur.summary.new_segment()
                container = elem
            elif tag == _CREATOR:
                in_creator = True
            elif tag == _MULTISPORT:
                in_multisport = True
            continue
        if cur is None:
            continue
        if tag == _TRACKPOINT:
            _add_point(cur, elem)
            elem.clear()
            if container is not None:
                container.clear()
        elif tag == _LAP:
            cur.laps += 1
            for child in elem:
                name = local_name(child.tag)
                if name == "TotalTimeSeconds":
                    cur.lap_time_s += _float(child.text) or 0.0
                elif name == "DistanceMeters":
                    cur.lap_distance_m += _float(child.text) or 0.0
            elem.clear()
        elif tag == _CREATOR:
            in_creator = False
        elif in_creator and local_name(tag) == "Name" and cur.creator is None:
            cur.creator = (elem.text or "").strip() or None
        elif tag == _ACTIVITY:
            done.append(_finish(cur, sport_hint, len(done)))
            cur = None
            elem.clear()
    if not root_seen:
        raise UnsupportedFormatError("not a TCX file")
    if not done:
        raise NoDataError("no activities: TCX file holds no <Activity> with track points")
    if in_multisport and len(done) > 1:
        return [replace(a, leg_count=len(done)) for a in done]
    return [_as_single(a) for a in done]


def _as_single(activity: Activity) -> Activity:
    return replace(activity, leg_index=0) if activity.leg_index else activity


def _add_point(cur: _Current, tp: Element) -> None:
    t = lat = lon = ele = hr = cad = dist = None
    for child in tp:
        name = local_name(child.tag)
        if name == "Time":
            t = parse_time(child.text)
        elif name == "Position":
            for pos in child:
                pname = local_name(pos.tag)
                if pname == "LatitudeDegrees":
                    lat = _float(pos.text)
                elif pname == "LongitudeDegrees":
                    lon = _float(pos.text)
        elif name == "AltitudeMeters":
            ele = _float(child.text)
        elif name == "DistanceMeters":
            dist = _float(child.text)
        elif name == "HeartRateBpm":
            for value in child:
                hr = _float(value.text)
        elif name == "Cadence":
            cad = _float(child.text)
            cur.bike_cadence = True
        elif name == "Extensions":
            for sub in child.iter():
                if local_name(sub.tag) == "RunCadence":
                    cad = _float(sub.text)
    if lat is not None and lon is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        lat = lon = None
    cur.summary.add(t, lat, lon, ele, hr, cad, dist)


def _finish(cur: _Current, sport_hint: str | None, index: int) -> Activity:
    s = cur.summary
    if s.points == 0 or s.first_t is None:
        raise NoDataError("no track points: TCX activity has no timed <Trackpoint>")
    sport = sport_from_text(cur.sport_attr)
    if sport in (None, "other") and sport_hint:
        sport = sport_hint
    sport = sport or "other"
    distance = cur.lap_distance_m if cur.lap_distance_m > 0 else s.distance_m
    cad = s.avg_cadence
    spm = 2.0 * cad if cad is not None and sport in ON_FOOT_SPORTS else None
    return Activity(
        sport=sport,
        sub_sport=cur.sport_attr,
        start=datetime.fromtimestamp(s.first_t, UTC),
        duration_s=s.duration_s,
        moving_s=s.moving_s,
        timer_s=cur.lap_time_s or None,
        distance_m=distance,
        ascent_m=s.ascent,
        avg_hr=s.avg_hr,
        avg_cadence_spm=spm,
        points=s.points,
        device=cur.creator,
        source_format="tcx",
        leg_index=index,
    )
