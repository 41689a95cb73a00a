"""/api/v1/docs: django-ninja's swagger-ui, served from our own static files under our strict CSP
(``script-src 'self'``, ``style-src 'self'``: no CDN, no inline script)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.test import Client


def test_the_docs_page_uses_only_same_origin_files_and_no_inline_script(client: Client) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    policy = dict(d.strip().split(" ", 1) for d in response["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == policy["style-src"] == "'self'"
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
    sources = [re.search(r'src="([^"]+)"', attrs) for attrs, _body in scripts]
    external = [m.group(1) for m in sources if m]
    assert external == ["/static/ninja/swagger-ui-bundle.js", "/static/ninja/swagger-ui-init.js"]
    for attrs, body in scripts:
        # The one <script> without src is swagger's settings, a JSON data block the browser
        # never runs (CSP does not apply to it); anything executable must be a same-origin file.
        if "src=" not in attrs:
            assert 'type="application/json"' in attrs, attrs
            assert body.strip().startswith("{")
    links = re.findall(r'<link\b[^>]*href="([^"]+)"', html)
    assert links and all(href.startswith("/static/ninja/") for href in links), links
    assert "cdn" not in html.lower()
    assert " style=" not in html and "<style" not in html
    for path in [*external, *links]:
        assert finders.find(path.removeprefix("/static/")), path  # collectstatic ships it


@pytest.mark.browser
def test_the_docs_page_renders_the_operations_under_the_csp(page: Any, live_server: Any) -> None:
    origin = urlsplit(live_server.url).netloc
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/api/v1/docs")
    page.locator(".opblock-summary-path").first.wait_for(state="visible")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert {"/api/v1/sites", "/api/v1/slots", "/api/v1/bookings", "/api/v1/assessments"} <= {
        p.strip() for p in paths
    }
    assert (
        page.locator(".opblock-summary-path").first.evaluate("el => getComputedStyle(el).display")
        != "inline"
    ), "swagger-ui.css did not apply"
    assert {urlsplit(url).netloc for url in requested} == {origin}, requested
    assert [e for e in page.console_errors if "Content Security Policy" in e] == []
    assert page.console_errors == []
