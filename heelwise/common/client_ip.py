"""The client's IP address for rate limits, safe behind a known number of trusted proxies.

``X-Forwarded-For`` is a list that each proxy appends to ("client, proxy1, proxy2"); only the
entries written by proxies we run can be trusted, because a client may send any header it likes.
With ``HEELWISE_TRUSTED_PROXIES=N`` the address used is the N-th entry from the right: the one
our outermost proxy saw. With 0 (no proxy), it is ``REMOTE_ADDR``. Anything that is not an IP
address falls back to ``REMOTE_ADDR``, so a malformed header can neither crash a request nor
pick its own rate-limit bucket.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote = str(request.META.get("REMOTE_ADDR", "") or "")
    hops = int(getattr(settings, "HEELWISE_TRUSTED_PROXIES", 0))
    if hops <= 0:
        return remote
    header = str(request.META.get("HTTP_X_FORWARDED_FOR", "") or "")
    entries = [part.strip() for part in header.split(",") if part.strip()]
    if not entries:
        return remote
    # Fewer entries than trusted hops: every entry was written by our own proxies.
    candidate = entries[-hops] if len(entries) >= hops else entries[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
