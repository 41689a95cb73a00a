"""Sport names found in GPX ``<type>``, TCX ``Sport`` and Strava's CSV -> the vocabulary."""

from __future__ import annotations

# Strava writes numeric activity types into GPX <type> (1 = Ride, 9 = Run, ...).
_STRAVA_CODES = {"1": "cycling", "4": "hiking", "9": "running", "10": "walking", "16": "swimming"}


def sport_from_text(text: str | None) -> str | None:
    """Map a free-text sport ("Running", "trail_running", "Ride", "9") to the vocabulary."""
    if not text:
        return None
    s = text.strip().lower().replace("-", "_").replace(" ", "_")
    if s in _STRAVA_CODES:
        return _STRAVA_CODES[s]
    if "run" in s:
        if "trail" in s:
            return "trail_running"
        if "treadmill" in s or "indoor" in s or "virtual" in s:
            return "treadmill_running"
        return "running"
    if "walk" in s:
        return "walking"
    if "hik" in s:
        return "hiking"
    if "bik" in s or "cycl" in s or "ride" in s:
        return "cycling"
    if "swim" in s:
        return "swimming"
    if "transition" in s:
        return "transition"
    return "other"
