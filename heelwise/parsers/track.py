"""Streaming summary of a sequence of track points (used by GPX, TCX and FIT without totals)."""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_008.8
#: Below this speed a point-to-point step counts as standing still (1.8 km/h).
MOVING_SPEED_MS = 0.5
#: Gaps longer than this between two points never count as moving time (auto-pause, tunnels).
MAX_MOVING_GAP_S = 60.0
#: Elevation must rise this much above the last turning point to count as ascent (GPS noise).
ASCENT_HYSTERESIS_M = 3.0

_RAD = math.pi / 180.0


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two WGS84 points given in degrees."""
    p1 = lat1 * _RAD
    p2 = lat2 * _RAD
    a = (
        math.sin((p2 - p1) * 0.5) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin((lon2 - lon1) * _RAD * 0.5) ** 2
    )
    return 2.0 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def step_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance between two nearby points: equirectangular below ~10 km, else haversine.

    For GPS steps (metres to a few hundred metres) the flat approximation differs from the
    haversine by far less than a millimetre and costs one cosine instead of five trig calls.
    """
    dlat = lat2 - lat1
    dlon = lon2 - lon1
    if -0.1 < dlat < 0.1 and -0.1 < dlon < 0.1:
        x = dlon * math.cos((lat1 + lat2) * 0.5 * _RAD)
        return EARTH_RADIUS_M * _RAD * math.sqrt(x * x + dlat * dlat)
    return haversine_m(lat1, lon1, lat2, lon2)


@dataclass(slots=True)
class TrackSummary:
    """Accumulates points one at a time; memory does not grow with the track."""

    points: int = 0
    first_t: float | None = None
    last_t: float | None = None
    gps_distance_m: float = 0.0
    device_distance_m: float | None = None
    moving_s: float = 0.0
    ascent_m: float = 0.0
    has_elevation: bool = False
    hr_sum: float = 0.0
    hr_n: int = 0
    cad_sum: float = 0.0
    cad_n: int = 0
    _lat: float | None = None
    _lon: float | None = None
    _t: float | None = None
    _dist: float | None = None
    _ele_ref: float | None = None

    def new_segment(self) -> None:
        """A track segment break: no distance or moving time is counted across it."""
        self._lat = self._lon = self._t = None

    def add(
        self,
        t: float | None,
        lat: float | None = None,
        lon: float | None = None,
        ele: float | None = None,
        hr: float | None = None,
        cad: float | None = None,
        dist: float | None = None,
    ) -> None:
        self.points += 1
        step: float | None = None
        if dist is not None:
            if self._dist is not None and dist > self._dist:
                step = dist - self._dist
            if self.device_distance_m is None or dist > self.device_distance_m:
                self.device_distance_m = dist
            self._dist = dist
        if lat is not None and lon is not None:
            plat = self._lat
            plon = self._lon
            # Positions are only measured when the device distance does not advance (GPX, or
            # an Apple Watch TCX that writes 0.0 throughout): the device's own figure wins.
            if plat is not None and plon is not None and step is None:
                step = step_m(plat, plon, lat, lon)
                self.gps_distance_m += step
            self._lat = lat
            self._lon = lon
        if t is not None:
            if self.first_t is None:
                self.first_t = t
            if self.last_t is None or t > self.last_t:
                self.last_t = t
            if self._t is not None and step is not None:
                dt = t - self._t
                if 0.0 < dt <= MAX_MOVING_GAP_S and step >= MOVING_SPEED_MS * dt:
                    self.moving_s += dt
            self._t = t
        if ele is not None:
            self.has_elevation = True
            ref = self._ele_ref
            if ref is None:
                self._ele_ref = ele
            elif ele >= ref + ASCENT_HYSTERESIS_M:
                self.ascent_m += ele - ref
                self._ele_ref = ele
            elif ele <= ref - ASCENT_HYSTERESIS_M:
                self._ele_ref = ele
        if hr is not None and hr > 0:
            self.hr_sum += hr
            self.hr_n += 1
        if cad is not None and cad > 0:
            self.cad_sum += cad
            self.cad_n += 1

    @property
    def duration_s(self) -> float:
        if self.first_t is None or self.last_t is None:
            return 0.0
        return self.last_t - self.first_t

    @property
    def distance_m(self) -> float | None:
        if self.device_distance_m:
            return self.device_distance_m
        return self.gps_distance_m if self._has_positions() else None

    def _has_positions(self) -> bool:
        return self._lat is not None or self.gps_distance_m > 0.0

    @property
    def avg_hr(self) -> float | None:
        return self.hr_sum / self.hr_n if self.hr_n else None

    @property
    def avg_cadence(self) -> float | None:
        return self.cad_sum / self.cad_n if self.cad_n else None

    @property
    def ascent(self) -> float | None:
        return self.ascent_m if self.has_elevation else None
