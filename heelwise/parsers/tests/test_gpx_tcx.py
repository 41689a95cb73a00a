"""GPX and TCX: real files from several apps and devices, hostile XML, odd encodings."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from heelwise.parsers import (
    CorruptFileError,
    HostileContentError,
    NoDataError,
    UnsupportedFormatError,
    parse_bytes,
    parse_file,
)
from heelwise.parsers.sports import sport_from_text
from heelwise.parsers.track import haversine_m

GPX_NS = 'xmlns="http://www.topografix.com/GPX/1/1"'
TPX = 'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"'


def gpx(points: str, *, header: str = "", trk_type: str = "running") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{header}\n'
        f'<gpx version="1.1" creator="test" {GPX_NS} {TPX}><trk><type>{trk_type}</type>'
        f"<trkseg>{points}</trkseg></trk></gpx>"
    ).encode()


def pt(lat: float, lon: float, t: str, ele: float = 10.0, hr: int | None = None) -> str:
    ext = (
        f"<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{hr}</gpxtpx:hr>"
        "</gpxtpx:TrackPointExtension></extensions>"
        if hr
        else ""
    )
    return f'<trkpt lat="{lat}" lon="{lon}"><ele>{ele}</ele><time>{t}</time>{ext}</trkpt>'


# --- real files ----------------------------------------------------------------------------


def test_garmin_connect_gpx_with_trackpoint_extension(data_dir: Path) -> None:
    (run,) = parse_file(data_dir / "garmin_connect_fenix6_run.gpx")
    assert run.sport == "running"
    assert run.device == "Garmin Connect"
    assert run.start == datetime(2021, 1, 19, 23, 30, 50, tzinfo=UTC)
    assert run.duration_s == 19.0
    assert run.points == 20
    assert run.avg_hr == pytest.approx(64.1, abs=0.05)
    assert run.avg_cadence_spm == pytest.approx(2 * 93.43, abs=0.1)  # gpxtpx:cad is per leg
    assert 50 < (run.distance_m or 0) < 70


def test_iphone_workouts_app_gpx_without_sport_or_extensions(data_dir: Path) -> None:
    (run,) = parse_file(data_dir / "workouts_app_iphone_run.gpx")
    assert run.device == "Workouts App for iPhone"
    assert run.sport == "other"
    assert "no sport type in file" in run.warnings
    (hinted,) = parse_file(data_dir / "workouts_app_iphone_run.gpx", sport_hint="running")
    assert hinted.sport == "running" and not hinted.warnings
    assert run.points == 50
    assert run.avg_hr is None
    assert run.start.microsecond == 71000  # fractional seconds kept
    assert run.moving_s is not None and run.moving_s < run.duration_s


def test_gpsbabel_gpx_1_0_without_times_is_not_an_activity(data_dir: Path) -> None:
    with pytest.raises(NoDataError, match="no timestamps"):
        parse_file(data_dir / "gpsbabel_untimed_track.gpx")


def test_garmin_connect_ride_maps_road_biking_to_cycling(data_dir: Path) -> None:
    (ride,) = parse_file(data_dir / "garmin_connect_gpxtpx_ride.gpx")
    assert ride.sport == "cycling"
    assert ride.avg_hr == 113
    assert ride.avg_cadence_spm is None


def test_garmin_tcx_uses_lap_totals(data_dir: Path) -> None:
    (run,) = parse_file(data_dir / "garmin_run_tcxparser.tcx")
    assert run.sport == "running"
    assert run.source_format == "tcx"
    assert run.distance_m == pytest.approx(1609.344)
    assert run.timer_s == pytest.approx(608.47)
    assert run.points == 16
    assert run.avg_hr == pytest.approx(1014 / 16)


def test_apple_watch_tcx_with_zero_distances_falls_back_to_positions(data_dir: Path) -> None:
    (run,) = parse_file(data_dir / "apple_watch_se_track_run.tcx")
    assert run.sport == "running"
    assert run.points == 20
    assert run.distance_m is not None and 60 < run.distance_m < 80
    assert run.moving_s == pytest.approx(19.0)


# --- hostile and broken XML ----------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>&lol3;</name></trk></gpx>
"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE gpx [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>&xxe;</name></trk></gpx>
"""


