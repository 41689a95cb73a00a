from __future__ import annotations

import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[3]


class InlineCodeFinder(HTMLParser):
    """Collects what a strict CSP (no 'unsafe-inline') would block."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        values = dict(attrs)
        if tag == "script" and "src" not in names:
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> element")
        if "style" in names:
            self.problems.append(f"style= attribute on <{tag}>")
        self.problems += [f"{n}= handler on <{tag}>" for n in names if n.startswith("on")]
        if (tag == "a" or tag == "form") and (values.get("href") or "").startswith("javascript:"):
            self.problems.append("javascript: URL")
        for attr in ("src",):
            value = values.get(attr) or ""
            if tag in {"script", "img", "iframe"} and value.startswith(("http:", "https:", "//")):
                self.external.append(value)
        if tag == "link" and (values.get("href") or "").startswith(("http:", "https:", "//")):
            self.external.append(values.get("href") or "")


PAGES = [
    "/",
    "/clinics/",
    "/clinics/london/",
    "/heel-pain-guide/",
    "/practitioners/",
    "/practitioners/priya-shah/",
    "/contact/",
    "/contact/thank-you/",
    "/privacy/",
    "/accessibility/",
    "/accounts/login/",
    "/no-such-page/",
]


@pytest.mark.django_db
class ContentSecurityPolicyTests:
    @pytest.mark.parametrize("path", PAGES)
    def test_it_sends_a_strict_csp_that_the_page_satisfies(
        self, client: Client, demo_clinic: None, path: str
    ) -> None:
        response = client.get(path)
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self'" in policy
        assert "style-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy
        finder = InlineCodeFinder()
        finder.feed(response.content.decode())
        assert finder.problems == []
        assert finder.external == []

    def test_the_contact_form_with_errors_has_no_inline_code(
        self, client: Client, demo_clinic: None
    ) -> None:
        response = client.post(reverse("website:contact"), {"name": ""})
        assert response.status_code == 422
        finder = InlineCodeFinder()
        finder.feed(response.content.decode())
        assert finder.problems == []

    def test_it_sends_the_other_security_headers(self, client: Client, db: None) -> None:
        response = client.get("/")
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"


class DeploymentSettingsTests:
    def test_argon2_is_the_first_password_hasher(self) -> None:
        from config.settings import base

        assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"

    def test_manage_py_check_deploy_is_clean_under_production_settings(self) -> None:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "SECRET_KEY", "DATABASE_URL", "HEELWISE_"))
        }
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.base",
            SECRET_KEY=secrets.token_urlsafe(64),
            HEELWISE_HTTPS="true",
            ALLOWED_HOSTS="example.org",
            HEELWISE_VAR_DIR=str(ROOT / "var"),
        )
        result = subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "no issues" in result.stdout

    def test_production_settings_turn_on_https_protections(self) -> None:
        code = (
            "from django.conf import settings as s; "
            "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
            "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS >= 31536000)"
        )
        env = dict(os.environ)
        env.pop("DJANGO_DEBUG", None)
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.base",
            SECRET_KEY=secrets.token_urlsafe(64),
            HEELWISE_HTTPS="true",
        )
        result = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.stdout.split() == ["False", "True", "True", "True", "True"], result.stderr
