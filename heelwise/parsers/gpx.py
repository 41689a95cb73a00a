"""Streaming GPX 1.0/1.1 track parser (Garmin TrackPointExtension v1/v2 and similar).

Built on expat callbacks rather than ElementTree: no element objects are created, text is
only collected inside the few leaf elements we read, so memory does not grow with the track
and the per-point cost stays a handful of Python calls (see docs/activity-files.md).
Element names are matched on their local part, so any namespace prefix works.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from heelwise.parsers._xml import check_xml_safe, hardened_expat, run_expat, to_utf8_bytes
from heelwise.parsers.errors import CorruptFileError, NoDataError, UnsupportedFormatError
from heelwise.parsers.models import ON_FOOT_SPORTS, Activity
from heelwise.parsers.sports import sport_from_text
from heelwise.parsers.track import TrackSummary

# Element kinds, looked up by qualified name (cached per prefix spelling).
_OTHER, _TRKPT, _TRKSEG, _TRK, _ELE, _TIME, _HR, _CAD, _TYPE = range(9)
_KIND_BY_LOCAL = {
    "trkpt": _TRKPT,
    "trkseg": _TRKSEG,
    "trk": _TRK,
    "ele": _ELE,
    "time": _TIME,
    "hr": _HR,
    "heartrate": _HR,
    "heart_rate": _HR,
    "cad": _CAD,
    "cadence": _CAD,
    "runcadence": _CAD,
    "type": _TYPE,
}


def _kind(name: str) -> int:
    return _KIND_BY_LOCAL.get(name.rpartition(":")[2].lower(), _OTHER)


_day_cache: dict[str, float] = {}


def parse_time(text: str | None) -> float | None:
    """ISO-8601 (``Z``, offsets, fractions) -> POSIX seconds; naive times are UTC.

    The common ``YYYY-MM-DDTHH:MM:SS[.fff]Z`` form takes a fast path that parses the date once
    per day and the clock with int(); everything else goes through ``fromisoformat``.
    """
    if not text:
        return None
    if len(text) >= 20 and text[-1] == "Z" and text[10] == "T" and text[13] == text[16] == ":":
        day = _day_cache.get(text[:10])
        if day is None:
            try:
                day = datetime.fromisoformat(text[:10]).replace(tzinfo=UTC).timestamp()
            except ValueError:
                return None
            if len(_day_cache) < 4096:
                _day_cache[text[:10]] = day
        try:
            hh, mm, ss = int(text[11:13]), int(text[14:16]), float(text[17:-1])
        except ValueError:
            return None
        if hh < 24 and mm < 60 and 0 <= ss < 61:
            return day + hh * 3600 + mm * 60 + ss
        return None
    try:
        dt = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def _coordinate(value: str | None, name: str, limit: float, index: int) -> float:
    try:
        number = float(value) if value is not None else None
    except ValueError:
        number = None
    if number is None or not -limit <= number <= limit:
        raise CorruptFileError(f"GPX track point {index} has no valid {name} ({value!r})")
    return number


@dataclass(slots=True)
class _Doc:
    root_seen: bool = False
    creator: str | None = None
    type_text: str | None = None


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _read(data: bytes) -> tuple[_Doc, TrackSummary]:  # noqa: C901 - the hot loop, kept flat
    """Run expat with a start-element handler only.

    Half of the Python callbacks an XML parser would make are end-element events; GPX does
    not need them. Leaf text (``<time>``, ``<ele>``, ``<hr>``...) is collected from its start
    tag up to the next start tag (the whitespace that follows is stripped by the number
    parsers), and a point is added to the summary when the next point, segment or track
    starts, or the document ends. State lives in closure cells, the cheapest Python access.
    """
    parser = hardened_expat()
    summary = TrackSummary()
    add = summary.add
    kinds: dict[str, int] = {}
    text: list[str] = []
    capture = text.append
    doc = _Doc()
    text_kind = _OTHER
    pending = in_trk = False
    lat = lon = 0.0
    ele: float | None = None
    t: float | None = None
    hr: float | None = None
    cad: float | None = None

    def finish_text() -> None:
        nonlocal text_kind, t, ele, hr, cad
        parser.CharacterDataHandler = None
        kind = text_kind
        text_kind = _OTHER
        value = "".join(text)
        if kind == _TIME:
            if t is None:
                t = parse_time(value.strip())
        elif kind == _ELE:
            if ele is None:
                ele = _number(value)
        elif kind == _HR:
            if hr is None:
                hr = _number(value)
        elif kind == _CAD:
            if cad is None:
                cad = _number(value)
        elif doc.type_text is None:
            doc.type_text = value.strip() or None

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal text_kind, pending, in_trk, lat, lon, ele, t, hr, cad
        if text_kind:
            # finish_text() inlined for the per-point leaves (the hot path).
            parser.CharacterDataHandler = None
            if text_kind == _TIME and t is None:
                t = parse_time("".join(text).strip())
            elif text_kind == _HR and hr is None:
                hr = _number("".join(text))
            elif text_kind == _CAD and cad is None:
                cad = _number("".join(text))
            elif text_kind == _ELE and ele is None:
                ele = _number("".join(text))
            elif text_kind == _TYPE:
                finish_text()
            text_kind = _OTHER
        kind = kinds.get(name)
        if kind is None:
            kind = kinds[name] = _kind(name)
            if not doc.root_seen:
                doc.root_seen = True
                if name.rpartition(":")[2] != "gpx":
                    raise UnsupportedFormatError(f"not a GPX file: root element is <{name}>")
                doc.creator = attrs.get("creator")
        if kind == _OTHER:
            return
        if kind >= _ELE:
            if pending:
                if kind != _TYPE:
                    text.clear()
                    text_kind = kind
                    parser.CharacterDataHandler = capture
            elif kind == _TYPE and in_trk and summary.points == 0:
                text.clear()
                text_kind = kind
                parser.CharacterDataHandler = capture
            return
        if pending:
            pending = False
            add(t, lat, lon, ele, hr, cad)
        if kind == _TRKPT:
            index = summary.points + 1
            lat = _coordinate(attrs.get("lat"), "latitude", 90.0, index)
            lon = _coordinate(attrs.get("lon"), "longitude", 180.0, index)
            ele = t = hr = cad = None
            pending = True
        elif kind == _TRKSEG:
            summary.new_segment()
        else:
            in_trk = True

    parser.StartElementHandler = start
    run_expat(parser, data)
    if text_kind:
        finish_text()
    if pending:
        add(t, lat, lon, ele, hr, cad)
    return doc, summary


def _activity(doc: _Doc, summary: TrackSummary, sport_hint: str | None) -> Activity:
    if summary.points == 0:
        raise NoDataError("no track points: GPX file holds no <trkpt> (a route or waypoints?)")
    if summary.first_t is None:
        raise NoDataError("no timestamps: GPX track points have no <time>, so not an activity")
    type_text = doc.type_text
    sport = sport_from_text(type_text) or sport_hint or "other"
    cad = summary.avg_cadence
    return Activity(
        sport=sport,
        sub_sport=type_text,
        start=datetime.fromtimestamp(summary.first_t, UTC),
        duration_s=summary.duration_s,
        moving_s=summary.moving_s,
        distance_m=summary.distance_m,
        ascent_m=summary.ascent,
        avg_hr=summary.avg_hr,
        # gpxtpx:cad is per leg, as on the device: double it for steps.
        avg_cadence_spm=2.0 * cad if cad is not None and sport in ON_FOOT_SPORTS else None,
        points=summary.points,
        device=doc.creator,
        source_format="gpx",
        warnings=() if type_text or sport_hint else ("no sport type in file",),
    )


def parse_gpx(data: bytes, sport_hint: str | None = None) -> list[Activity]:
    """Parse GPX bytes into one Activity (all tracks and segments of the file)."""
    data = to_utf8_bytes(data)
    check_xml_safe(data)
    doc, summary = _read(data)
    if not doc.root_seen:
        raise UnsupportedFormatError("not a GPX file")
    return [_activity(doc, summary, sport_hint)]