def test_billion_laughs_is_refused_before_parsing() -> None:
    with pytest.raises(HostileContentError, match="XML entity declarations are not allowed"):
        parse_bytes(BILLION_LAUGHS)


def test_external_entities_are_refused() -> None:
    with pytest.raises(HostileContentError, match="XML entity declarations are not allowed"):
        parse_bytes(XXE)
    tcx = XXE.replace(b"<gpx", b"<TrainingCenterDatabase").replace(
        b"</gpx>", b"</TrainingCenterDatabase>"
    )
    with pytest.raises(HostileContentError):
        parse_bytes(tcx)


def test_a_bare_doctype_is_refused() -> None:
    data = gpx(pt(1, 1, "2020-01-01T00:00:00Z"), header='<!DOCTYPE gpx SYSTEM "http://x/y.dtd">')
    with pytest.raises(HostileContentError, match="document type declarations"):
        parse_bytes(data)


def test_undefined_entities_and_bad_xml_are_corrupt() -> None:
    with pytest.raises(CorruptFileError, match="not well-formed at line"):
        parse_bytes(gpx("<trkpt lat='1' lon='1'>&boom;</trkpt>"))
    with pytest.raises(CorruptFileError, match="not well-formed"):
        parse_bytes(gpx(pt(1, 1, "2020-01-01T00:00:00Z"))[:-20])


def test_utf16_gpx_is_read() -> None:
    text = gpx(pt(1, 1, "2020-01-01T00:00:00Z") + pt(1.001, 1, "2020-01-01T00:01:00Z")).decode()
    text = text.replace('encoding="UTF-8"', 'encoding="UTF-16"')
    (act,) = parse_bytes(text.encode("utf-16"))
    assert act.points == 2
    assert act.distance_m == pytest.approx(111.2, abs=0.5)


def test_bad_coordinates_are_named() -> None:
    with pytest.raises(CorruptFileError, match="track point 1 has no valid latitude"):
        parse_bytes(gpx('<trkpt lat="95" lon="1"><time>2020-01-01T00:00:00Z</time></trkpt>'))


def test_unknown_formats_are_named() -> None:
    with pytest.raises(UnsupportedFormatError, match="unrecognised file format"):
        parse_bytes(b"hello world")
    with pytest.raises(UnsupportedFormatError, match="empty file"):
        parse_bytes(b"")


# --- behaviour -----------------------------------------------------------------------------


def test_gpx_times_with_offsets_are_converted_to_utc() -> None:
    (act,) = parse_bytes(
        gpx(pt(50, 0, "2020-06-01T08:00:00+01:00") + pt(50.001, 0, "2020-06-01T08:00:30+01:00"))
    )
    assert act.start == datetime(2020, 6, 1, 7, 0, tzinfo=UTC)
    assert act.duration_s == 30


def test_gpx_1_0_and_no_namespace_are_read() -> None:
    body = pt(50, 0, "2020-06-01T08:00:00Z") + pt(50.001, 0, "2020-06-01T08:00:30Z")
    for ns in ('xmlns="http://www.topografix.com/GPX/1/0"', ""):
        data = f'<gpx version="1.0" {ns}><trk><trkseg>{body}</trkseg></trk></gpx>'.encode()
        (act,) = parse_bytes(data)
        assert act.points == 2


def test_segments_break_distance_and_moving_time() -> None:
    seg1 = pt(50, 0, "2020-06-01T08:00:00Z") + pt(50.001, 0, "2020-06-01T08:00:30Z")
    seg2 = pt(50.01, 0, "2020-06-01T09:00:00Z") + pt(50.011, 0, "2020-06-01T09:00:30Z")
    (act,) = parse_bytes(gpx(seg1 + "</trkseg><trkseg>" + seg2))
    assert act.distance_m == pytest.approx(2 * 111.2, abs=1)
    assert act.moving_s == 60
    assert act.duration_s == 3630


