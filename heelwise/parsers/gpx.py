"""Streaming GPX 1.0/1.1 track parser (Garmin TrackPointExtension v1/v2 and similar)."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree.ElementTree import Element  # noqa: S405 - type only; parsing is in _xml

from heelwise.parsers._xml import iter_events, local_name
from heelwise.parsers.errors import CorruptFileError, NoDataError, UnsupportedFormatError
from heelwise.parsers.models import ON_FOOT_SPORTS, Activity
from heelwise.parsers.sports import sport_from_text
from heelwise.parsers.track import TrackSummary

_NAMESPACES = ("http://www.topografix.com/GPX/1/1", "http://www.topografix.com/GPX/1/0", "")


def _tags(name: str) -> frozenset[str]:
    return frozenset(f"{{{ns}}}{name}" if ns else name for ns in _NAMESPACES)


_TRKPT, _TRKSEG, _TRK = _tags("trkpt"), _tags("trkseg"), _tags("trk")
_ELE, _TIME, _TYPE, _EXT = _tags("ele"), _tags("time"), _tags("type"), _tags("extensions")
_HR_NAMES = frozenset({"hr", "heartrate", "heart_rate"})
_CAD_NAMES = frozenset({"cad", "cadence", "runcadence"})


def parse_time(text: str | None) -> float | None:
    """ISO-8601 (``Z``, offsets, fractions) -> POSIX seconds; naive times are UTC."""
    if not text:
        return None
    try:
        dt = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def _float(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def _coordinate(elem_get: str | None, name: str, limit: float, index: int) -> float:
    try:
        value = float(elem_get) if elem_get is not None else None
    except ValueError:
        value = None
    if value is None or not -limit <= value <= limit:
        raise CorruptFileError(f"GPX track point {index} has no valid {name} ({elem_get!r})")
    return value


def parse_gpx(data: bytes, sport_hint: str | None = None) -> list[Activity]:
    """Parse GPX bytes into one Activity (all tracks and segments of the file)."""
    summary = TrackSummary()
    creator: str | None = None
    type_text: str | None = None
    in_trk = False
    container = None
    root_seen = False
    for event, elem in iter_events(data):
        tag = elem.tag
        if event == "start":
            if not root_seen:
                root_seen = True
                if local_name(tag) != "gpx":
                    raise UnsupportedFormatError(f"not a GPX file: root element is <{tag}>")
                creator = elem.get("creator")
            elif tag in _TRKSEG:
                summary.new_segment()
                container = elem
            elif tag in _TRK:
                in_trk = True
                container = elem
            continue
        if tag in _TRKPT:
            _add_point(summary, elem)
            elem.clear()
            if container is not None:
                container.clear()
        elif tag in _TYPE and in_trk and type_text is None:
            type_text = elem.text
        elif tag in _TRK:
            in_trk = False
    if summary.points == 0:
        raise NoDataError("no track points: GPX file holds no <trkpt> (a route or waypoints?)")
    if summary.first_t is None:
        raise NoDataError("no timestamps: GPX track points have no <time>, so not an activity")
    sport = sport_from_text(type_text) or sport_hint or "other"
    cad = summary.avg_cadence
    return [
        Activity(
            sport=sport,
            sub_sport=type_text.strip() if type_text else None,
            start=datetime.fromtimestamp(summary.first_t, UTC),
            duration_s=summary.duration_s,
            moving_s=summary.moving_s,
            distance_m=summary.distance_m,
            ascent_m=summary.ascent,
            avg_hr=summary.avg_hr,
            avg_cadence_spm=_spm(sport, cad),
            points=summary.points,
            device=creator,
            source_format="gpx",
            warnings=() if type_text or sport_hint else ("no sport type in file",),
        )
    ]


def _spm(sport: str, cadence: float | None) -> float | None:
    """GPX cadence (gpxtpx:cad) is per leg, as on the device: double it for steps."""
    if cadence is None or sport not in ON_FOOT_SPORTS:
        return None
    return 2.0 * cadence


def _add_point(summary: TrackSummary, pt: Element) -> None:
    index = summary.points + 1
    lat = _coordinate(pt.get("lat"), "latitude", 90.0, index)
    lon = _coordinate(pt.get("lon"), "longitude", 180.0, index)
    ele = t = hr = cad = None
    for child in pt:
        ctag = child.tag
        if ctag in _ELE:
            ele = _float(child.text)
        elif ctag in _TIME:
            t = parse_time(child.text)
        elif ctag in _EXT:
            for sub in child.iter():
                name = local_name(sub.tag).lower()
                if name in _HR_NAMES:
                    hr = _float(sub.text)
                elif name in _CAD_NAMES:
                    cad = _float(sub.text)
    summary.add(t, lat, lon, ele, hr, cad)
