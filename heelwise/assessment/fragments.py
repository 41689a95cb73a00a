"""A small per-process cache of rendered HTML (fragments and whole anonymous pages).

Only HTML that is a pure function of its key is cached: the questions of a step for given
answers and knowledge-base version, the body of a stored (immutable) result, and the whole page
an anonymous visitor gets for those. Every app server therefore renders the same HTML for the
same key, so no user state lives in process memory; entries expire after ``TTL_SECONDS`` and the
cache holds at most ``MAX_ENTRIES``. Access checks always run before a cached page is served.

A cached page keeps a placeholder where the CSRF token goes; each response gets the visitor's
own token.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.safestring import SafeString, mark_safe

MAX_ENTRIES = 512
TTL_SECONDS = 600
CSRF_PLACEHOLDER = "__HEELWISE_CSRF_TOKEN__"
_CSRF_INPUT = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_cache: OrderedDict[str, tuple[float, str]] = OrderedDict()
_lock = threading.Lock()


def fragment_key(*parts: Any) -> str:
    raw = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


def _get(key: str) -> str | None:
    now = time.monotonic()
    with _lock:
        entry = _cache.get(key)
        if entry is None:
            return None
        if entry[0] < now:
            del _cache[key]
            return None
        _cache.move_to_end(key)
        return entry[1]


def _put(key: str, html: str) -> None:
    with _lock:
        _cache[key] = (time.monotonic() + TTL_SECONDS, html)
        _cache.move_to_end(key)
        while len(_cache) > MAX_ENTRIES:
            _cache.popitem(last=False)


def cached_fragment(key: str, render: Callable[[], str]) -> SafeString:
    html = _get(key)
    if html is None:
        html = render()
        _put(key, html)
    return mark_safe(html)  # noqa: S308 - rendered by our own autoescaping templates


def cached_page(request: HttpRequest, key: str, render: Callable[[], HttpResponse]) -> HttpResponse:
    """The whole page for an anonymous visitor with no pending messages, from the cache."""
    if request.user.is_authenticated or "messages" in request.COOKIES:
        return render()
    page_key = fragment_key("page", key, request.get_host(), request.is_secure())
    html = _get(page_key)
    if html is not None:
        return HttpResponse(html.replace(CSRF_PLACEHOLDER, get_token(request)))
    response = render()
    if response.status_code == 200 and not response.cookies.get("messages"):
        text = response.content.decode()
        _put(page_key, _CSRF_INPUT.sub(rf"\g<1>{CSRF_PLACEHOLDER}\g<2>", text))
    return response


def clear() -> None:
    with _lock:
        _cache.clear()