def test_ascent_ignores_noise_below_hysteresis() -> None:
    eles = [10, 11, 10, 11, 10, 20, 19, 30]
    points = "".join(
        pt(50 + i * 1e-4, 0, f"2020-06-01T08:00:{i:02d}Z", ele=e) for i, e in enumerate(eles)
    )
    (act,) = parse_bytes(gpx(points))
    assert act.ascent_m == pytest.approx(20)


def test_heart_rate_from_extensions() -> None:
    points = pt(50, 0, "2020-06-01T08:00:00Z", hr=100) + pt(50, 0, "2020-06-01T08:00:01Z", hr=120)
    (act,) = parse_bytes(gpx(points))
    assert act.avg_hr == 110


def test_tcx_multisport_session_gives_legs() -> None:
    def activity(sport: str, minute: int) -> str:
        return (
            f'<Activity Sport="{sport}"><Id>x</Id><Lap StartTime="x"><Track>'
            f"<Trackpoint><Time>2020-01-01T10:{minute:02d}:00Z</Time></Trackpoint>"
            f"<Trackpoint><Time>2020-01-01T10:{minute + 5:02d}:00Z</Time></Trackpoint>"
            "</Track></Lap></Activity>"
        )

    ns = 'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"'
    data = (
        f"<TrainingCenterDatabase {ns}><Activities><MultiSportSession>"
        f"<FirstSport>{activity('Biking', 0)}</FirstSport>"
        f"<NextSport>{activity('Running', 10)}</NextSport>"
        "</MultiSportSession></Activities></TrainingCenterDatabase>"
    ).encode()
    legs = parse_bytes(data)
    assert [leg.sport for leg in legs] == ["cycling", "running"]
    assert [leg.leg_index for leg in legs] == [0, 1]
    assert all(leg.leg_count == 2 for leg in legs)


def test_tcx_run_cadence_extension_is_doubled() -> None:
    ns = 'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"'
    ax = 'xmlns:ax="http://www.garmin.com/xmlschemas/ActivityExtension/v2"'
    tps = "".join(
        f"<Trackpoint><Time>2020-01-01T10:00:0{i}Z</Time><Extensions><ax:TPX>"
        f"<ax:RunCadence>88</ax:RunCadence></ax:TPX></Extensions></Trackpoint>"
        for i in range(3)
    )
    data = (
        f"<TrainingCenterDatabase {ns} {ax}><Activities><Activity Sport='Running'><Id>x</Id>"
        f"<Lap StartTime='x'><Track>{tps}</Track></Lap>"
        "<Creator><Name>Forerunner 265</Name></Creator></Activity></Activities>"
        "</TrainingCenterDatabase>"
    ).encode()
    (run,) = parse_bytes(data)
    assert run.avg_cadence_spm == 176
    assert run.device == "Forerunner 265"


@pytest.mark.parametrize(
    ("text", "sport"),
    [
        ("Running", "running"),
        ("trail_running", "trail_running"),
        ("Treadmill Run", "treadmill_running"),
        ("9", "running"),
        ("1", "cycling"),
        ("Biking", "cycling"),
        ("Hike", "hiking"),
        ("Walk", "walking"),
        ("Swim", "swimming"),
        ("Yoga", "other"),
        ("", None),
    ],
)
def test_sport_vocabulary(text: str, sport: str | None) -> None:
    assert sport_from_text(text) == sport


def test_haversine_one_degree_of_latitude() -> None:
    assert haversine_m(0, 0, 1, 0) == pytest.approx(111_195, rel=1e-3)


@pytest.mark.parametrize(
    ("lat", "dlat", "dlon"),
    [(0.0, 1e-4, 1e-4), (51.5, 3e-5, -2e-5), (-33.9, 0.05, 0.09), (69.6, 0.001, 0.0), (10, 0.5, 0)],
)
def test_step_matches_haversine(lat: float, dlat: float, dlon: float) -> None:
    from heelwise.parsers.track import step_m

    expected = haversine_m(lat, 10.0, lat + dlat, 10.0 + dlon)
    assert step_m(lat, 10.0, lat + dlat, 10.0 + dlon) == pytest.approx(expected, rel=1e-5)
